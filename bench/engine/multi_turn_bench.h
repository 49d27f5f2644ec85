// `radixlm_bench multi-turn`: the multi-turn-chat workload of ../shared/workloads/README.md —
// the RadixAttention guide's "Performance Benefits" table. Sessions share a system prompt; each
// turn's prompt is the whole conversation so far plus a new user message, so with the radix cache
// on a turn should compute only its new tokens.
//
// Reported per turn index, cache on and cache off from the same process run: prompt tokens,
// cached tokens, computed share, TTFT p50/p95; totals; and the target of issue 4 that TTFT on a
// cached prefix stays within 10% of the cost of the new tokens alone (measured as the TTFT of the
// same prompt whose context, and only that, was run and cached before: NewTokensTtftMs() in the
// .cc).
#ifndef RADIXLM_BENCH_ENGINE_MULTI_TURN_BENCH_H_
#define RADIXLM_BENCH_ENGINE_MULTI_TURN_BENCH_H_

#include <cstdint>

#include "absl/status/status.h"
#include "bench/engine/bench_engine.h"
#include "nlohmann/json.hpp"

namespace radixlm::bench {

struct MultiTurnParams {
  int sessions = 16;
  int turns = 8;
  std::int64_t system_tokens = 400;
  std::int64_t user_tokens = 40;
  std::int64_t reply_tokens = 64;
  std::uint64_t seed = 1;
  // Sessions running at once; 1 keeps each turn's TTFT free of queueing behind other sessions.
  int in_flight = 1;
  // Runs of each cached turn's new tokens alone (the TTFT reference).
  int reference_repeats = 3;
};

absl::Status RunMultiTurnBench(const BenchOptions& options, const MultiTurnParams& params,
                               nlohmann::json& report);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_MULTI_TURN_BENCH_H_
