// `radixlm_bench decode-batching`: the decode-batching workload of
// ../shared/workloads/README.md — 1, 4, 8 and 16 requests started together (128-token prompts,
// 128 output tokens, EOS ignored). Decode at batch 1 streams every weight once per token; a batch
// of B shares that stream, so aggregate tokens/s should grow nearly B-fold until compute bounds
// it (issue 4's target: batch 16 ≥ 6× batch 1).
//
// Reported per batch, cache on and off: aggregate decode tokens/s (median of the repeats), the
// end-to-end output tokens/s (prefill included), and per-request inter-token latency p50/p95.
#ifndef RADIXLM_BENCH_ENGINE_DECODE_BATCHING_BENCH_H_
#define RADIXLM_BENCH_ENGINE_DECODE_BATCHING_BENCH_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "bench/engine/bench_engine.h"
#include "nlohmann/json.hpp"

namespace radixlm::bench {

struct DecodeBatchingParams {
  std::vector<int> batches = {1, 4, 8, 16};
  std::int64_t prompt_tokens = 128;
  std::int64_t output_tokens = 128;
  std::uint64_t seed = 4;
};

absl::Status RunDecodeBatchingBench(const BenchOptions& options, const DecodeBatchingParams& params,
                                    nlohmann::json& report);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_DECODE_BATCHING_BENCH_H_
