// The one place where an absl::Status becomes an HTTP status and an error body. SGLang answers
// errors in several shapes (shared/protocol/SGLANG_API.md §1.16) and clients match on them:
//   validation (bad JSON, wrong types, missing fields): 400
//       {"object":"error","message":…,"type":"Bad Request","param":null,"code":400}
//   OpenAI route ValueError (empty messages, over-long prompt):  400, same shape, "BadRequestError"
//   native route ValueError (/generate, sessions, abort):       400 {"error":{"message":…}}
//   queue full / unavailable: 503, OpenAI shape with "type":"503"; internal: 500
//   "InternalServerError" auth: 401 {"error":"Unauthorized"}
#ifndef RADIXLM_SRC_SERVER_ERRORS_H_
#define RADIXLM_SRC_SERVER_ERRORS_H_

#include <string_view>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "src/server/http_message.h"

namespace radixlm::server {

enum class ErrorShape {
  kOpenAi,  // top-level {"object":"error",...}
  kNative,  // {"error":{"message":...}}
};

// A request that does not have the shape the route expects (what pydantic rejects in SGLang):
// kInvalidArgument marked so that ErrorResponse() uses the validation shape on every route.
absl::Status ValidationError(std::string_view message);
bool IsValidationError(const absl::Status& status);

// kInvalidArgument/kFailedPrecondition/kOutOfRange → 400, kNotFound → 404, kUnauthenticated → 401,
// kPermissionDenied → 403, kResourceExhausted/kUnavailable → 503, kDeadlineExceeded → 504,
// kUnimplemented → 501, else 500. A radixlm::WithHttpStatus payload overrides the mapping.
int HttpStatusFor(const absl::Status& status);

// The JSON error body of `status` in `shape` (see the table above).
nlohmann::ordered_json ErrorBody(const absl::Status& status, ErrorShape shape);
HttpResponse ErrorResponse(const absl::Status& status, ErrorShape shape);

// The in-stream error event of an SSE response whose headers are already sent:
// {"error":{"object":"error","message":…,"type":…,"param":null,"code":N}} (§1.6, §1.10).
nlohmann::ordered_json StreamErrorBody(const absl::Status& status);

// Whether an aborted request's reason (GenerateResult::error) is a server-side failure (answered
// as an error) rather than a plain abort by a client (answered as finish_reason "abort"): the
// engine reports Abort() as OK or kCancelled.
bool IsServerFailure(const absl::Status& abort_reason);

// Serializes a response body; invalid UTF-8 (never expected, but model bytes are untrusted) is
// replaced rather than thrown.
std::string Dump(const nlohmann::ordered_json& value);

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_ERRORS_H_
