#include "src/service/embedded_backend.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/maker/demo_model.h"

namespace radixlm::optimization::internal {
namespace {

// What the scheduler thread hands to the waiting caller.
struct RunState {
  std::mutex mutex;
  std::condition_variable cv;
  std::string pending_text;                      // guarded by mutex
  std::optional<engine::GenerateResult> result;  // guarded by mutex
};

void ApplyTurnOptions(const TurnOptions& options, engine::SamplingParams& sampling) {
  if (options.max_tokens.has_value()) sampling.max_new_tokens = *options.max_tokens;
  if (options.temperature.has_value()) sampling.temperature = *options.temperature;
  if (options.top_p.has_value()) sampling.top_p = *options.top_p;
  if (options.seed.has_value()) sampling.seed = static_cast<std::uint64_t>(*options.seed);
  sampling.stop = options.stop;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EmbeddedBackend>> EmbeddedBackend::Create(
    const EngineConfig& config) {
  engine::EngineOptions options;
  if (config.model.empty()) {
    absl::StatusOr<std::string> demo = engine::EnsureDemoModel();
    if (!demo.ok()) return demo.status();
    options.model_dir = *demo;
  } else {
    options.model_dir = config.model;
  }
  options.threads = config.threads;
  options.weight_type = config.weight_type;
  options.max_kv_tokens = config.max_kv_tokens;
  options.context_length = config.context_length;
  absl::StatusOr<std::unique_ptr<engine::Engine>> engine = engine::Engine::Create(options);
  if (!engine.ok()) {
    return absl::Status(engine.status().code(),
                        StrCat("optimization.engine.model: ", engine.status().message()));
  }
  engine::Engine& loaded = **engine;
  return std::unique_ptr<EmbeddedBackend>(new EmbeddedBackend(*std::move(engine), loaded));
}

std::unique_ptr<EmbeddedBackend> EmbeddedBackend::Borrow(engine::Engine& engine) {
  return std::unique_ptr<EmbeddedBackend>(new EmbeddedBackend(nullptr, engine));
}

EmbeddedBackend::EmbeddedBackend(std::unique_ptr<engine::Engine> owned, engine::Engine& engine)
    : name_(kEmbeddedBackend), owned_(std::move(owned)), engine_(&engine) {}

absl::StatusOr<std::vector<std::int32_t>> EmbeddedBackend::Render(
    const std::vector<sglang::Message>& messages, bool add_generation_prompt) const {
  nlohmann::ordered_json rendered_messages = nlohmann::ordered_json::array();
  for (const sglang::Message& message : messages) {
    rendered_messages.push_back({{"role", message.role}, {"content", message.content}});
  }
  absl::StatusOr<std::string> text =
      engine_->ApplyChatTemplate(rendered_messages, nullptr, add_generation_prompt);
  if (!text.ok()) return text.status();
  // The template writes BOS itself where the model wants one.
  return engine_->Tokenize(*text, /*add_special_tokens=*/false);
}

absl::StatusOr<engine::GenerateResult> EmbeddedBackend::Run(engine::GenerateRequest request,
                                                            const TextCallback* on_text,
                                                            const CallOptions& options,
                                                            bool& text_delivered,
                                                            absl::Duration& time_to_first_token) {
  auto state = std::make_shared<RunState>();
  engine::RequestCallbacks callbacks;
  callbacks.on_delta = [state](const engine::GenerateDelta& delta) {
    if (delta.text.empty()) return;
    std::lock_guard<std::mutex> lock(state->mutex);
    state->pending_text += delta.text;
    state->cv.notify_all();
  };
  callbacks.on_done = [state](const engine::GenerateResult& result) {
    std::lock_guard<std::mutex> lock(state->mutex);
    state->result = result;
    state->cv.notify_all();
  };
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> rid = engine_->Submit(std::move(request), std::move(callbacks));
  if (!rid.ok()) return rid.status();

  // Wakes the wait below when the caller cancels; registered before the lock is taken because a
  // token that is already cancelled runs the callback right here.
  std::stop_callback wake_on_cancel(options.cancel, [&state] {
    std::lock_guard<std::mutex> lock(state->mutex);
    state->cv.notify_all();
  });
  absl::Status abort_reason;
  std::unique_lock<std::mutex> lock(state->mutex);
  while (true) {
    if (!state->pending_text.empty()) {
      std::string text = std::move(state->pending_text);
      state->pending_text.clear();
      if (on_text != nullptr && abort_reason.ok()) {
        lock.unlock();
        if (!text_delivered) time_to_first_token = absl::Now() - start;
        text_delivered = true;
        const bool go_on = (*on_text)(text);
        lock.lock();
        if (!go_on) {
          abort_reason = absl::CancelledError("the turn was stopped by its text callback");
          engine_->Abort(*rid);
        }
      }
      continue;
    }
    if (state->result.has_value()) break;
    if (abort_reason.ok() && options.cancel.stop_requested()) {
      abort_reason = absl::CancelledError("the turn was cancelled");
      engine_->Abort(*rid);
    }
    if (abort_reason.ok() && absl::Now() >= options.deadline) {
      abort_reason = absl::DeadlineExceededError("the turn's deadline passed before the reply ended");
      engine_->Abort(*rid);
    }
    if (abort_reason.ok() && options.deadline != absl::InfiniteFuture()) {
      state->cv.wait_until(lock, absl::ToChronoTime(options.deadline));
    } else {
      state->cv.wait(lock);
    }
  }
  engine::GenerateResult result = std::move(*state->result);
  if (!abort_reason.ok()) return abort_reason;
  if (result.finish_reason == engine::FinishReason::kAbort) {
    return result.error.ok() ? absl::AbortedError("the embedded engine aborted the turn")
                             : result.error;
  }
  if (!text_delivered) time_to_first_token = result.time_to_first_token;
  return result;
}

absl::StatusOr<ChatReply> EmbeddedBackend::Chat(const ChatRequest& request,
                                                const TextCallback* on_text,
                                                const CallOptions& options,
                                                bool& text_delivered) {
  absl::StatusOr<std::vector<std::int32_t>> prompt = Render(request.messages, true);
  if (!prompt.ok()) return prompt.status();
  engine::GenerateRequest generate;
  generate.input_ids = *std::move(prompt);
  generate.sampling = engine_->DefaultSamplingParams();
  ApplyTurnOptions(request.options, generate.sampling);
  absl::Duration time_to_first_token;
  absl::StatusOr<engine::GenerateResult> result =
      Run(std::move(generate), on_text, options, text_delivered, time_to_first_token);
  if (!result.ok()) return result.status();
  ChatReply reply;
  reply.text = std::move(result->text);
  reply.finish_reason = std::string(engine::FinishReasonName(result->finish_reason));
  reply.prompt_tokens = result->prompt_tokens;
  reply.cached_tokens = result->cached_tokens;
  reply.completion_tokens = result->completion_tokens;
  reply.time_to_first_token = time_to_first_token;
  return reply;
}

absl::StatusOr<WarmOutcome> EmbeddedBackend::Warm(std::string_view prefix,
                                                  const CallOptions& options) {
  // A system message without the generation prompt: exactly the bytes that sessions with this
  // system prompt start with after the chat template.
  absl::StatusOr<std::vector<std::int32_t>> prompt =
      Render({{.role = "system", .content = std::string(prefix)}}, false);
  if (!prompt.ok()) return prompt.status();
  engine::GenerateRequest generate;
  generate.input_ids = *std::move(prompt);
  generate.sampling = engine_->DefaultSamplingParams();
  generate.sampling.max_new_tokens = 0;
  bool text_delivered = false;
  absl::Duration time_to_first_token;
  absl::StatusOr<engine::GenerateResult> result =
      Run(std::move(generate), nullptr, options, text_delivered, time_to_first_token);
  if (!result.ok()) return result.status();
  WarmOutcome outcome;
  outcome.prefix = std::string(prefix);
  outcome.backend = name_;
  outcome.prompt_tokens = result->prompt_tokens;
  outcome.cached_tokens = result->cached_tokens;
  return outcome;
}

absl::Status EmbeddedBackend::CheckHealth(const CallOptions& /*options*/) {
  return absl::OkStatus();
}

}  // namespace radixlm::optimization::internal
