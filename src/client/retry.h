// When to send a failed request again, and how long to wait first.
//
// Retried: a refused connection (the server never saw the request), HTTP 429 and 503 (the server
// declined it), and — only for idempotent requests — a connection reset or empty reply (the
// server may have seen it). Never retried: timeouts, other HTTP errors, malformed responses,
// cancellation, and a stream whose body already reached the caller.
#ifndef RADIXLM_SRC_CLIENT_RETRY_H_
#define RADIXLM_SRC_CLIENT_RETRY_H_

#include <optional>

#include "absl/random/bit_gen_ref.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radixlm/sglang/client_config.h"
#include "src/client/http_transport.h"

namespace radixlm::sglang::internal {

bool ShouldRetry(const absl::StatusOr<HttpResponse>& outcome, bool idempotent);

// Wait before retry number `retry` (1 = the first retry).
absl::Duration Backoff(const RetryPolicy& policy, int retry,
                       std::optional<absl::Duration> retry_after, absl::BitGenRef random);

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_RETRY_H_
