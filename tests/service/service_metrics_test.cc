#include "src/service/service_metrics.h"

#include <string>

#include "gtest/gtest.h"

namespace radixlm::optimization::internal {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ServiceMetricsTest, CountsTurnsAndTokensPerBackend) {
  ServiceMetrics metrics;
  metrics.ObserveTurn("http://a:1", 100, 80, absl::Milliseconds(20), absl::Milliseconds(200));
  metrics.ObserveTurn("embedded", 50, 0, absl::Milliseconds(30), absl::Seconds(2));
  metrics.ObserveFailedTurn("http://a:1");
  metrics.ObserveFallback();
  const std::string text = metrics.Render({{"http://a:1", false}, {"embedded", true}}, 3);
  EXPECT_TRUE(Has(text, "radixlm_service_turns_total{backend=\"http://a:1\",outcome=\"ok\"} 1"));
  EXPECT_TRUE(
      Has(text, "radixlm_service_turns_total{backend=\"http://a:1\",outcome=\"error\"} 1"));
  EXPECT_TRUE(Has(text, "radixlm_service_cached_tokens_total{backend=\"http://a:1\"} 80"));
  EXPECT_TRUE(Has(text, "radixlm_service_computed_tokens_total{backend=\"http://a:1\"} 20"));
  EXPECT_TRUE(Has(text, "radixlm_service_computed_tokens_total{backend=\"embedded\"} 50"));
  EXPECT_TRUE(Has(text, "radixlm_service_fallback_turns_total{} 1"));
  EXPECT_TRUE(Has(text, "radixlm_service_backend_healthy{backend=\"http://a:1\"} 0"));
  EXPECT_TRUE(Has(text, "radixlm_service_sessions{} 3"));
  EXPECT_TRUE(Has(text,
                  "radixlm_service_turn_latency_seconds_bucket{backend=\"embedded\",le=\"2.5\"} 1"));
  // One HELP/TYPE header per metric, however many backends.
  EXPECT_EQ(text.find("# TYPE radixlm_service_turns_total"),
            text.rfind("# TYPE radixlm_service_turns_total"));
}

TEST(ServiceMetricsTest, CountsSwitchesByDirection) {
  ServiceMetrics metrics;
  metrics.ObserveSwitch("http://a:1", "embedded");
  metrics.ObserveSwitch("embedded", "http://a:1");
  metrics.ObserveSwitch("http://a:1", "embedded");
  metrics.ObservePrefixWarmed("http://a:1");
  EXPECT_EQ(metrics.backend_switches(), 3);
  EXPECT_EQ(metrics.prefixes_warmed(), 1);
  const std::string text = metrics.Render({}, 0);
  EXPECT_TRUE(Has(text,
                  "radixlm_service_backend_switches_total{from=\"http://a:1\",to=\"embedded\"} 2"));
  EXPECT_TRUE(Has(text, "radixlm_service_prefixes_warmed_total{backend=\"http://a:1\"} 1"));
}

}  // namespace
}  // namespace radixlm::optimization::internal
