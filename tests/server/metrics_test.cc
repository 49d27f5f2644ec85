#include "src/server/metrics.h"

#include "gtest/gtest.h"

namespace radixlm::server {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(MetricsTest, RendersSglangSeriesWithTheModelLabel) {
  Metrics metrics("tiny");
  engine::GenerateResult result;
  result.prompt_tokens = 10;
  result.cached_tokens = 5;
  result.completion_tokens = 3;
  result.time_to_first_token = absl::Milliseconds(150);
  metrics.ObserveFinished(result, absl::Milliseconds(300));
  engine::EngineStats stats;
  stats.running_requests = 2;
  stats.queued_requests = 1;
  stats.kv_pages_total = 10;
  stats.kv_pages_used = 6;
  stats.kv_pages_cached = 1;
  stats.page_size = 16;
  stats.prompt_tokens_total = 10;
  stats.generated_tokens_total = 3;
  engine::EngineModelInfo info;
  std::string text = metrics.Render(stats, info, 2);
  EXPECT_TRUE(Has(text, "sglang:num_running_reqs{model_name=\"tiny\"} 2\n")) << text;
  EXPECT_TRUE(Has(text, "sglang:num_queue_reqs{model_name=\"tiny\"} 1\n")) << text;
  EXPECT_TRUE(Has(text, "sglang:token_usage{model_name=\"tiny\"} 0.5\n")) << text;
  EXPECT_TRUE(Has(text, "sglang:cache_hit_rate{model_name=\"tiny\"} 0.5\n")) << text;
  EXPECT_TRUE(Has(text, "sglang:prompt_tokens_total{model_name=\"tiny\"} 10\n")) << text;
  EXPECT_TRUE(Has(text, "sglang:generation_tokens_total{model_name=\"tiny\"} 3\n")) << text;
  EXPECT_TRUE(
      Has(text, "sglang:time_to_first_token_seconds_bucket{model_name=\"tiny\",le=\"0.2\"} 1"))
      << text;
  EXPECT_TRUE(Has(text, "sglang:e2e_request_latency_seconds_count{model_name=\"tiny\"} 1")) << text;
}

}  // namespace
}  // namespace radixlm::server
