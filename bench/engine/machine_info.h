// What a benchmark figure was measured on, printed beside every table: the shared benchmark
// machines are noisy, so a figure without its CPU, core count, date and load average cannot be
// compared with anything (docs/PERFORMANCE.md quotes them).
#ifndef RADIXLM_BENCH_ENGINE_MACHINE_INFO_H_
#define RADIXLM_BENCH_ENGINE_MACHINE_INFO_H_

#include <cstdint>
#include <string>

#include "nlohmann/json.hpp"

namespace radixlm::bench {

struct MachineInfo {
  std::string cpu_model;     // /proc/cpuinfo "model name"
  int cores = 0;             // hardware threads the process may use
  std::string date_utc;      // ISO 8601
  std::string load_average;  // /proc/loadavg: 1, 5 and 15 minute averages
};

MachineInfo CurrentMachine();

// LoadAverage() is the first three fields of /proc/loadavg ("0.78 0.84 1.31"); "?" elsewhere.
std::string LoadAverage();

// PeakRssBytes() is the process's peak resident set (VmHWM), 0 where /proc is missing. It counts
// the pages of the mmap'd checkpoint that were touched, as the OS does.
std::int64_t PeakRssBytes();

nlohmann::json ToJson(const MachineInfo& machine);

// PrintMachineHeader() writes the machine as a markdown line to stdout.
void PrintMachineHeader(const MachineInfo& machine);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_MACHINE_INFO_H_
