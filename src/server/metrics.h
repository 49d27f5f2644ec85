// Metrics: the Prometheus text of GET /metrics, with SGLang's metric names where SGLang has one
// (protocol §1.15): gauges read from Engine::stats() at scrape time, counters from the engine's
// totals, and latency histograms the server observes as requests finish. Every series carries
// the label model_name="<served model name>", as SGLang's do.
//
// Thread safety: ObserveFinished() runs on the engine thread and Render() on an I/O thread; the
// histograms are guarded by a mutex.
#ifndef RADIXLM_SRC_SERVER_METRICS_H_
#define RADIXLM_SRC_SERVER_METRICS_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "radixlm/engine/engine.h"
#include "src/common/prometheus.h"

namespace radixlm::server {

class Metrics {
 public:
  explicit Metrics(const std::string& model_name);

  // A request finished (any reason); `e2e` is submit → finish as the server saw it.
  void ObserveFinished(const engine::GenerateResult& result, absl::Duration e2e);

  // Renders every series. `http_requests_active`: generation requests in flight.
  std::string Render(const engine::EngineStats& stats, const engine::EngineModelInfo& info,
                     std::int64_t http_requests_active) const;

 private:
  const std::string labels_;
  mutable std::mutex mutex_;
  Histogram time_to_first_token_;   // guarded by mutex_
  Histogram e2e_latency_;           // guarded by mutex_
  Histogram queue_time_;            // guarded by mutex_
  Histogram inter_token_latency_;   // guarded by mutex_
  Histogram prompt_tokens_;         // guarded by mutex_
  Histogram generation_tokens_;     // guarded by mutex_
  double last_cache_hit_rate_ = 0;  // guarded by mutex_: of the last finished request
};

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_METRICS_H_
