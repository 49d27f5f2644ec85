#include "src/service/remote_backend.h"

#include <utility>

#include "absl/status/status.h"

namespace radixlm::optimization::internal {
namespace {

sglang::CompletionRequest ToCompletionRequest(const ChatRequest& request) {
  sglang::CompletionRequest completion;
  completion.messages = request.messages;
  completion.max_tokens = request.options.max_tokens;
  completion.temperature = request.options.temperature;
  completion.top_p = request.options.top_p;
  completion.seed = request.options.seed;
  completion.stop = request.options.stop;
  return completion;
}

ChatReply ToReply(const sglang::CompletionResponse& response) {
  ChatReply reply;
  reply.text = response.Text();
  if (!response.choices.empty()) reply.finish_reason = response.choices[0].finish_reason;
  reply.prompt_tokens = response.usage.prompt_tokens;
  reply.cached_tokens = response.usage.cached_tokens.value_or(0);
  reply.completion_tokens = response.usage.completion_tokens;
  return reply;
}

}  // namespace

RemoteBackend::RemoteBackend(const sglang::ClientConfig& config)
    : name_(config.base_url), client_(config) {}

absl::StatusOr<ChatReply> RemoteBackend::Chat(const ChatRequest& request,
                                              const TextCallback* on_text,
                                              const CallOptions& options, bool& text_delivered) {
  const sglang::CompletionRequest completion = ToCompletionRequest(request);
  const absl::Time start = absl::Now();
  if (on_text == nullptr) {
    absl::StatusOr<sglang::CompletionResponse> response = client_.Complete(completion, options);
    if (!response.ok()) return response.status();
    ChatReply reply = ToReply(*response);
    reply.time_to_first_token = absl::Now() - start;
    return reply;
  }
  absl::Duration time_to_first_token = absl::ZeroDuration();
  absl::StatusOr<sglang::CompletionResponse> response = client_.CompleteStream(
      completion,
      [&](const sglang::CompletionDelta& delta) {
        if (delta.content.empty()) return true;
        if (!text_delivered) time_to_first_token = absl::Now() - start;
        text_delivered = true;
        return (*on_text)(delta.content);
      },
      options);
  if (!response.ok()) return response.status();
  if (response->stopped_by_caller) {
    return absl::CancelledError("the turn was stopped by its text callback");
  }
  ChatReply reply = ToReply(*response);
  reply.time_to_first_token = text_delivered ? time_to_first_token : absl::Now() - start;
  return reply;
}

absl::StatusOr<WarmOutcome> RemoteBackend::Warm(std::string_view prefix,
                                                const CallOptions& options) {
  absl::StatusOr<sglang::WarmResult> warmed =
      client_.WarmPrefix(prefix, sglang::WarmMode::kSystemPrompt, options);
  if (!warmed.ok()) return warmed.status();
  WarmOutcome outcome;
  outcome.prefix = std::string(prefix);
  outcome.backend = name_;
  outcome.prompt_tokens = warmed->prompt_tokens;
  outcome.cached_tokens = warmed->cached_tokens.value_or(0);
  return outcome;
}

absl::Status RemoteBackend::CheckHealth(const CallOptions& options) {
  return client_.Health(options).status();
}

}  // namespace radixlm::optimization::internal
