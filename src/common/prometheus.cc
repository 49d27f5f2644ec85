#include "src/common/prometheus.h"

#include <algorithm>
#include <utility>

#include "fmt/format.h"

namespace radixlm {

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (const char c : value) {
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    if (c == '\\' || c == '"') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

void AppendMetricHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void AppendSample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += fmt::format("{}{{{}}} {}\n", name, labels, value);
}

void AppendMetric(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help, std::string_view labels, double value) {
  AppendMetricHeader(out, name, type, help);
  AppendSample(out, name, labels, value);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[static_cast<std::size_t>(bucket)];
  sum_ += value;
  ++count_;
}

void Histogram::Render(std::string_view name, std::string_view help, std::string_view labels,
                       std::string& out) const {
  AppendMetricHeader(out, name, "histogram", help);
  RenderSamples(name, labels, out);
}

void Histogram::RenderSamples(std::string_view name, std::string_view labels,
                              std::string& out) const {
  // `le` follows the other labels; with none, no leading comma.
  const std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, prefix, bounds_[i], cumulative);
  }
  cumulative += counts_.back();
  out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, prefix, cumulative);
  out += fmt::format("{}_sum{{{}}} {}\n{}_count{{{}}} {}\n", name, labels, sum_, name, labels,
                     count_);
}

}  // namespace radixlm
