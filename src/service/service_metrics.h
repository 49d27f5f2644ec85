// ServiceMetrics: the optimization service's Prometheus series (radixlm_service_*), per backend:
// turns by outcome, tokens cached vs computed, latency and time-to-first-token histograms, warmed
// prefixes; and for the service: fallback turns, backend switches, health, sessions.
//
// Thread safety: every method may be called concurrently.
#ifndef RADIXLM_SRC_SERVICE_SERVICE_METRICS_H_
#define RADIXLM_SRC_SERVICE_SERVICE_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "src/common/prometheus.h"

namespace radixlm::optimization::internal {

class ServiceMetrics {
 public:
  ServiceMetrics() = default;

  void ObserveTurn(std::string_view backend, std::int64_t prompt_tokens,
                   std::int64_t cached_tokens, absl::Duration time_to_first_token,
                   absl::Duration latency);
  void ObserveFailedTurn(std::string_view backend);
  // A turn the embedded engine served because no remote endpoint could.
  void ObserveFallback();
  void ObserveSwitch(std::string_view from, std::string_view to);
  void ObservePrefixWarmed(std::string_view backend);

  std::int64_t backend_switches() const;
  std::int64_t prefixes_warmed() const;

  // `health`: (backend, healthy) at render time; `sessions`: sessions kept now.
  std::string Render(const std::vector<std::pair<std::string, bool>>& health,
                     std::size_t sessions) const;

 private:
  struct PerBackend {
    std::int64_t turns_ok = 0;
    std::int64_t turns_failed = 0;
    std::int64_t prompt_tokens = 0;
    std::int64_t cached_tokens = 0;
    std::int64_t prefixes_warmed = 0;
    Histogram latency;
    Histogram time_to_first_token;
    PerBackend();
  };
  PerBackend& For(std::string_view backend);  // requires mutex_

  mutable std::mutex mutex_;
  std::map<std::string, PerBackend, std::less<>> backends_;                // guarded by mutex_
  std::map<std::pair<std::string, std::string>, std::int64_t> switches_;  // guarded by mutex_
  std::int64_t fallbacks_ = 0;                                             // guarded by mutex_
};

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_SERVICE_SERVICE_METRICS_H_
