#include "src/client/http_error.h"
#include "src/common/strings.h"

#include "nlohmann/json.hpp"
#include "radixlm/status.h"

namespace radixlm::sglang::internal {
namespace {

constexpr size_t kMaxQuotedBody = 512;

std::string MessageOf(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object()) {
    if (auto it = value.find("message"); it != value.end() && it->is_string()) {
      return it->get<std::string>();
    }
    if (auto it = value.find("error"); it != value.end()) return MessageOf(*it);
    if (auto it = value.find("detail"); it != value.end()) {
      return it->is_string() ? it->get<std::string>() : it->dump();
    }
  }
  return "";
}

absl::StatusCode CodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
    case 413:
    case 422:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 408:
    case 504:
      return absl::StatusCode::kDeadlineExceeded;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 501:
      return absl::StatusCode::kUnimplemented;
    case 502:
    case 503:
      return absl::StatusCode::kUnavailable;
    default:
      return http_status >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kUnknown;
  }
}

}  // namespace

std::string ServerErrorMessage(std::string_view body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded()) {
    std::string message = MessageOf(parsed);
    if (!message.empty()) return message;
  }
  std::string text(radixlm::StripAsciiWhitespace(body));
  if (text.size() > kMaxQuotedBody) {
    text = radixlm::StrCat(text.substr(0, kMaxQuotedBody), "... (", body.size(), " bytes)");
  }
  return text;
}

absl::Status StatusFromHttpError(int http_status, std::string_view body, std::string_view what) {
  std::string message = ServerErrorMessage(body);
  std::string text = radixlm::StrCat(what, ": HTTP ", http_status);
  if (!message.empty()) absl::StrAppend(&text, ": ", message);
  if (http_status == 401) absl::StrAppend(&text, " (check optimization.sglang.api_key)");
  return WithHttpStatus(absl::Status(CodeForHttpStatus(http_status), text), http_status);
}

}  // namespace radixlm::sglang::internal
