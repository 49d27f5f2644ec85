// RemoteBackend: a turn answered by an SGLang (or radixlm serve) endpoint through sglang::Client's
// OpenAI-compatible chat route, which reports cached_tokens.
#ifndef RADIXLM_SRC_SERVICE_REMOTE_BACKEND_H_
#define RADIXLM_SRC_SERVICE_REMOTE_BACKEND_H_

#include <string>

#include "radixlm/sglang/client.h"
#include "radixlm/sglang/client_config.h"
#include "src/service/backend.h"

namespace radixlm::optimization::internal {

class RemoteBackend final : public Backend {
 public:
  // `config.base_url` is the endpoint and the backend's name.
  explicit RemoteBackend(const sglang::ClientConfig& config);

  const std::string& name() const override { return name_; }
  absl::StatusOr<ChatReply> Chat(const ChatRequest& request, const TextCallback* on_text,
                                 const CallOptions& options, bool& text_delivered) override;
  absl::StatusOr<WarmOutcome> Warm(std::string_view prefix, const CallOptions& options) override;
  absl::Status CheckHealth(const CallOptions& options) override;

 private:
  const std::string name_;
  sglang::Client client_;
};

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_SERVICE_REMOTE_BACKEND_H_
