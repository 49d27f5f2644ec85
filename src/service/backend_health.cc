#include "src/service/backend_health.h"

#include <algorithm>

namespace radixlm::optimization::internal {

absl::Duration HealthBackoff(std::int64_t consecutive_failures, const HealthTiming& timing) {
  absl::Duration wait = timing.backoff_initial;
  for (std::int64_t i = 1; i < consecutive_failures && wait < timing.backoff_max; ++i) wait *= 2;
  return std::min(wait, timing.backoff_max);
}

bool BackendHealth::RecordSuccess(absl::Time now) {
  const bool recovered = !healthy_;
  healthy_ = true;
  consecutive_failures_ = 0;
  last_error_.clear();
  last_checked_ = now;
  next_check_ = now + timing_.interval;
  return recovered;
}

bool BackendHealth::RecordFailure(absl::Time now, const absl::Status& error) {
  const bool went_down = healthy_;
  healthy_ = false;
  ++consecutive_failures_;
  last_error_ = std::string(error.message());
  last_checked_ = now;
  next_check_ = now + HealthBackoff(consecutive_failures_, timing_);
  return went_down;
}

}  // namespace radixlm::optimization::internal
