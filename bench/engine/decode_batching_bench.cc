#include "bench/engine/decode_batching_bench.h"

#include <cstdio>
#include <string>

#include "absl/time/clock.h"
#include "bench/engine/bench_stats.h"
#include "bench/engine/machine_info.h"
#include "bench/engine/markdown_table.h"
#include "bench/engine/request_driver.h"
#include "bench/engine/token_prompts.h"

namespace radixlm::bench {
namespace {

struct BatchResult {
  std::vector<double> decode_tokens_per_second;      // per repeat
  std::vector<double> end_to_end_tokens_per_second;  // per repeat
  std::vector<double> inter_token_ms;                // pooled over requests and repeats
  std::string load_average;
};

absl::Status RunBatch(engine::Engine& engine, const DecodeBatchingParams& params, int batch,
                      std::uint64_t first_stream, BatchResult& result) {
  const TokenPrompts prompts(params.seed);
  RequestDriver driver(&engine);
  std::vector<int> indices;
  const absl::Time start = absl::Now();
  for (int i = 0; i < batch; ++i) {
    absl::StatusOr<int> index = driver.Submit(GreedyRequest(
        prompts.Tokens(first_stream + static_cast<std::uint64_t>(i), params.prompt_tokens),
        params.output_tokens));
    if (!index.ok()) return index.status();
    indices.push_back(*index);
  }
  driver.WaitAll();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<const RequestTrace*> traces;
  double output_tokens = 0;
  for (int index : indices) {
    const RequestTrace& trace = driver.trace(index);
    traces.push_back(&trace);
    output_tokens += static_cast<double>(trace.result.completion_tokens);
    const std::vector<double> gaps = trace.InterTokenMillis();
    result.inter_token_ms.insert(result.inter_token_ms.end(), gaps.begin(), gaps.end());
  }
  result.decode_tokens_per_second.push_back(AggregateDecodeTokensPerSecond(traces));
  result.end_to_end_tokens_per_second.push_back(output_tokens / seconds);
  return absl::OkStatus();
}

}  // namespace

absl::Status RunDecodeBatchingBench(const BenchOptions& options, const DecodeBatchingParams& params,
                                    nlohmann::json& report) {
  std::printf(
      "### decode batching: %s, %s weights; prompt %lld, output %lld tokens, seed %llu, median of "
      "%d\n\n",
      options.shape.c_str(), options.weights.c_str(), static_cast<long long>(params.prompt_tokens),
      static_cast<long long>(params.output_tokens), static_cast<unsigned long long>(params.seed),
      options.repeats);
  std::vector<BatchResult> results[2];  // [cache][batch]
  for (const bool cache : {true, false}) {
    absl::StatusOr<std::unique_ptr<engine::Engine>> engine = CreateBenchEngine(options, cache);
    if (!engine.ok()) return engine.status();
    std::uint64_t stream = 0;  // every request of the run gets its own prompt
    {
      BatchResult warm;  // fault in the weights and wake the thread pool
      if (absl::Status status = RunBatch(**engine, params, 1, stream++, warm); !status.ok()) {
        return status;
      }
    }
    for (int batch : params.batches) {
      BatchResult result;
      for (int repeat = 0; repeat < options.repeats; ++repeat) {
        if (absl::Status status = RunBatch(**engine, params, batch, stream, result); !status.ok()) {
          return status;
        }
        stream += static_cast<std::uint64_t>(batch);
      }
      result.load_average = LoadAverage();
      results[cache ? 1 : 0].push_back(std::move(result));
    }
  }

  MarkdownTable table({"batch", "cache", "decode tok/s (aggregate)", "x batch 1",
                       "end-to-end output tok/s", "ITL p50 ms", "ITL p95 ms", "load avg"});
  for (const bool cache : {true, false}) {
    const std::vector<BatchResult>& rows = results[cache ? 1 : 0];
    const double single = Median(rows.front().decode_tokens_per_second);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const double decode = Median(rows[i].decode_tokens_per_second);
      table.AddRow({std::to_string(params.batches[i]), cache ? "on" : "off", Fixed(decode, 1),
                    Fixed(single > 0 ? decode / single : 0, 2) + "x",
                    Fixed(Median(rows[i].end_to_end_tokens_per_second), 1),
                    Fixed(Percentile(rows[i].inter_token_ms, 0.5), 2),
                    Fixed(Percentile(rows[i].inter_token_ms, 0.95), 2), rows[i].load_average});
    }
  }
  table.Print();
  report["decode_batching"] = {{"params",
                                {{"batches", params.batches},
                                 {"prompt_tokens", params.prompt_tokens},
                                 {"output_tokens", params.output_tokens},
                                 {"seed", params.seed}}},
                               {"table", table.ToJson()}};
  return absl::OkStatus();
}

}  // namespace radixlm::bench
