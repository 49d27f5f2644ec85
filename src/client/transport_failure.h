// Why an HTTP exchange failed below the HTTP level, kept on the Status so the retry policy can tell
// a refused connection (never reached the server: always safe to repeat) from a reset one (the
// server may have processed the request: safe only for idempotent requests).
#ifndef RADIXLM_SRC_CLIENT_TRANSPORT_FAILURE_H_
#define RADIXLM_SRC_CLIENT_TRANSPORT_FAILURE_H_

#include <optional>

#include "absl/status/status.h"

namespace radixlm::sglang::internal {

enum class TransportFailureKind { kRefused, kReset, kOther };

// Returns `status` tagged with `kind`.
absl::Status TransportFailure(TransportFailureKind kind, absl::Status status);
// The tag set by TransportFailure(), if any.
std::optional<TransportFailureKind> TransportFailureOf(const absl::Status& status);

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_TRANSPORT_FAILURE_H_
