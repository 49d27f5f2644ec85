#include "bench/engine/fanout_bench.h"

#include <cstdio>
#include <random>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "bench/engine/bench_stats.h"
#include "bench/engine/machine_info.h"
#include "bench/engine/markdown_table.h"
#include "bench/engine/request_driver.h"
#include "bench/engine/token_prompts.h"

namespace radixlm::bench {
namespace {

struct LevelResult {
  double wall_seconds = 0;
  double requests_per_second = 0;
  double output_tokens_per_second = 0;
  double ttft_p50_ms = 0;
  double ttft_p95_ms = 0;
  double hit_rate = 0;
  std::string load_average;
};

// Every prompt: the group's prefix, then its own question. The order interleaves the groups
// (a seeded Fisher–Yates shuffle, written out because std::shuffle differs between libraries),
// so concurrent clients hit different prefixes, as in SGLang's benchmark.
std::vector<std::vector<std::int32_t>> MakePrompts(const FanoutParams& params) {
  const TokenPrompts prompts(params.seed);
  std::vector<std::vector<std::int32_t>> all;
  for (int group = 0; group < params.groups; ++group) {
    const std::vector<std::int32_t> prefix =
        prompts.Tokens(static_cast<std::uint64_t>(group), params.prefix_tokens);
    for (int i = 0; i < params.prompts_per_group; ++i) {
      std::vector<std::int32_t> prompt = prefix;
      const auto stream = static_cast<std::uint64_t>(1000 + group * params.prompts_per_group + i);
      const std::vector<std::int32_t> question = prompts.Tokens(stream, params.question_tokens);
      prompt.insert(prompt.end(), question.begin(), question.end());
      all.push_back(std::move(prompt));
    }
  }
  std::mt19937_64 random(params.seed);
  for (std::size_t i = all.size(); i > 1; --i) {
    std::swap(all[i - 1], all[random() % i]);
  }
  return all;
}

absl::StatusOr<LevelResult> RunLevel(engine::Engine& engine, const FanoutParams& params,
                                     const std::vector<std::vector<std::int32_t>>& prompts,
                                     int concurrency) {
  RequestDriver driver(&engine);
  std::size_t next = 0;
  const absl::Time start = absl::Now();
  std::vector<double> ttft_ms;
  double prompt_tokens = 0, cached_tokens = 0, output_tokens = 0;
  while (next < prompts.size() || driver.in_flight() > 0) {
    if (next < prompts.size() && driver.in_flight() < concurrency) {
      absl::StatusOr<int> index =
          driver.Submit(GreedyRequest(prompts[next++], params.output_tokens));
      if (!index.ok()) return index.status();
      continue;
    }
    const engine::GenerateResult& done = driver.trace(driver.WaitNext()).result;
    if (done.finish_reason == engine::FinishReason::kAbort) {
      return absl::InternalError("a fan-out request was aborted: " + done.error.ToString());
    }
    ttft_ms.push_back(absl::ToDoubleMilliseconds(done.time_to_first_token));
    prompt_tokens += static_cast<double>(done.prompt_tokens);
    cached_tokens += static_cast<double>(done.cached_tokens);
    output_tokens += static_cast<double>(done.completion_tokens);
  }
  LevelResult result;
  result.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  result.requests_per_second = static_cast<double>(prompts.size()) / result.wall_seconds;
  result.output_tokens_per_second = output_tokens / result.wall_seconds;
  result.ttft_p50_ms = Percentile(ttft_ms, 0.5);
  result.ttft_p95_ms = Percentile(ttft_ms, 0.95);
  result.hit_rate = prompt_tokens > 0 ? cached_tokens / prompt_tokens : 0;
  result.load_average = LoadAverage();
  return result;
}

}  // namespace

absl::Status RunFanoutBench(const BenchOptions& options, const FanoutParams& params,
                            nlohmann::json& report) {
  std::printf(
      "### shared-prefix fan-out: %s, %s weights; %d groups x %d prompts, prefix %lld, question "
      "%lld, output %lld tokens, seed %llu\n\n",
      options.shape.c_str(), options.weights.c_str(), params.groups, params.prompts_per_group,
      static_cast<long long>(params.prefix_tokens), static_cast<long long>(params.question_tokens),
      static_cast<long long>(params.output_tokens), static_cast<unsigned long long>(params.seed));
  const std::vector<std::vector<std::int32_t>> prompts = MakePrompts(params);
  // results[cache][level]
  std::vector<LevelResult> results[2];
  for (const bool cache : {true, false}) {
    absl::StatusOr<std::unique_ptr<engine::Engine>> engine = CreateBenchEngine(options, cache);
    if (!engine.ok()) return engine.status();
    for (int concurrency : params.concurrency) {
      if (absl::Status flushed = (*engine)->FlushCache(); !flushed.ok()) return flushed;
      absl::StatusOr<LevelResult> level = RunLevel(**engine, params, prompts, concurrency);
      if (!level.ok()) return level.status();
      results[cache ? 1 : 0].push_back(*level);
    }
  }

  MarkdownTable table({"concurrency", "cache", "requests/s", "output tok/s", "TTFT p50 ms",
                       "TTFT p95 ms", "hit rate", "wall s", "speed-up (on/off)", "load avg"});
  for (std::size_t level = 0; level < params.concurrency.size(); ++level) {
    for (const bool cache : {true, false}) {
      const LevelResult& r = results[cache ? 1 : 0][level];
      const double speedup = results[0][level].wall_seconds / results[1][level].wall_seconds;
      table.AddRow({std::to_string(params.concurrency[level]), cache ? "on" : "off",
                    Fixed(r.requests_per_second, 3), Fixed(r.output_tokens_per_second, 1),
                    Fixed(r.ttft_p50_ms, 1), Fixed(r.ttft_p95_ms, 1),
                    Fixed(100 * r.hit_rate, 1) + "%", Fixed(r.wall_seconds, 1),
                    cache ? Fixed(speedup, 2) + "x" : "", r.load_average});
    }
  }
  table.Print();
  report["fanout"] = {{"params",
                       {{"groups", params.groups},
                        {"prompts_per_group", params.prompts_per_group},
                        {"prefix_tokens", params.prefix_tokens},
                        {"question_tokens", params.question_tokens},
                        {"output_tokens", params.output_tokens},
                        {"seed", params.seed},
                        {"concurrency", params.concurrency}}},
                      {"table", table.ToJson()}};
  return absl::OkStatus();
}

}  // namespace radixlm::bench
