// Backend: one place a turn can be answered — a remote SGLang endpoint or the embedded engine.
// The service chooses among backends; a backend only answers, warms and reports its health.
#ifndef RADIXLM_SRC_SERVICE_BACKEND_H_
#define RADIXLM_SRC_SERVICE_BACKEND_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radixlm/call_options.h"
#include "radixlm/optimization/service.h"
#include "radixlm/sglang/types.h"

namespace radixlm::optimization::internal {

// A turn as a backend receives it: system prompt (if any), the carried history, the new message.
struct ChatRequest {
  std::vector<sglang::Message> messages;
  TurnOptions options;
};

struct ChatReply {
  std::string text;
  std::string finish_reason;
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t completion_tokens = 0;
  absl::Duration time_to_first_token;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // An endpoint URL or kEmbeddedBackend.
  virtual const std::string& name() const = 0;
  // Answers `request`, streaming text through `on_text` when it is not null. Sets `text_delivered`
  // once any text reached `on_text`: after that a failure must not be retried elsewhere, since the
  // caller has seen part of this reply. A stop asked by `on_text` is kCancelled.
  virtual absl::StatusOr<ChatReply> Chat(const ChatRequest& request, const TextCallback* on_text,
                                         const CallOptions& options, bool& text_delivered) = 0;
  // Runs `prefix` as a system prompt so the backend's prefix cache holds it.
  virtual absl::StatusOr<WarmOutcome> Warm(std::string_view prefix,
                                           const CallOptions& options) = 0;
  // OK when the backend can answer now.
  virtual absl::Status CheckHealth(const CallOptions& options) = 0;
};

// Whether a failed call means "this backend cannot be reached or is not serving" — the failures
// after which another backend may take the turn — rather than a problem with the request.
// `options` tells a deadline of the caller (not retried) from the backend's own timeout (a hung
// server, retried).
bool IsUnreachable(const absl::Status& status, const CallOptions& options);

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_SERVICE_BACKEND_H_
