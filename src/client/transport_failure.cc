#include "src/client/transport_failure.h"

#include <string>
#include <string_view>

#include "absl/strings/cord.h"
#include "src/common/strings.h"

namespace radixlm::sglang::internal {
namespace {
constexpr std::string_view kPayload = "type.radixlm.dev/transport_failure";
}  // namespace

absl::Status TransportFailure(TransportFailureKind kind, absl::Status status) {
  status.SetPayload(ToAbsl(kPayload), absl::Cord(std::string(1, static_cast<char>('0' + static_cast<int>(kind)))));
  return status;
}

std::optional<TransportFailureKind> TransportFailureOf(const absl::Status& status) {
  auto payload = status.GetPayload(ToAbsl(kPayload));
  if (!payload.has_value() || payload->size() != 1) return std::nullopt;
  const int value = std::string(*payload)[0] - '0';
  if (value < 0 || value > static_cast<int>(TransportFailureKind::kOther)) return std::nullopt;
  return static_cast<TransportFailureKind>(value);
}

}  // namespace radixlm::sglang::internal
