// The benchmark's models: made once by MakeModelFolder (seed 1) into <models_dir>/<shape>-<dtype>
// and reused by later runs, since the 1B shape takes about a minute to write and 2.5 GB of disk.
//
// A folder is written under a temporary name and renamed when complete, so an interrupted run
// leaves no half-written model that a later run would take for a finished one.
#ifndef RADIXLM_BENCH_ENGINE_BENCH_MODELS_H_
#define RADIXLM_BENCH_ENGINE_BENCH_MODELS_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"

namespace radixlm::bench {

// The seed of every benchmark model (the llama.cpp comparison converts the same folder).
inline constexpr std::uint64_t kBenchModelSeed = 1;

// EnsureBenchModel() returns the folder of `shape` stored as `dtype` ("bf16", "f16", "f32"),
// making it first when it is missing.
absl::StatusOr<std::filesystem::path> EnsureBenchModel(const std::filesystem::path& models_dir,
                                                       const std::string& shape,
                                                       const std::string& dtype);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_BENCH_MODELS_H_
