// radixlm/status.h — how radixlm reports errors.
//
// Every fallible radixlm call returns absl::Status or absl::StatusOr<T>; no exception crosses the
// public API. The canonical code says what kind of failure it was (docs/ERRORS.md has the table):
//
//   kUnavailable        the server could not be reached (refused, DNS, reset) or answered 503
//   kDeadlineExceeded   the connect timeout, total timeout or CallOptions deadline fired
//   kInvalidArgument    the caller passed something invalid, or the server answered 400
//   kNotFound           unknown session id, or the server answered 404
//   kAlreadyExists      CreateSession on an id that exists (without replace_existing)
//   kDataLoss           the server's response was malformed (truncated JSON, not JSON, bad SSE)
//   kResourceExhausted  HTTP 429, or a response larger than ClientConfig::max_response_bytes
//   kCancelled          the caller's cancellation token fired
//   other               HTTP errors map by status (401 kUnauthenticated, 403 kPermissionDenied, 5xx
//                       kInternal ...)
//
// Errors that came from an HTTP response carry the status code as a payload; HttpStatusOf() reads it.
// The message always holds the server's own error text when it sent one.
//
// Thread safety: all functions here are pure.
#ifndef RADIXLM_STATUS_H_
#define RADIXLM_STATUS_H_

#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace radixlm {

// HttpStatusOf() returns the HTTP status code of the response that caused `status`, or nullopt
// when the error did not come from an HTTP response (refused connection, timeout, bad argument).
std::optional<int> HttpStatusOf(const absl::Status& status);

// WithHttpStatus() returns `status` with `http_status` attached as a payload.
absl::Status WithHttpStatus(absl::Status status, int http_status);

}  // namespace radixlm

#endif  // RADIXLM_STATUS_H_
