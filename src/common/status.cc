#include "radixlm/status.h"

#include <charconv>
#include <string>

#include "absl/strings/cord.h"
#include "src/common/strings.h"

namespace radixlm {
namespace {
// Type URL of the payload that carries the HTTP status code of a failed response.
constexpr std::string_view kHttpStatusPayload = "type.radixlm.dev/http_status";
}  // namespace

std::optional<int> HttpStatusOf(const absl::Status& status) {
  auto payload = status.GetPayload(ToAbsl(kHttpStatusPayload));
  if (!payload.has_value()) return std::nullopt;
  std::string text(*payload);
  int code = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return code;
}

absl::Status WithHttpStatus(absl::Status status, int http_status) {
  status.SetPayload(ToAbsl(kHttpStatusPayload), absl::Cord(std::to_string(http_status)));
  return status;
}

}  // namespace radixlm
