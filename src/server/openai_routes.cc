#include "src/server/openai_routes.h"

#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "src/common/strings.h"
#include "src/server/errors.h"
#include "src/server/openai_request.h"
#include "src/server/openai_response.h"
#include "src/server/sse.h"

namespace radixlm::server {
namespace {

// One prompt ready for the engine.
struct PreparedPrompt {
  std::vector<std::int32_t> input_ids;
  engine::SamplingParams sampling;
  std::string echo_prefix;
  std::string rid;
};

// Shared by the callbacks of one OpenAI call. Streaming events produced before the response
// headers are sent (the engine may answer while later prompts are still being submitted) wait in
// `buffered`, so that a failed submission can still be answered with a plain HTTP error, as SGLang
// does (it awaits the first chunk before sending headers).
struct OpenAiState {
  OpenAiState(ServerContext& context_ref, OpenAiCall parsed, OpenAiIdentity id,
              std::vector<PreparedPrompt> prepared, std::shared_ptr<Responder> out)
      : context(context_ref),
        call(std::move(parsed)),
        identity(std::move(id)),
        prompts(std::move(prepared)),
        responder(std::move(out)),
        results(prompts.size()),
        counts(prompts.size()) {}

  ServerContext& context;
  const OpenAiCall call;
  const OpenAiIdentity identity;
  const std::vector<PreparedPrompt> prompts;
  const std::shared_ptr<Responder> responder;

  std::mutex mutex;
  bool headers_sent = false;                                   // guarded by mutex
  std::vector<std::string> buffered;                           // guarded by mutex
  std::vector<std::optional<engine::GenerateResult>> results;  // guarded by mutex
  absl::Status error;                                          // guarded by mutex
  std::size_t pending = 0;                                     // guarded by mutex
  std::vector<TokenCounts> counts;  // item i's is touched only by item i's callbacks
  std::vector<std::int64_t> text_offsets = std::vector<std::int64_t>(prompts.size(), 0);

  TokenTextFn TokenText() const {
    return [this](std::int32_t token) { return context.TokenText(token); };
  }

  void Emit(std::string event) {
    std::lock_guard lock(mutex);
    if (headers_sent) {
      responder->Write(std::move(event));
    } else {
      buffered.push_back(std::move(event));
    }
  }

  // Every prompt was submitted: send the headers and what was produced so far.
  void OpenStream() {
    std::lock_guard lock(mutex);
    if (!error.ok()) return;
    responder->BeginStream(200, std::string(kSseContentType));
    for (std::string& event : buffered) responder->Write(std::move(event));
    buffered.clear();
    headers_sent = true;
  }

  void Fail(absl::Status status) {
    std::lock_guard lock(mutex);
    if (error.ok()) error = std::move(status);
  }

  void Done() {
    std::lock_guard lock(mutex);
    if (--pending != 0) return;
    if (call.stream && headers_sent) {
      if (!error.ok()) {
        responder->Write(SseEvent(StreamErrorBody(error)));
      } else if (call.include_usage) {
        TokenCounts total;
        for (const TokenCounts& item : counts) {
          total.prompt_tokens += item.prompt_tokens;
          total.completion_tokens += item.completion_tokens;
          total.cached_tokens += item.cached_tokens;
        }
        responder->Write(SseEvent(UsageChunk(identity, call.chat, total)));
      }
      responder->Write(std::string(kSseDone));
      responder->EndStream();
      return;
    }
    if (!error.ok()) return responder->Send(ErrorResponse(error, ErrorShape::kOpenAi));
    if (call.chat) {
      return responder->Send(
          {.body = Dump(ChatCompletionJson(call, identity, *results[0], TokenText()))});
    }
    std::vector<CompletionChoiceResult> choices;
    for (std::size_t i = 0; i < results.size(); ++i) {
      choices.push_back(
          {prompts[i].echo_prefix, *std::move(results[i]), prompts[i].input_ids.front()});
    }
    responder->Send({.body = Dump(CompletionJson(call, identity, choices, TokenText()))});
  }
};

std::optional<TokenCounts> ContinuousUsage(const OpenAiState& state, std::size_t i) {
  if (!state.call.continuous_usage_stats) return std::nullopt;
  return state.counts[i];
}

// The first chunk of an echoed stream with logprobs carries the prompt's (the prompt text itself
// went out before the engine started).
std::optional<EchoedPromptLogprobs> EchoedPrompt(const OpenAiState& state, std::size_t i,
                                                 const engine::GenerateDelta& delta) {
  if (!state.call.echo || !delta.cached_tokens.has_value()) return std::nullopt;
  return EchoedPromptLogprobs{state.prompts[i].input_ids.front(), &delta.prompt_logprobs};
}

void OnDelta(OpenAiState& state, std::size_t i, const engine::GenerateDelta& delta) {
  TokenCounts& counts = state.counts[i];
  counts.completion_tokens += static_cast<std::int64_t>(delta.token_ids.size());
  if (delta.cached_tokens.has_value()) counts.cached_tokens = *delta.cached_tokens;
  if (!state.call.stream) return;
  if (delta.text.empty() && delta.logprobs.empty()) return;
  const OpenAiCall& call = state.call;
  if (call.chat) {
    Json logprobs = call.logprobs ? ChatLogprobsJson(delta.logprobs, state.TokenText()) : nullptr;
    state.Emit(SseEvent(
        ChatContentChunk(state.identity, delta.text, logprobs, ContinuousUsage(state, i))));
    return;
  }
  Json logprobs = call.logprobs ? CompletionLogprobsJson(delta.logprobs, call.top_logprobs,
                                                         state.text_offsets[i], state.TokenText(),
                                                         EchoedPrompt(state, i, delta))
                                : Json(nullptr);
  state.text_offsets[i] += static_cast<std::int64_t>(delta.text.size());
  state.Emit(SseEvent(CompletionChunk(state.identity, static_cast<int>(i), delta.text, logprobs,
                                      nullptr, ContinuousUsage(state, i))));
}

void OnDone(OpenAiState& state, std::size_t i, const engine::GenerateResult& result) {
  TokenCounts& counts = state.counts[i];
  counts.prompt_tokens = result.prompt_tokens;
  counts.completion_tokens = result.completion_tokens;
  counts.cached_tokens = result.cached_tokens;
  if (IsServerFailure(result.error)) {
    state.Fail(result.error);
  } else if (state.call.stream) {
    if (state.call.chat) {
      state.Emit(SseEvent(ChatFinishChunk(state.identity, result)));
    } else {
      // A stream that produced no token never sent the echoed prompt's logprobs: they come here.
      const bool prompt_unsent =
          state.call.echo && state.call.logprobs && result.output_ids.empty();
      Json logprobs = prompt_unsent ? CompletionLogprobsJson(
                                          {}, state.call.top_logprobs, 0, state.TokenText(),
                                          EchoedPromptLogprobs{state.prompts[i].input_ids.front(),
                                                               &result.prompt_logprobs})
                                    : Json(nullptr);
      state.Emit(SseEvent(CompletionChunk(state.identity, static_cast<int>(i), "", logprobs,
                                          &result, ContinuousUsage(state, i))));
    }
  } else {
    std::lock_guard lock(state.mutex);
    state.results[i] = result;
  }
  state.Done();
}

absl::Status CheckVocabulary(const std::vector<std::int32_t>& ids, std::int64_t vocab_size) {
  for (std::int32_t id : ids) {
    if (id >= vocab_size) {
      return absl::InvalidArgumentError(
          StrCat("Token id ", id, " is out of the vocabulary (size ", vocab_size, ")"));
    }
  }
  return absl::OkStatus();
}

// Chat: the rendered, tokenized conversation (or the request's input_ids).
absl::StatusOr<std::vector<std::int32_t>> ChatPromptIds(ServerContext& context,
                                                        const OpenAiCall& call) {
  if (!call.prompts.empty()) return call.prompts[0].input_ids;
  absl::StatusOr<std::string> rendered = context.engine.ApplyChatTemplate(
      call.messages, call.tools, /*add_generation_prompt=*/!call.continue_final_message,
      call.chat_template_kwargs);
  if (!rendered.ok()) {
    if (rendered.status().code() == absl::StatusCode::kFailedPrecondition) {
      return absl::InvalidArgumentError(
          StrCat(rendered.status().message(),
                 "; this model has no chat template: use /v1/completions or /generate"));
    }
    return rendered.status();
  }
  if (call.continue_final_message) {
    rendered = CutAfterFinalMessage(*rendered, call.messages);
    if (!rendered.ok()) return rendered.status();
  }
  // The template writes any BOS itself (transformers tokenizes its output without specials).
  return context.engine.Tokenize(*rendered, /*add_special_tokens=*/false);
}

void Run(ServerContext& context, OpenAiCall call, std::vector<PreparedPrompt> prompts,
         const std::shared_ptr<Responder>& responder) {
  OpenAiIdentity identity{
      .id = call.rid, .created = absl::ToUnixSeconds(absl::Now()), .model = call.model};
  auto state = std::make_shared<OpenAiState>(context, std::move(call), std::move(identity),
                                             std::move(prompts), responder);
  std::vector<std::string> rids;
  for (const PreparedPrompt& prompt : state->prompts) rids.push_back(prompt.rid);
  responder->SetOnDisconnect([&context, rids] {
    for (const std::string& rid : rids) context.tracker.Abort(rid);
  });
  const std::size_t count = state->prompts.size();
  {
    std::lock_guard lock(state->mutex);
    state->pending = count + 1;
  }
  if (state->call.stream && state->call.chat) state->Emit(SseEvent(ChatRoleChunk(state->identity)));
  if (state->call.stream && state->call.echo) {
    for (std::size_t i = 0; i < count; ++i) {
      state->Emit(
          SseEvent(CompletionChunk(state->identity, static_cast<int>(i),
                                   state->prompts[i].echo_prefix, nullptr, nullptr, std::nullopt)));
    }
  }
  std::vector<engine::GenerateRequest> requests(count);
  for (std::size_t i = 0; i < count; ++i) {
    const PreparedPrompt& prompt = state->prompts[i];
    state->counts[i].prompt_tokens = static_cast<std::int64_t>(prompt.input_ids.size());
    state->text_offsets[i] = static_cast<std::int64_t>(prompt.echo_prefix.size());
    requests[i].rid = prompt.rid;
    requests[i].input_ids = prompt.input_ids;
    requests[i].sampling = prompt.sampling;
  }
  context.tracker.SubmitBatch(
      std::move(requests),
      [state](std::size_t i) {
        return engine::RequestCallbacks{
            [state, i](const engine::GenerateDelta& delta) { OnDelta(*state, i, delta); },
            [state, i](const engine::GenerateResult& result) { OnDone(*state, i, result); }};
      },
      [&state, count](std::size_t refused, const absl::Status& status) {
        state->Fail(status);
        std::lock_guard lock(state->mutex);
        state->pending -= count - refused;
      });
  if (state->call.stream) state->OpenStream();
  state->Done();
}

// Parses, renders and checks one OpenAI call; on success runs it.
void Handle(ServerContext& context, const HttpRequest& request,
            std::shared_ptr<Responder> responder, bool chat) {
  auto fail = [&responder](const absl::Status& status) {
    responder->Send(ErrorResponse(status, ErrorShape::kOpenAi));
  };
  if (absl::Status type = CheckJsonContentType(request.Header("content-type")); !type.ok()) {
    return fail(type);
  }
  absl::StatusOr<Json> body = ParseJsonObject(request.body);
  if (!body.ok()) return fail(body.status());
  const engine::SamplingParams defaults = context.engine.DefaultSamplingParams();
  absl::StatusOr<OpenAiCall> call =
      chat ? ParseChatCompletionCall(*body, defaults) : ParseCompletionCall(*body, defaults);
  if (!call.ok()) return fail(call.status());
  if (call->rid.empty()) call->rid = NewRequestId();
  const engine::EngineModelInfo& info = context.engine.model_info();

  std::vector<PreparedPrompt> prompts;
  if (chat) {
    absl::StatusOr<std::vector<std::int32_t>> ids = ChatPromptIds(context, *call);
    if (!ids.ok()) return fail(ids.status());
    prompts.push_back({.input_ids = *std::move(ids)});
  } else {
    for (const OpenAiPrompt& prompt : call->prompts) {
      PreparedPrompt& prepared = prompts.emplace_back();
      if (prompt.text.has_value()) {
        if (!IsValidUtf8(*prompt.text)) {
          return fail(absl::InvalidArgumentError("prompt is not valid UTF-8"));
        }
        absl::StatusOr<std::vector<std::int32_t>> ids = context.engine.Tokenize(*prompt.text, true);
        if (!ids.ok()) return fail(ids.status());
        prepared.input_ids = *std::move(ids);
        if (call->echo) prepared.echo_prefix = *prompt.text;
      } else {
        prepared.input_ids = prompt.input_ids;
        if (call->echo) {
          absl::StatusOr<std::string> text = context.engine.Detokenize(prompt.input_ids);
          if (text.ok()) prepared.echo_prefix = *text;
        }
      }
    }
  }
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    PreparedPrompt& prompt = prompts[i];
    if (absl::Status valid = CheckVocabulary(prompt.input_ids, info.vocab_size); !valid.ok()) {
      return fail(valid);
    }
    OpenAiCall sized = *call;
    if (absl::Status fits = FitToContext(static_cast<std::int64_t>(prompt.input_ids.size()),
                                         info.context_length, sized);
        !fits.ok()) {
      return fail(fits);
    }
    prompt.sampling = sized.sampling;
    if (absl::Status valid = engine::Validate(prompt.sampling, info.vocab_size); !valid.ok()) {
      return fail(valid);
    }
    prompt.rid = prompts.size() == 1 ? call->rid : StrCat(call->rid, "_", i);
  }
  Run(context, *std::move(call), std::move(prompts), responder);
}

}  // namespace

void HandleChatCompletions(ServerContext& context, const HttpRequest& request,
                           std::shared_ptr<Responder> responder) {
  Handle(context, request, std::move(responder), /*chat=*/true);
}

void HandleCompletions(ServerContext& context, const HttpRequest& request,
                       std::shared_ptr<Responder> responder) {
  Handle(context, request, std::move(responder), /*chat=*/false);
}

}  // namespace radixlm::server
