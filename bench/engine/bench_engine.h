// The options every radixlm_bench mode shares, and the Engine they describe.
//
// Weights: the model folder is always the bf16 one (what `radixlm model make` writes by default);
// "bf16" serves it as stored, "int8" / "int8-block" quantize it at load — so bf16 and int8 figures,
// like the llama.cpp F16 / Q8_0 ones converted from the same folder, share the same weights.
#ifndef RADIXLM_BENCH_ENGINE_BENCH_ENGINE_H_
#define RADIXLM_BENCH_ENGINE_BENCH_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "radixlm/engine/engine.h"

namespace radixlm::bench {

struct BenchOptions {
  std::string shape = "smollm2-135m";
  std::string weights = "bf16";  // bf16 | int8 | int8-block
  int threads = 0;               // 0: one per core
  int page_size = 0;             // KV page size; 0: the engine's default
  std::string models_dir = "build/bench-models";
  int repeats = 3;        // runs of each measurement; the median is reported
  double scale = 1.0;     // share of the workloads' sessions / prompts to run
  std::string json_path;  // also write the report as JSON here
  // `model` only: "all", or "prefill" / "decode" alone (to profile one phase under perf).
  std::string phase = "all";
};

nlohmann::json ToJson(const BenchOptions& options);

// CreateBenchEngine() makes the model folder if needed and starts an engine on it.
absl::StatusOr<std::unique_ptr<engine::Engine>> CreateBenchEngine(const BenchOptions& options,
                                                                  bool enable_radix_cache);

// GreedyRequest() asks for exactly `max_new_tokens` tokens (temperature 0, EOS ignored), the
// workloads' sampling, so every run does the same amount of work.
engine::GenerateRequest GreedyRequest(std::vector<std::int32_t> input_ids,
                                      std::int64_t max_new_tokens);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_BENCH_ENGINE_H_
