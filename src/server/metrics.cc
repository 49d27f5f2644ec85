#include "src/server/metrics.h"

#include <algorithm>
#include <utility>

#include "fmt/format.h"
#include "src/common/prometheus.h"
#include "src/common/strings.h"

namespace radixlm::server {
namespace {

// Bucket bounds of SGLang's metrics_collector.py (protocol §1.15).
std::vector<double> TimeToFirstTokenBuckets() {
  return {0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400};
}
std::vector<double> E2eLatencyBuckets() {
  return {0.1, 0.2, 0.4, 0.6, 0.8, 1,   2,   4,   6,    8,    10,
          20,  40,  60,  80,  100, 200, 400, 600, 1200, 1800, 2400};
}
std::vector<double> InterTokenLatencyBuckets() {
  return {0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06,
          0.08,  0.1,   0.2,   0.4,   0.6,  0.8,   1,    2,     4,    6,     8};
}
std::vector<double> TokenCountBuckets() {
  return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768};
}

}  // namespace

Metrics::Metrics(const std::string& model_name)
    : labels_(StrCat("model_name=\"", EscapeLabelValue(model_name), "\"")),
      time_to_first_token_(TimeToFirstTokenBuckets()),
      e2e_latency_(E2eLatencyBuckets()),
      queue_time_(E2eLatencyBuckets()),
      inter_token_latency_(InterTokenLatencyBuckets()),
      prompt_tokens_(TokenCountBuckets()),
      generation_tokens_(TokenCountBuckets()) {}

void Metrics::ObserveFinished(const engine::GenerateResult& result, absl::Duration e2e) {
  std::lock_guard lock(mutex_);
  if (result.completion_tokens > 0) {
    time_to_first_token_.Observe(absl::ToDoubleSeconds(result.time_to_first_token));
  }
  if (result.completion_tokens > 1) {
    inter_token_latency_.Observe(absl::ToDoubleSeconds(result.decode_time) /
                                 static_cast<double>(result.completion_tokens - 1));
  }
  e2e_latency_.Observe(absl::ToDoubleSeconds(e2e));
  queue_time_.Observe(absl::ToDoubleSeconds(result.queue_time));
  prompt_tokens_.Observe(static_cast<double>(result.prompt_tokens));
  generation_tokens_.Observe(static_cast<double>(result.completion_tokens));
  if (result.prompt_tokens > 0) {
    last_cache_hit_rate_ =
        static_cast<double>(result.cached_tokens) / static_cast<double>(result.prompt_tokens);
  }
}

std::string Metrics::Render(const engine::EngineStats& stats, const engine::EngineModelInfo& info,
                            std::int64_t http_requests_active) const {
  std::string out;
  const std::string_view labels = labels_;
  const double total_tokens = static_cast<double>(stats.kv_pages_total * stats.page_size);
  const double used_tokens =
      static_cast<double>((stats.kv_pages_used - stats.kv_pages_cached) * stats.page_size);
  AppendMetric(out, "sglang:num_running_reqs", "gauge", "The number of running requests.", labels,
         static_cast<double>(stats.running_requests));
  AppendMetric(out, "sglang:num_queue_reqs", "gauge", "The number of requests in the waiting queue.",
         labels, static_cast<double>(stats.queued_requests));
  AppendMetric(out, "sglang:num_used_tokens", "gauge",
         "KV tokens held by running requests (cached, evictable tokens excluded).", labels,
         used_tokens);
  // SGLang: (total - (free + evictable)) / total; the radix cache's pages count as free.
  AppendMetric(out, "sglang:token_usage", "gauge", "The token usage of the KV pool (0..1).", labels,
         total_tokens > 0 ? used_tokens / total_tokens : 0.0);
  AppendMetric(out, "sglang:kv_evictable_tokens", "gauge", "KV tokens held only by the radix cache.",
         labels, static_cast<double>(stats.kv_pages_cached * stats.page_size));
  AppendMetric(out, "sglang:kv_available_tokens", "gauge", "Free KV tokens.", labels,
         static_cast<double>((stats.kv_pages_total - stats.kv_pages_used) * stats.page_size));
  AppendMetric(out, "sglang:max_total_num_tokens", "gauge", "KV pool size in tokens.", labels,
         static_cast<double>(info.max_kv_tokens));
  AppendMetric(out, "sglang:page_size", "gauge", "Tokens per KV page.", labels,
         static_cast<double>(stats.page_size));
  AppendMetric(out, "sglang:context_len", "gauge", "The model's context length.", labels,
         static_cast<double>(info.context_length));
  {
    std::lock_guard lock(mutex_);
    AppendMetric(out, "sglang:cache_hit_rate", "gauge",
           "Prefix cache hit rate of the last finished request (cached / prompt tokens).", labels,
           last_cache_hit_rate_);
  }
  AppendMetric(out, "radixlm:cache_hit_rate_total", "gauge",
         "Cumulative prefix cache hit rate (cached / prompt tokens since start).", labels,
         stats.cache_hit_rate);
  AppendMetric(out, "sglang:http_requests_active", "gauge", "HTTP requests being answered.", labels,
         static_cast<double>(http_requests_active));
  AppendMetric(out, "sglang:prompt_tokens_total", "counter", "Prompt tokens processed.", labels,
         static_cast<double>(stats.prompt_tokens_total));
  AppendMetric(out, "sglang:generation_tokens_total", "counter", "Tokens generated.", labels,
         static_cast<double>(stats.generated_tokens_total));
  AppendMetric(out, "sglang:cached_tokens_total", "counter", "Prompt tokens served from the radix cache.",
         StrCat(labels, ",cache_source=\"device\""),
         static_cast<double>(stats.cached_tokens_total));
  AppendMetric(out, "sglang:num_requests_total", "counter", "Requests finished.", labels,
         static_cast<double>(stats.requests_total));
  AppendMetric(out, "sglang:num_aborted_requests_total", "counter", "Requests aborted.", labels,
         static_cast<double>(stats.requests_aborted_total));
  AppendMetric(out, "sglang:evicted_tokens_total", "counter", "Tokens evicted from the radix cache.",
         labels, static_cast<double>(stats.evicted_tokens_total));
  AppendMetric(out, "sglang:num_retracted_requests_total", "counter",
         "Requests preempted to free KV pages.", labels,
         static_cast<double>(stats.preemptions_total));
  std::lock_guard lock(mutex_);
  time_to_first_token_.Render("sglang:time_to_first_token_seconds",
                              "Histogram of time to first token in seconds.", labels, out);
  inter_token_latency_.Render("sglang:inter_token_latency_seconds",
                              "Histogram of inter-token latency in seconds.", labels, out);
  e2e_latency_.Render("sglang:e2e_request_latency_seconds",
                      "Histogram of end-to-end request latency in seconds.", labels, out);
  queue_time_.Render("sglang:queue_time_seconds", "Histogram of queueing time in seconds.", labels,
                     out);
  prompt_tokens_.Render("sglang:prompt_tokens_histogram", "Histogram of prompt token length.",
                        labels, out);
  generation_tokens_.Render("sglang:generation_tokens_histogram",
                            "Histogram of generation token length.", labels, out);
  return out;
}

}  // namespace radixlm::server
