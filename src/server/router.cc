#include "src/server/router.h"

#include <string>
#include <utility>

#include "src/common/strings.h"
#include "src/server/errors.h"
#include "src/server/generate_route.h"
#include "src/server/openai_routes.h"
#include "src/server/request_parsing.h"

namespace radixlm::server {
namespace {

constexpr std::string_view kVersion = "radixlm 0.1.0";

HttpResponse JsonResponse(const Json& body, int status = 200) {
  return {.status = status, .body = Dump(body)};
}

HttpResponse TextResponse(std::string text, int status = 200) {
  return {.status = status, .content_type = "text/plain; charset=utf-8", .body = std::move(text)};
}

HttpResponse Empty(int status) { return {.status = status, .content_type = "", .body = ""}; }

std::string SchedulePolicyName(engine::SchedulePolicy policy) {
  return policy == engine::SchedulePolicy::kLongestPrefix ? "lpm" : "fcfs";
}

Json ModelCard(const ServerContext& context) {
  const engine::EngineModelInfo& info = context.engine.model_info();
  return {{"id", context.served_model_name},
          {"object", "model"},
          {"created", absl::ToUnixSeconds(context.started)},
          {"owned_by", "sglang"},
          {"root", context.served_model_name},
          {"parent", nullptr},
          {"max_model_len", info.context_length}};
}

Json ModelInfo(const ServerContext& context) {
  const engine::EngineModelInfo& info = context.engine.model_info();
  std::string model_type = AsciiToLower(info.architecture);
  if (std::size_t suffix = model_type.find("forcausallm"); suffix != std::string::npos) {
    model_type.resize(suffix);
  }
  return {{"model_path", info.model_path},
          {"tokenizer_path", info.model_path},
          {"is_generation", true},
          {"preferred_sampling_params", nullptr},
          {"weight_version", "default"},
          {"has_image_understanding", false},
          {"has_audio_understanding", false},
          {"model_type", model_type},
          {"architectures", Json::array({info.architecture})},
          {"served_model_name", context.served_model_name},
          {"context_length", info.context_length},
          {"vocab_size", info.vocab_size},
          {"eos_token_ids", info.eos_token_ids},
          {"has_chat_template", info.has_chat_template}};
}

Json ServerInfo(const ServerContext& context) {
  const engine::EngineModelInfo& info = context.engine.model_info();
  const engine::EngineOptions& options = context.engine.options();
  const engine::EngineStats stats = context.engine.stats();
  Json memory = {
      {"weight_type", info.weight_type},      {"kvcache_dtype", info.kv_cache_dtype},
      {"token_capacity", info.max_kv_tokens}, {"kv_pages_total", stats.kv_pages_total},
      {"kv_pages_used", stats.kv_pages_used}, {"kv_pages_cached", stats.kv_pages_cached}};
  Json args = {{"model_path", info.model_path},
               {"tokenizer_path", info.model_path},
               {"served_model_name", context.served_model_name},
               {"host", context.settings.host},
               {"port", context.settings.port},
               {"context_length", info.context_length},
               {"page_size", options.page_size},
               {"chunked_prefill_size", options.chunked_prefill_size},
               {"schedule_policy", SchedulePolicyName(options.schedule_policy)},
               {"max_running_requests", options.max_running_requests},
               {"max_queued_requests", options.max_queued_requests},
               {"disable_radix_cache", !options.enable_radix_cache},
               {"enable_cache_report", true},
               {"max_total_tokens", info.max_kv_tokens},
               {"weight_type", info.weight_type},
               {"kv_cache_dtype", info.kv_cache_dtype},
               {"threads", options.threads},
               {"random_seed", options.random_seed},
               {"tp_size", 1},
               {"dp_size", 1},
               {"enable_metrics", true},
               {"api_key_set", !context.settings.api_key.empty()}};
  Json server = args;
  server["max_total_num_tokens"] = info.max_kv_tokens;
  server["max_req_input_len"] = info.context_length - 1;
  server["status"] = context.shutting_down ? "ShuttingDown" : "Up";
  Json state = args;
  state["last_gen_throughput"] = 0.0;
  state["memory_usage"] = memory;
  state["num_running_reqs"] = stats.running_requests;
  state["num_queue_reqs"] = stats.queued_requests;
  state["cache_hit_rate"] = stats.cache_hit_rate;
  state["effective_max_running_requests_per_dp"] = options.max_running_requests;
  server["internal_states"] = Json::array({std::move(state)});
  server["version"] = kVersion;
  server["kv_events"] = nullptr;
  return server;
}

void HealthGenerate(ServerContext& context, const std::shared_ptr<Responder>& responder) {
  if (context.engine.stats().running_requests > 0) {
    return responder->Send(Empty(200));  // busy and producing: healthy (as SGLang)
  }
  engine::GenerateRequest probe;
  probe.rid = StrCat("HEALTH_CHECK_", NewRequestId());
  probe.input_ids = {0};
  probe.sampling.max_new_tokens = 1;
  probe.sampling.temperature = 0;
  engine::RequestCallbacks callbacks;
  callbacks.on_done = [responder](const engine::GenerateResult& result) {
    responder->Send(Empty(result.finish_reason != engine::FinishReason::kAbort ? 200 : 503));
  };
  absl::StatusOr<std::string> submitted =
      context.tracker.Submit(std::move(probe), std::move(callbacks));
  if (!submitted.ok()) responder->Send(Empty(503));
}

HttpResponse FlushCache(ServerContext& context) {
  absl::Status flushed = context.engine.FlushCache();
  if (!flushed.ok()) return TextResponse("Flush cache failed.\n", 400);
  return TextResponse(
      "Cache flushed.\nPlease check backend logs for more details. (When there are running or "
      "waiting requests, the operation will not be performed.)\n");
}

HttpResponse OpenSession(ServerContext& context, const HttpRequest& request) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body, /*empty_ok=*/true);
  if (!body.ok()) return ErrorResponse(body.status(), ErrorShape::kNative);
  FieldReader reader(*body, "body");
  OpenSessionOptions options;
  std::optional<std::int64_t> capacity = reader.Int("capacity_of_str_len");
  options.session_id = reader.String("session_id");
  options.timeout_seconds = reader.Number("timeout");
  if (reader.Bool("streaming").value_or(false)) {
    reader.Fail("streaming", "streaming sessions are not supported by radixlm serve");
  }
  if (!reader.ok()) return ErrorResponse(reader.status(), ErrorShape::kNative);
  if (!capacity.has_value()) {
    return ErrorResponse(
        ValidationError("1 validation error: body.capacity_of_str_len: Field required"),
        ErrorShape::kNative);
  }
  options.capacity_of_str_len = *capacity;
  absl::StatusOr<std::string> id = context.sessions.Open(options);
  if (!id.ok()) return ErrorResponse(id.status(), ErrorShape::kNative);
  return JsonResponse(Json(*id));
}

HttpResponse CloseSession(ServerContext& context, const HttpRequest& request) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body);
  if (!body.ok()) return ErrorResponse(body.status(), ErrorShape::kNative);
  FieldReader reader(*body, "body");
  std::optional<std::string> id = reader.String("session_id");
  if (!reader.ok()) return ErrorResponse(reader.status(), ErrorShape::kNative);
  if (!id.has_value()) {
    return ErrorResponse(ValidationError("1 validation error: body.session_id: Field required"),
                         ErrorShape::kNative);
  }
  context.sessions.Close(*id);
  return Empty(200);
}

HttpResponse AbortRequest(ServerContext& context, const HttpRequest& request) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body, /*empty_ok=*/true);
  if (!body.ok()) return ErrorResponse(body.status(), ErrorShape::kNative);
  FieldReader reader(*body, "body");
  const std::string rid = reader.String("rid").value_or("");
  const bool abort_all = reader.Bool("abort_all").value_or(false);
  if (!reader.ok()) return ErrorResponse(reader.status(), ErrorShape::kNative);
  if (abort_all) {
    context.tracker.AbortAll();
  } else if (!rid.empty()) {
    context.tracker.AbortPrefix(rid);  // SGLang aborts every rid that starts with it
  }
  return Empty(200);
}

HttpResponse Tokenize(ServerContext& context, const HttpRequest& request) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body);
  if (!body.ok()) return ErrorResponse(body.status(), ErrorShape::kOpenAi);
  FieldReader reader(*body, "body");
  const bool add_special = reader.Bool("add_special_tokens").value_or(true);
  const Json* prompt = reader.Raw("prompt");
  const Json* messages = reader.Raw("messages");
  if (!reader.ok()) return ErrorResponse(reader.status(), ErrorShape::kOpenAi);
  const std::int64_t context_length = context.engine.model_info().context_length;
  auto tokenize = [&](const std::string& text, bool special) -> absl::StatusOr<Json> {
    absl::StatusOr<std::vector<std::int32_t>> ids = context.engine.Tokenize(text, special);
    if (!ids.ok()) return ids.status();
    return Json(*ids);
  };
  absl::StatusOr<Json> tokens = absl::InvalidArgumentError("Either prompt or messages is required");
  std::size_t count = 0;
  if (messages != nullptr) {
    if (!messages->is_array() || messages->empty()) {
      return ErrorResponse(absl::InvalidArgumentError("Messages cannot be empty."),
                           ErrorShape::kOpenAi);
    }
    absl::StatusOr<std::string> rendered = context.engine.ApplyChatTemplate(*messages);
    if (!rendered.ok()) return ErrorResponse(rendered.status(), ErrorShape::kOpenAi);
    tokens = tokenize(*rendered, false);
    if (tokens.ok()) count = tokens->size();
  } else if (prompt != nullptr && prompt->is_string()) {
    tokens = tokenize(prompt->get<std::string>(), add_special);
    if (tokens.ok()) count = tokens->size();
  } else if (prompt != nullptr && prompt->is_array()) {
    Json lists = Json::array();
    for (const Json& entry : *prompt) {
      if (!entry.is_string()) {
        return ErrorResponse(ValidationError("body.prompt: Input should be a string or a list of "
                                             "strings"),
                             ErrorShape::kOpenAi);
      }
      absl::StatusOr<Json> one = tokenize(entry.get<std::string>(), add_special);
      if (!one.ok()) return ErrorResponse(one.status(), ErrorShape::kOpenAi);
      count += one->size();
      lists.push_back(*std::move(one));
    }
    tokens = std::move(lists);
  } else if (prompt != nullptr) {
    return ErrorResponse(
        ValidationError("body.prompt: Input should be a string or a list of strings"),
        ErrorShape::kOpenAi);
  }
  if (!tokens.ok()) return ErrorResponse(tokens.status(), ErrorShape::kOpenAi);
  return JsonResponse(
      {{"tokens", *std::move(tokens)}, {"count", count}, {"max_model_len", context_length}});
}

HttpResponse Detokenize(ServerContext& context, const HttpRequest& request) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body);
  if (!body.ok()) return ErrorResponse(body.status(), ErrorShape::kOpenAi);
  FieldReader reader(*body, "body");
  std::optional<std::vector<std::int32_t>> tokens = reader.IntList("tokens");
  const bool skip_special = reader.Bool("skip_special_tokens").value_or(true);
  if (!reader.ok()) return ErrorResponse(reader.status(), ErrorShape::kOpenAi);
  if (!tokens.has_value()) {
    return ErrorResponse(ValidationError("1 validation error: body.tokens: Field required"),
                         ErrorShape::kOpenAi);
  }
  const std::int64_t vocab_size = context.engine.model_info().vocab_size;
  for (std::int32_t id : *tokens) {
    if (id >= vocab_size) {
      return ErrorResponse(absl::InvalidArgumentError(StrCat(
                               "Token id ", id, " is out-of-vocabulary (size ", vocab_size, ")")),
                           ErrorShape::kOpenAi);
    }
  }
  absl::StatusOr<std::string> text = context.engine.Detokenize(*tokens, skip_special);
  if (!text.ok()) return ErrorResponse(text.status(), ErrorShape::kOpenAi);
  return JsonResponse({{"text", *text}});
}

HttpResponse MethodNotAllowed() { return JsonResponse({{"detail", "Method Not Allowed"}}, 405); }

}  // namespace

bool Authorized(std::string_view api_key, std::string_view path, std::string_view authorization) {
  if (api_key.empty()) return true;
  if (path.starts_with("/health") || path.starts_with("/metrics")) return true;
  constexpr std::string_view kBearer = "Bearer ";
  return authorization.size() == kBearer.size() + api_key.size() &&
         authorization.starts_with(kBearer) && authorization.substr(kBearer.size()) == api_key;
}

void Route(ServerContext& context, const HttpRequest& request,
           std::shared_ptr<Responder> responder) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  const bool get = method == "GET" || method == "HEAD";
  const bool post = method == "POST";
  if (!Authorized(context.settings.api_key, path, request.Header("authorization"))) {
    return responder->Send(JsonResponse({{"error", "Unauthorized"}}, 401));
  }
  // Generation routes; refused while shutting down.
  if (path == "/generate" || path == "/v1/chat/completions" || path == "/v1/completions") {
    if (!(post || (method == "PUT" && path == "/generate")))
      return responder->Send(MethodNotAllowed());
    if (context.shutting_down) {
      return responder->Send(ErrorResponse(absl::UnavailableError("The server is shutting down."),
                                           ErrorShape::kOpenAi));
    }
    if (path == "/generate") return HandleGenerate(context, request, responder);
    if (path == "/v1/chat/completions") {
      return HandleChatCompletions(context, request, std::move(responder));
    }
    return HandleCompletions(context, request, std::move(responder));
  }
  if (path == "/health" || path == "/health_generate") {
    if (!get) return responder->Send(MethodNotAllowed());
    if (context.shutting_down) return responder->Send(Empty(503));
    if (path == "/health") return responder->Send(Empty(200));
    return HealthGenerate(context, responder);
  }
  if (path == "/" || path == "/ping") {
    if (!get) return responder->Send(MethodNotAllowed());
    return responder->Send(TextResponse(path == "/" ? "SGLang is running (radixlm serve)" : ""));
  }
  if (path == "/v1/models") {
    if (!get) return responder->Send(MethodNotAllowed());
    return responder->Send(
        JsonResponse({{"object", "list"}, {"data", Json::array({ModelCard(context)})}}));
  }
  if (path.starts_with("/v1/models/")) {
    if (!get) return responder->Send(MethodNotAllowed());
    const std::string model = path.substr(std::string_view("/v1/models/").size());
    if (model != context.served_model_name) {
      return responder->Send(
          JsonResponse({{"error",
                         {{"message", StrCat("The model '", model, "' does not exist")},
                          {"type", "invalid_request_error"},
                          {"param", "model"},
                          {"code", "model_not_found"}}}},
                       404));
    }
    return responder->Send(JsonResponse(ModelCard(context)));
  }
  if (path == "/model_info" || path == "/get_model_info") {
    if (!get) return responder->Send(MethodNotAllowed());
    return responder->Send(JsonResponse(ModelInfo(context)));
  }
  if (path == "/server_info" || path == "/get_server_info") {
    if (!get) return responder->Send(MethodNotAllowed());
    return responder->Send(JsonResponse(ServerInfo(context)));
  }
  if (path == "/flush_cache") {
    if (!get && !post) return responder->Send(MethodNotAllowed());
    return responder->Send(FlushCache(context));
  }
  if (path == "/open_session" || path == "/close_session") {
    if (!get && !post) return responder->Send(MethodNotAllowed());
    return responder->Send(path == "/open_session" ? OpenSession(context, request)
                                                   : CloseSession(context, request));
  }
  if (path == "/abort_request") {
    if (!post) return responder->Send(MethodNotAllowed());
    return responder->Send(AbortRequest(context, request));
  }
  if (path == "/tokenize" || path == "/v1/tokenize") {
    if (!post) return responder->Send(MethodNotAllowed());
    return responder->Send(Tokenize(context, request));
  }
  if (path == "/detokenize" || path == "/v1/detokenize") {
    if (!post) return responder->Send(MethodNotAllowed());
    return responder->Send(Detokenize(context, request));
  }
  if (path == "/metrics") {
    if (!get) return responder->Send(MethodNotAllowed());
    std::string body = context.metrics.Render(context.engine.stats(), context.engine.model_info(),
                                              context.tracker.live());
    if (context.settings.extra_metrics) body += context.settings.extra_metrics();
    return responder->Send(
        {.content_type = "text/plain; version=0.0.4; charset=utf-8", .body = std::move(body)});
  }
  responder->Send(JsonResponse({{"detail", "Not Found"}}, 404));
}

}  // namespace radixlm::server
