#include "src/server/generate_route.h"

#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "src/common/strings.h"
#include "src/server/errors.h"
#include "src/server/generate_request.h"
#include "src/server/sse.h"

namespace radixlm::server {
namespace {

// Shared by the callbacks of every item of one /generate call. Callbacks of all items run on the
// engine's scheduler thread, but the call's own thread submits while they may already run, so
// the shared parts are guarded.
struct GenerateState {
  GenerateState(ServerContext& context_ref, GenerateCall parsed, std::shared_ptr<Responder> out)
      : context(context_ref),
        call(std::move(parsed)),
        responder(std::move(out)),
        results(call.items.size()),
        progress(call.items.size()) {}

  ServerContext& context;
  const GenerateCall call;
  const std::shared_ptr<Responder> responder;
  const absl::Time started = absl::Now();

  std::mutex mutex;
  std::vector<Json> results;               // guarded by mutex (non-streaming answers)
  absl::Status error;                      // guarded by mutex: first failure
  std::size_t pending = 0;                 // guarded by mutex: items not finished + 1
  std::vector<GenerateProgress> progress;  // item i's is touched only by item i's callbacks

  std::optional<int> IndexOf(std::size_t i) const {
    return call.batch ? std::optional<int>(static_cast<int>(i)) : std::nullopt;
  }
  TokenTextFn TokenText() const {
    return [this](std::int32_t token) { return context.TokenText(token); };
  }

  // One item (or the submitting loop, the "+ 1") is done; the last one answers.
  void Done() {
    std::unique_lock lock(mutex);
    if (--pending != 0) return;
    if (call.stream) {
      if (!error.ok()) responder->Write(SseEvent(StreamErrorBody(error)));
      responder->Write(std::string(kSseDone));
      responder->EndStream();
      return;
    }
    if (!error.ok()) {
      responder->Send(ErrorResponse(error, ErrorShape::kNative));
      return;
    }
    Json body = call.batch ? Json(results) : std::move(results[0]);
    responder->Send({.body = Dump(body)});
  }

  void Fail(absl::Status status) {
    std::lock_guard lock(mutex);
    if (error.ok()) error = std::move(status);
  }
};

void OnItemDelta(GenerateState& state, std::size_t i, const engine::GenerateDelta& delta) {
  if (!state.call.stream) return;
  GenerateProgress& progress = state.progress[i];
  progress.text += delta.text;
  progress.output_ids.insert(progress.output_ids.end(), delta.token_ids.begin(),
                             delta.token_ids.end());
  progress.logprobs.insert(progress.logprobs.end(), delta.logprobs.begin(), delta.logprobs.end());
  if (delta.cached_tokens.has_value()) {
    progress.cached_tokens = *delta.cached_tokens;
    progress.prompt_logprobs = delta.prompt_logprobs;
  }
  state.responder->Write(SseEvent(
      GenerateChunkJson(state.call.items[i], progress, state.IndexOf(i), state.TokenText())));
}

void OnItemDone(GenerateState& state, std::size_t i, const engine::GenerateResult& result) {
  const GenerateItem& item = state.call.items[i];
  if (item.session.has_value()) {
    state.context.sessions.Finish(item.session->id, item.rid, result.output_ids);
  }
  const double e2e = absl::ToDoubleSeconds(absl::Now() - state.started);
  if (IsServerFailure(result.error)) {
    // A server-side failure (not a user abort): an error, as SGLang's scheduler aborts with status.
    state.Fail(result.error);
  } else if (state.call.stream) {
    state.responder->Write(
        SseEvent(GenerateResultJson(item, result, e2e, state.IndexOf(i), state.TokenText())));
  } else {
    Json object = GenerateResultJson(item, result, e2e, state.IndexOf(i), state.TokenText());
    std::lock_guard lock(state.mutex);
    state.results[i] = std::move(object);
  }
  state.Done();
}

// Tokenizes text prompts and applies session_params; fills every item's input_ids.
absl::Status PreparePrompts(ServerContext& context, GenerateCall& call) {
  const engine::EngineModelInfo& info = context.engine.model_info();
  for (GenerateItem& item : call.items) {
    if (item.text.has_value()) {
      if (!IsValidUtf8(*item.text)) return absl::InvalidArgumentError("text is not valid UTF-8");
      absl::StatusOr<std::vector<std::int32_t>> ids = context.engine.Tokenize(*item.text, true);
      if (!ids.ok()) return ids.status();
      item.input_ids = *std::move(ids);
    }
    for (std::int32_t id : item.input_ids) {
      if (id >= info.vocab_size) {
        return absl::InvalidArgumentError(
            StrCat("Token id ", id, " is out of the vocabulary (size ", info.vocab_size, ")"));
      }
    }
    if (absl::Status valid = engine::Validate(item.sampling, info.vocab_size); !valid.ok()) {
      return valid;
    }
  }
  return absl::OkStatus();
}

}  // namespace

void HandleGenerate(ServerContext& context, const HttpRequest& request,
                    const std::shared_ptr<Responder>& responder) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body);
  if (!body.ok()) return responder->Send(ErrorResponse(body.status(), ErrorShape::kNative));
  const engine::EngineModelInfo& info = context.engine.model_info();
  absl::StatusOr<GenerateCall> call =
      ParseGenerateCall(*body, context.engine.DefaultSamplingParams(), info.context_length);
  if (!call.ok()) return responder->Send(ErrorResponse(call.status(), ErrorShape::kNative));
  if (absl::Status prepared = PreparePrompts(context, *call); !prepared.ok()) {
    return responder->Send(ErrorResponse(prepared, ErrorShape::kNative));
  }
  // Session requests: the prompt becomes the session's context plus the new tokens.
  for (GenerateItem& item : call->items) {
    if (!item.session.has_value()) continue;
    std::span<const std::int32_t> new_ids = item.input_ids;
    if (context.bos_token_id.has_value() && item.text.has_value() && !new_ids.empty() &&
        new_ids.front() == *context.bos_token_id && item.session->rid.has_value()) {
      new_ids = new_ids.subspan(1);  // SGLang strips the new chunk's BOS
    }
    absl::StatusOr<SessionTurn> turn = context.sessions.Begin(*item.session, item.rid, new_ids);
    if (!turn.ok()) return responder->Send(ErrorResponse(turn.status(), ErrorShape::kNative));
    for (const std::string& rid : turn->rids_to_abort) context.tracker.Abort(rid);
    item.input_ids = std::move(turn->input_ids);
    if (item.input_ids.empty()) {
      return responder->Send(ErrorResponse(absl::InvalidArgumentError("input_ids cannot be empty."),
                                           ErrorShape::kNative));
    }
  }

  auto state = std::make_shared<GenerateState>(context, *std::move(call), responder);
  const std::size_t count = state->call.items.size();
  std::vector<std::string> rids;
  for (const GenerateItem& item : state->call.items) rids.push_back(item.rid);
  responder->SetOnDisconnect([&context, rids] {
    for (const std::string& rid : rids) context.tracker.Abort(rid);
  });
  if (state->call.stream) {
    // SGLang sends the headers at once; later failures arrive in-stream (protocol §1.6).
    responder->BeginStream(200, std::string(kSseContentType));
  }
  {
    std::lock_guard lock(state->mutex);
    state->pending = count + 1;
  }
  std::vector<engine::GenerateRequest> requests(count);
  for (std::size_t i = 0; i < count; ++i) {
    const GenerateItem& item = state->call.items[i];
    state->progress[i].prompt_tokens = static_cast<std::int64_t>(item.input_ids.size());
    requests[i].rid = item.rid;
    requests[i].input_ids = item.input_ids;
    requests[i].sampling = item.sampling;
  }
  context.tracker.SubmitBatch(
      std::move(requests),
      [state](std::size_t i) {
        return engine::RequestCallbacks{
            [state, i](const engine::GenerateDelta& delta) { OnItemDelta(*state, i, delta); },
            [state, i](const engine::GenerateResult& result) { OnItemDone(*state, i, result); }};
      },
      [&context, &state, count](std::size_t refused, const absl::Status& status) {
        state->Fail(status);
        for (std::size_t k = refused; k < count; ++k) {
          const GenerateItem& unsent = state->call.items[k];
          if (unsent.session.has_value()) {
            context.sessions.Finish(unsent.session->id, unsent.rid, {});
          }
        }
        std::lock_guard lock(state->mutex);
        state->pending -= count - refused;
      });
  state->Done();
}

}  // namespace radixlm::server
