#include "src/service/service_metrics.h"

#include "src/common/strings.h"

namespace radixlm::optimization::internal {
namespace {

// Seconds; the upper buckets cover CPU fallback turns of long replies.
std::vector<double> LatencyBuckets() {
  return {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250};
}

std::string BackendLabel(std::string_view backend) {
  return StrCat("backend=\"", EscapeLabelValue(backend), "\"");
}

}  // namespace

ServiceMetrics::PerBackend::PerBackend()
    : latency(LatencyBuckets()), time_to_first_token(LatencyBuckets()) {}

ServiceMetrics::PerBackend& ServiceMetrics::For(std::string_view backend) {
  auto it = backends_.find(backend);
  if (it == backends_.end()) it = backends_.try_emplace(std::string(backend)).first;
  return it->second;
}

void ServiceMetrics::ObserveTurn(std::string_view backend, std::int64_t prompt_tokens,
                                 std::int64_t cached_tokens, absl::Duration time_to_first_token,
                                 absl::Duration latency) {
  std::lock_guard<std::mutex> lock(mutex_);
  PerBackend& metrics = For(backend);
  ++metrics.turns_ok;
  metrics.prompt_tokens += prompt_tokens;
  metrics.cached_tokens += cached_tokens;
  metrics.latency.Observe(absl::ToDoubleSeconds(latency));
  metrics.time_to_first_token.Observe(absl::ToDoubleSeconds(time_to_first_token));
}

void ServiceMetrics::ObserveFailedTurn(std::string_view backend) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++For(backend).turns_failed;
}

void ServiceMetrics::ObserveFallback() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++fallbacks_;
}

void ServiceMetrics::ObserveSwitch(std::string_view from, std::string_view to) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++switches_[{std::string(from), std::string(to)}];
}

void ServiceMetrics::ObservePrefixWarmed(std::string_view backend) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++For(backend).prefixes_warmed;
}

std::int64_t ServiceMetrics::backend_switches() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::int64_t total = 0;
  for (const auto& [pair, count] : switches_) total += count;
  return total;
}

std::int64_t ServiceMetrics::prefixes_warmed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::int64_t total = 0;
  for (const auto& [name, metrics] : backends_) total += metrics.prefixes_warmed;
  return total;
}

std::string ServiceMetrics::Render(const std::vector<std::pair<std::string, bool>>& health,
                                   std::size_t sessions) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  AppendMetricHeader(out, "radixlm_service_turns_total", "counter",
                     "Session turns by backend and outcome.");
  for (const auto& [name, metrics] : backends_) {
    AppendSample(out, "radixlm_service_turns_total", StrCat(BackendLabel(name), ",outcome=\"ok\""),
                 static_cast<double>(metrics.turns_ok));
    AppendSample(out, "radixlm_service_turns_total",
                 StrCat(BackendLabel(name), ",outcome=\"error\""),
                 static_cast<double>(metrics.turns_failed));
  }
  AppendMetricHeader(out, "radixlm_service_prompt_tokens_total", "counter",
                     "Prompt tokens of completed turns.");
  for (const auto& [name, metrics] : backends_) {
    AppendSample(out, "radixlm_service_prompt_tokens_total", BackendLabel(name),
                 static_cast<double>(metrics.prompt_tokens));
  }
  AppendMetricHeader(out, "radixlm_service_cached_tokens_total", "counter",
                     "Prompt tokens the backend's prefix cache supplied.");
  for (const auto& [name, metrics] : backends_) {
    AppendSample(out, "radixlm_service_cached_tokens_total", BackendLabel(name),
                 static_cast<double>(metrics.cached_tokens));
  }
  AppendMetricHeader(out, "radixlm_service_computed_tokens_total", "counter",
                     "Prompt tokens the backend had to compute (prompt - cached).");
  for (const auto& [name, metrics] : backends_) {
    AppendSample(out, "radixlm_service_computed_tokens_total", BackendLabel(name),
                 static_cast<double>(metrics.prompt_tokens - metrics.cached_tokens));
  }
  AppendMetricHeader(out, "radixlm_service_prefixes_warmed_total", "counter",
                     "Prefixes warmed into a backend's cache.");
  for (const auto& [name, metrics] : backends_) {
    AppendSample(out, "radixlm_service_prefixes_warmed_total", BackendLabel(name),
                 static_cast<double>(metrics.prefixes_warmed));
  }
  AppendMetricHeader(out, "radixlm_service_turn_latency_seconds", "histogram",
                     "Time from a turn's start to its complete reply.");
  for (const auto& [name, metrics] : backends_) {
    metrics.latency.RenderSamples("radixlm_service_turn_latency_seconds", BackendLabel(name), out);
  }
  AppendMetricHeader(out, "radixlm_service_time_to_first_token_seconds", "histogram",
                     "Time from a turn's start to its first reply text.");
  for (const auto& [name, metrics] : backends_) {
    metrics.time_to_first_token.RenderSamples("radixlm_service_time_to_first_token_seconds",
                                              BackendLabel(name), out);
  }
  AppendMetric(out, "radixlm_service_fallback_turns_total", "counter",
               "Turns the embedded engine served because no remote endpoint could.", "",
               static_cast<double>(fallbacks_));
  AppendMetricHeader(out, "radixlm_service_backend_switches_total", "counter",
                     "Times the serving backend changed.");
  for (const auto& [pair, count] : switches_) {
    AppendSample(out, "radixlm_service_backend_switches_total",
                 StrCat("from=\"", EscapeLabelValue(pair.first), "\",to=\"",
                        EscapeLabelValue(pair.second), "\""),
                 static_cast<double>(count));
  }
  AppendMetricHeader(out, "radixlm_service_backend_healthy", "gauge",
                     "1 when the backend answered its last health check or request.");
  for (const auto& [name, healthy] : health) {
    AppendSample(out, "radixlm_service_backend_healthy", BackendLabel(name), healthy ? 1 : 0);
  }
  AppendMetric(out, "radixlm_service_sessions", "gauge", "Sessions kept now.", "",
               static_cast<double>(sessions));
  return out;
}

}  // namespace radixlm::optimization::internal
