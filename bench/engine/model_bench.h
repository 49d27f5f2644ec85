// `radixlm_bench model`: the engine's raw speed on one shape and weight type (issue 3, section 6):
// prefill tokens/s of a 512-token prompt, decode tokens/s at batch 1 and 8 (128 tokens, greedy,
// EOS ignored), time to first token, peak RSS, and the distance of batch-1 decode to the memory
// bandwidth limit. The radix cache is off so that every repeat computes its whole prompt.
//
// The shapes and lengths mirror `llama-bench -p 512 -n 128` (bench/llama_cpp/compare.sh runs both
// back to back): pp512 is one 512-token prompt in one batch; tg128 is 128 tokens decoded one at a
// time from an (almost) empty context. Ours starts tg from a 16-token prompt.
#ifndef RADIXLM_BENCH_ENGINE_MODEL_BENCH_H_
#define RADIXLM_BENCH_ENGINE_MODEL_BENCH_H_

#include "absl/status/status.h"
#include "bench/engine/bench_engine.h"
#include "nlohmann/json.hpp"

namespace radixlm::bench {

// RunModelBench() prints the table and adds it to `report`.
absl::Status RunModelBench(const BenchOptions& options, nlohmann::json& report);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_MODEL_BENCH_H_
