#include "src/common/prometheus.h"

#include <string>

#include "gtest/gtest.h"

namespace radixlm {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(HistogramTest, BucketsAreCumulative) {
  Histogram histogram({0.1, 1});
  histogram.Observe(0.05);
  histogram.Observe(0.5);
  histogram.Observe(5);
  std::string out;
  histogram.Render("h", "help", "m=\"x\"", out);
  EXPECT_TRUE(Has(out, "h_bucket{m=\"x\",le=\"0.1\"} 1\n")) << out;
  EXPECT_TRUE(Has(out, "h_bucket{m=\"x\",le=\"1\"} 2\n")) << out;
  EXPECT_TRUE(Has(out, "h_bucket{m=\"x\",le=\"+Inf\"} 3\n")) << out;
  EXPECT_TRUE(Has(out, "h_count{m=\"x\"} 3\n")) << out;
  EXPECT_TRUE(Has(out, "h_sum{m=\"x\"} 5.55\n")) << out;
  EXPECT_TRUE(Has(out, "# TYPE h histogram")) << out;
}

TEST(HistogramTest, WithoutLabelsHasNoLeadingComma) {
  Histogram histogram({1});
  histogram.Observe(2);
  std::string out;
  histogram.RenderSamples("h", "", out);
  EXPECT_TRUE(Has(out, "h_bucket{le=\"1\"} 0\n")) << out;
  EXPECT_TRUE(Has(out, "h_bucket{le=\"+Inf\"} 1\n")) << out;
  EXPECT_FALSE(Has(out, "# TYPE")) << out;
}

TEST(PrometheusTest, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(PrometheusTest, MetricHasHeaderAndSample) {
  std::string out;
  AppendMetric(out, "x_total", "counter", "Things.", "k=\"v\"", 3);
  EXPECT_EQ(out, "# HELP x_total Things.\n# TYPE x_total counter\nx_total{k=\"v\"} 3\n");
}

}  // namespace
}  // namespace radixlm
