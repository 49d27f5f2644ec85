#include "src/client/retry.h"

#include <algorithm>
#include <cmath>

#include "src/client/transport_failure.h"

namespace radixlm::sglang::internal {

bool ShouldRetry(const absl::StatusOr<HttpResponse>& outcome, bool idempotent) {
  if (outcome.ok()) {
    if (outcome->streamed_bytes > 0) return false;
    return outcome->status == 429 || outcome->status == 503;
  }
  std::optional<TransportFailureKind> kind = TransportFailureOf(outcome.status());
  if (!kind.has_value()) return false;
  switch (*kind) {
    case TransportFailureKind::kRefused:
      return true;
    case TransportFailureKind::kReset:
      return idempotent;
    case TransportFailureKind::kOther:
      return false;
  }
  return false;
}

absl::Duration Backoff(const RetryPolicy& policy, int retry,
                       std::optional<absl::Duration> retry_after, absl::BitGenRef random) {
  if (retry_after.has_value() && policy.honor_retry_after) {
    return std::min(*retry_after, policy.max_backoff);
  }
  const double growth = std::pow(std::max(1.0, policy.multiplier), std::max(0, retry - 1));
  absl::Duration base = std::min(policy.initial_backoff * growth, policy.max_backoff);
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double factor = absl::Uniform(random, 1.0 - jitter, 1.0 + jitter);
  return jitter > 0 ? base * factor : base;
}

}  // namespace radixlm::sglang::internal
