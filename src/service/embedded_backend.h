// EmbeddedBackend: a turn answered in-process by radixlm::engine::Engine — the chat template
// renders the messages, the engine's radix cache reuses the session's prefix.
#ifndef RADIXLM_SRC_SERVICE_EMBEDDED_BACKEND_H_
#define RADIXLM_SRC_SERVICE_EMBEDDED_BACKEND_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "radixlm/engine/engine.h"
#include "radixlm/optimization/config.h"
#include "src/service/backend.h"

namespace radixlm::optimization::internal {

class EmbeddedBackend final : public Backend {
 public:
  // Loads optimization.engine.model, or the built-in demo model (made on first use) when empty.
  static absl::StatusOr<std::unique_ptr<EmbeddedBackend>> Create(const EngineConfig& config);
  // Answers with `engine`, which the caller owns and keeps alive longer than the backend.
  static std::unique_ptr<EmbeddedBackend> Borrow(engine::Engine& engine);

  const std::string& name() const override { return name_; }
  absl::StatusOr<ChatReply> Chat(const ChatRequest& request, const TextCallback* on_text,
                                 const CallOptions& options, bool& text_delivered) override;
  absl::StatusOr<WarmOutcome> Warm(std::string_view prefix, const CallOptions& options) override;
  // In-process: healthy while loaded.
  absl::Status CheckHealth(const CallOptions& options) override;

 private:
  EmbeddedBackend(std::unique_ptr<engine::Engine> owned, engine::Engine& engine);
  // Tokens of `messages` rendered by the chat template.
  absl::StatusOr<std::vector<std::int32_t>> Render(const std::vector<sglang::Message>& messages,
                                                   bool add_generation_prompt) const;
  // Submits `request` and waits for its end, passing text to `on_text` on this thread.
  absl::StatusOr<engine::GenerateResult> Run(engine::GenerateRequest request,
                                             const TextCallback* on_text,
                                             const CallOptions& options, bool& text_delivered,
                                             absl::Duration& time_to_first_token);

  const std::string name_;
  std::unique_ptr<engine::Engine> owned_;  // null when borrowed
  engine::Engine* const engine_;
};

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_SERVICE_EMBEDDED_BACKEND_H_
