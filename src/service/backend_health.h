// BackendHealth: what the service knows about one remote endpoint's health, and when to look
// again. Healthy endpoints are re-checked every `interval`; after the k-th failure in a row the
// next check waits min(backoff_max, backoff_initial * 2^(k-1)).
//
// Not thread-safe: the service guards each one with its health mutex.
#ifndef RADIXLM_SRC_SERVICE_BACKEND_HEALTH_H_
#define RADIXLM_SRC_SERVICE_BACKEND_HEALTH_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace radixlm::optimization::internal {

struct HealthTiming {
  absl::Duration interval = absl::Seconds(10);
  absl::Duration backoff_initial = absl::Milliseconds(500);
  absl::Duration backoff_max = absl::Seconds(30);
};

// The wait before the next check after `consecutive_failures` (>= 1) failures in a row.
absl::Duration HealthBackoff(std::int64_t consecutive_failures, const HealthTiming& timing);

class BackendHealth {
 public:
  explicit BackendHealth(HealthTiming timing) : timing_(timing) {}

  // Records a successful check or request at `now`; returns true when this ends an outage.
  bool RecordSuccess(absl::Time now);
  // Records a failed check or request; returns true when this starts an outage.
  bool RecordFailure(absl::Time now, const absl::Status& error);

  bool healthy() const { return healthy_; }
  std::int64_t consecutive_failures() const { return consecutive_failures_; }
  const std::string& last_error() const { return last_error_; }
  absl::Time last_checked() const { return last_checked_; }
  // When the background checker should look again.
  absl::Time next_check() const { return next_check_; }

 private:
  HealthTiming timing_;
  // Unknown endpoints count as healthy until a check or request says otherwise, so the first turn
  // tries them.
  bool healthy_ = true;
  std::int64_t consecutive_failures_ = 0;
  std::string last_error_;
  absl::Time last_checked_ = absl::InfinitePast();
  absl::Time next_check_ = absl::InfinitePast();
};

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_SERVICE_BACKEND_HEALTH_H_
