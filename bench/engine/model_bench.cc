#include "bench/engine/model_bench.h"

#include <cstdio>
#include <vector>

#include "absl/time/clock.h"
#include "bench/engine/bench_stats.h"
#include "bench/engine/machine_info.h"
#include "bench/engine/markdown_table.h"
#include "bench/engine/request_driver.h"
#include "bench/engine/token_prompts.h"
#include "bench/engine/weight_traffic.h"

namespace radixlm::bench {
namespace {

constexpr std::int64_t kPrefillTokens = 512;  // llama-bench -p 512
constexpr std::int64_t kDecodeTokens = 128;   // llama-bench -n 128
constexpr std::int64_t kDecodePromptTokens = 16;
constexpr int kWideBatch = 8;

// Prompts never repeat within a run (each measurement draws its own stream), so even a cache
// that was on would not help.
class PromptStreams {
 public:
  std::vector<std::int32_t> Next(std::int64_t count) { return prompts_.Tokens(next_++, count); }

 private:
  TokenPrompts prompts_{3};
  std::uint64_t next_ = 0;
};

struct Samples {
  std::vector<double> prefill_tokens_per_second;
  std::vector<double> ttft_ms;
  std::vector<double> decode_b1_tokens_per_second;
  std::vector<double> decode_wide_tokens_per_second;
};

absl::Status MeasurePrefill(engine::Engine& engine, PromptStreams& prompts, Samples& samples) {
  RequestDriver driver(&engine);
  absl::StatusOr<int> index = driver.Submit(GreedyRequest(prompts.Next(kPrefillTokens), 1));
  if (!index.ok()) return index.status();
  driver.WaitAll();
  const engine::GenerateResult& result = driver.trace(*index).result;
  samples.prefill_tokens_per_second.push_back(static_cast<double>(result.prompt_tokens) /
                                              absl::ToDoubleSeconds(result.prefill_time));
  samples.ttft_ms.push_back(absl::ToDoubleMilliseconds(result.time_to_first_token));
  return absl::OkStatus();
}

absl::Status MeasureDecode(engine::Engine& engine, PromptStreams& prompts, int batch,
                           std::vector<double>& tokens_per_second) {
  RequestDriver driver(&engine);
  std::vector<int> indices;
  for (int i = 0; i < batch; ++i) {
    absl::StatusOr<int> index =
        driver.Submit(GreedyRequest(prompts.Next(kDecodePromptTokens), kDecodeTokens));
    if (!index.ok()) return index.status();
    indices.push_back(*index);
  }
  driver.WaitAll();
  std::vector<const RequestTrace*> traces;
  for (int index : indices) traces.push_back(&driver.trace(index));
  tokens_per_second.push_back(AggregateDecodeTokensPerSecond(traces));
  return absl::OkStatus();
}

}  // namespace

absl::Status RunModelBench(const BenchOptions& options, nlohmann::json& report) {
  const absl::Time load_start = absl::Now();
  absl::StatusOr<std::unique_ptr<engine::Engine>> engine =
      CreateBenchEngine(options, /*enable_radix_cache=*/false);
  if (!engine.ok()) return engine.status();
  const double load_seconds = absl::ToDoubleSeconds(absl::Now() - load_start);
  absl::StatusOr<std::int64_t> weight_bytes =
      WeightBytesPerToken((*engine)->options().model_dir, options.weights);
  if (!weight_bytes.ok()) return weight_bytes.status();

  PromptStreams prompts;
  Samples samples;
  // Warm-up: fault in the mmap'd weights and wake the thread pool before anything is timed.
  {
    std::vector<double> ignored;
    if (absl::Status status = MeasureDecode(**engine, prompts, 1, ignored); !status.ok()) {
      return status;
    }
  }
  const bool prefill = options.phase != "decode";
  const bool decode = options.phase != "prefill";
  for (int repeat = 0; repeat < options.repeats; ++repeat) {
    if (absl::Status status =
            prefill ? MeasurePrefill(**engine, prompts, samples) : absl::OkStatus();
        !status.ok()) {
      return status;
    }
    if (!decode) continue;
    if (absl::Status status =
            MeasureDecode(**engine, prompts, 1, samples.decode_b1_tokens_per_second);
        !status.ok()) {
      return status;
    }
    if (absl::Status status =
            MeasureDecode(**engine, prompts, kWideBatch, samples.decode_wide_tokens_per_second);
        !status.ok()) {
      return status;
    }
  }

  const double decode_b1 = Median(samples.decode_b1_tokens_per_second);
  const double limit = kMemoryBandwidthBytesPerSecond / static_cast<double>(*weight_bytes);
  const double peak_rss_mib = static_cast<double>(PeakRssBytes()) / (1 << 20);
  std::printf("### model: %s, %s weights (median of %d; load %.1f s)\n\n", options.shape.c_str(),
              options.weights.c_str(), options.repeats, load_seconds);
  MarkdownTable table({"shape", "weights", "prefill tok/s (512)", "TTFT ms (512)",
                       "decode tok/s b1", "decode tok/s b8", "peak RSS MiB", "weight MB/token",
                       "bandwidth limit tok/s", "b1 share of limit", "b1 GB/s"});
  table.AddRow({options.shape, options.weights, Fixed(Median(samples.prefill_tokens_per_second), 1),
                Fixed(Median(samples.ttft_ms), 1), Fixed(decode_b1, 1),
                Fixed(Median(samples.decode_wide_tokens_per_second), 1), Fixed(peak_rss_mib, 0),
                Fixed(static_cast<double>(*weight_bytes) / 1e6, 1), Fixed(limit, 1),
                Fixed(100 * decode_b1 / limit, 1) + "%",
                Fixed(decode_b1 * static_cast<double>(*weight_bytes) / 1e9, 1)});
  table.Print();
  report["model"] = {
      {"table", table.ToJson()},
      {"load_seconds", load_seconds},
      {"weight_bytes_per_token", *weight_bytes},
      {"peak_rss_bytes", PeakRssBytes()},
      {"median",
       {{"prefill_tokens_per_second", Median(samples.prefill_tokens_per_second)},
        {"ttft_ms", Median(samples.ttft_ms)},
        {"decode_b1_tokens_per_second", decode_b1},
        {"decode_b8_tokens_per_second", Median(samples.decode_wide_tokens_per_second)},
        {"bandwidth_limit_tokens_per_second", limit}}},
      {"samples",
       {{"prefill_tokens_per_second", samples.prefill_tokens_per_second},
        {"ttft_ms", samples.ttft_ms},
        {"decode_b1_tokens_per_second", samples.decode_b1_tokens_per_second},
        {"decode_b8_tokens_per_second", samples.decode_wide_tokens_per_second}}}};
  return absl::OkStatus();
}

}  // namespace radixlm::bench
