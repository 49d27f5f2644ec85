#include "bench/engine/machine_info.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace radixlm::bench {
namespace {

// The value after "key:" on the first line of `path` that starts with `key`, trimmed.
std::string ProcField(const char* path, std::string_view key) {
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::size_t begin = line.find_first_not_of(" \t", colon + 1);
    return begin == std::string::npos ? std::string() : line.substr(begin);
  }
  return {};
}

}  // namespace

std::string LoadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(file >> one >> five >> fifteen)) return "?";
  return one + " " + five + " " + fifteen;
}

std::int64_t PeakRssBytes() {
  // "VmHWM:    123456 kB"
  const std::string value = ProcField("/proc/self/status", "VmHWM");
  std::istringstream stream(value);
  std::int64_t kib = 0;
  if (!(stream >> kib)) return 0;
  return kib * 1024;
}

MachineInfo CurrentMachine() {
  MachineInfo machine;
  machine.cpu_model = ProcField("/proc/cpuinfo", "model name");
  if (machine.cpu_model.empty()) machine.cpu_model = "unknown CPU";
  machine.cores = static_cast<int>(std::thread::hardware_concurrency());
  machine.date_utc = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  machine.load_average = LoadAverage();
  return machine;
}

nlohmann::json ToJson(const MachineInfo& machine) {
  return {{"cpu_model", machine.cpu_model},
          {"cores", machine.cores},
          {"date_utc", machine.date_utc},
          {"load_average", machine.load_average}};
}

void PrintMachineHeader(const MachineInfo& machine) {
  std::printf("_Machine: %s, %d cores; %s; load average %s._\n\n", machine.cpu_model.c_str(),
              machine.cores, machine.date_utc.c_str(), machine.load_average.c_str());
}

}  // namespace radixlm::bench
