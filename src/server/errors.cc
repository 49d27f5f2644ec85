#include "src/server/errors.h"

#include <string>

#include "absl/strings/cord.h"
#include "radixlm/status.h"
#include "src/common/strings.h"

namespace radixlm::server {
namespace {
constexpr std::string_view kValidationPayload = "type.radixlm.dev/server_validation";

std::string TypeName(const absl::Status& status, int http_status) {
  if (IsValidationError(status)) return "Bad Request";
  switch (http_status) {
    case 400:
      return "BadRequestError";
    case 401:
      return "AuthenticationError";
    case 404:
      return "NotFoundError";
    case 500:
      return "InternalServerError";
    default:
      return std::to_string(http_status);  // SGLang's HTTPException: "503"
  }
}
}  // namespace

absl::Status ValidationError(std::string_view message) {
  absl::Status status = absl::InvalidArgumentError(std::string(message));
  status.SetPayload(ToAbsl(kValidationPayload), absl::Cord("1"));
  return status;
}

bool IsValidationError(const absl::Status& status) {
  return status.GetPayload(ToAbsl(kValidationPayload)).has_value();
}

int HttpStatusFor(const absl::Status& status) {
  if (std::optional<int> overridden = HttpStatusOf(status)) return *overridden;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kUnimplemented:
      return 501;
    default:
      return 500;
  }
}

nlohmann::ordered_json ErrorBody(const absl::Status& status, ErrorShape shape) {
  const int http_status = HttpStatusFor(status);
  std::string message(ToStd(status.message()));
  if (http_status == 401) return {{"error", "Unauthorized"}};
  if (http_status == 500 && message.rfind("Internal server error", 0) != 0) {
    message = StrCat("Internal server error: ", message);
  }
  if (shape == ErrorShape::kNative && http_status < 500 && !IsValidationError(status)) {
    return {{"error", {{"message", message}}}};
  }
  return {{"object", "error"},
          {"message", message},
          {"type", TypeName(status, http_status)},
          {"param", nullptr},
          {"code", http_status}};
}

HttpResponse ErrorResponse(const absl::Status& status, ErrorShape shape) {
  return {.status = HttpStatusFor(status), .body = Dump(ErrorBody(status, shape))};
}

nlohmann::ordered_json StreamErrorBody(const absl::Status& status) {
  nlohmann::ordered_json body = ErrorBody(status, ErrorShape::kOpenAi);
  if (!body.contains("object")) {
    body = {{"object", "error"},
            {"message", std::string(ToStd(status.message()))},
            {"type", TypeName(status, HttpStatusFor(status))},
            {"param", nullptr},
            {"code", HttpStatusFor(status)}};
  }
  return {{"error", body}};
}

bool IsServerFailure(const absl::Status& abort_reason) {
  return !abort_reason.ok() && abort_reason.code() != absl::StatusCode::kCancelled;
}

std::string Dump(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace radixlm::server
