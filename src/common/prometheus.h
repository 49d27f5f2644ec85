// Prometheus text exposition (format 0.0.4): label escaping, sample lines and a cumulative
// histogram, shared by the server's /metrics and the optimization service's metrics.
#ifndef RADIXLM_SRC_COMMON_PROMETHEUS_H_
#define RADIXLM_SRC_COMMON_PROMETHEUS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace radixlm {

// A label value with `\`, `"` and newlines escaped as the format requires.
std::string EscapeLabelValue(std::string_view value);

// Appends the `# HELP` and `# TYPE` lines of metric `name`; written once per metric, before all
// of its samples.
void AppendMetricHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help);
// Appends `name{labels} value`; `labels` is the inside of the braces (may be empty).
void AppendSample(std::string& out, std::string_view name, std::string_view labels, double value);
// A metric with one sample: header + sample.
void AppendMetric(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help, std::string_view labels, double value);

// A cumulative Prometheus histogram with fixed upper bounds. Not thread-safe: the owner locks.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  // Appends the header and the _bucket, _sum and _count lines with label set `labels` (without
  // braces, e.g. model_name="m").
  void Render(std::string_view name, std::string_view help, std::string_view labels,
              std::string& out) const;
  // The same lines without the header, for a metric with several label sets.
  void RenderSamples(std::string_view name, std::string_view labels, std::string& out) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // counts_[i]: observations in (bounds_[i-1], bounds_[i]]
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace radixlm

#endif  // RADIXLM_SRC_COMMON_PROMETHEUS_H_
