// `radixlm_bench fanout`: the shared-prefix-fanout workload of ../shared/workloads/README.md (as
// SGLang's generated-shared-prefix benchmark): groups of prompts that share a long prefix and
// differ in a short question, sent by a closed loop of 1, 4 and 16 clients.
//
// Each concurrency level starts from an empty cache (FlushCache), so the first request of each
// group pays for its prefix; cache on and off run in the same process. Reported: requests/s,
// output tokens/s, TTFT p50/p95 and the cache hit rate (cached / prompt tokens).
#ifndef RADIXLM_BENCH_ENGINE_FANOUT_BENCH_H_
#define RADIXLM_BENCH_ENGINE_FANOUT_BENCH_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "bench/engine/bench_engine.h"
#include "nlohmann/json.hpp"

namespace radixlm::bench {

struct FanoutParams {
  int groups = 4;
  int prompts_per_group = 32;
  std::int64_t prefix_tokens = 1024;
  std::int64_t question_tokens = 64;
  std::int64_t output_tokens = 32;
  std::uint64_t seed = 2;
  std::vector<int> concurrency = {1, 4, 16};
};

absl::Status RunFanoutBench(const BenchOptions& options, const FanoutParams& params,
                            nlohmann::json& report);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_FANOUT_BENCH_H_
