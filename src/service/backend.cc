#include "src/service/backend.h"

namespace radixlm::optimization::internal {

bool IsUnreachable(const absl::Status& status, const CallOptions& options) {
  if (absl::IsUnavailable(status)) return true;
  // The backend's own timeout ran out (a hung server), not the caller's deadline or cancellation.
  return absl::IsDeadlineExceeded(status) && absl::Now() < options.deadline &&
         !options.cancel.stop_requested();
}

}  // namespace radixlm::optimization::internal
