// Client: the public API, built from the transport, retry policy, protocol codec, stream
// assemblers and session store in this folder.
#include "radixlm/sglang/client.h"
#include "src/common/strings.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "radixlm/status.h"
#include "src/client/chat_stream.h"
#include "src/client/generate_stream.h"
#include "src/client/http_error.h"
#include "src/client/http_transport.h"
#include "src/client/protocol.h"
#include "src/client/retry.h"
#include "src/client/session_store.h"
#include "src/client/sse_parser.h"

namespace radixlm::sglang {

using internal::BodySink;
using internal::HttpRequest;
using internal::HttpResponse;
using nlohmann::json;

const std::string& CompletionResponse::Text() const {
  static const std::string kEmpty;
  return choices.empty() ? kEmpty : choices.front().message.content;
}

namespace {

internal::TransportConfig ToTransportConfig(const ClientConfig& config) {
  return {.base_url = config.base_url,
          .timeout = config.timeout,
          .connect_timeout = config.connect_timeout,
          .api_key = config.api_key,
          .user_agent = config.user_agent,
          .max_idle_connections = config.max_idle_connections,
          .max_response_bytes = config.max_response_bytes};
}

// Sleeps for `wait` unless the call is cancelled first; false when cancelled.
bool SleepUnlessCancelled(absl::Duration wait, const std::stop_token& cancel) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  return !wake.wait_for(lock, cancel, absl::ToChronoNanoseconds(wait), [] { return false; }) &&
         !cancel.stop_requested();
}

HttpRequest Get(std::string path) { return {.method = "GET", .path = std::move(path)}; }
HttpRequest Post(std::string path, const json& body) {
  return {.method = "POST", .path = std::move(path), .body = body.dump()};
}

}  // namespace

class Client::Impl {
 public:
  explicit Impl(ClientConfig config)
      : config_(std::move(config)),
        transport_(ToTransportConfig(config_)),
        sessions_(config_.session_policy) {}

  const ClientConfig& config() const { return config_; }
  internal::SessionStore& sessions() { return sessions_; }

  std::string Describe(const HttpRequest& request) const {
    return radixlm::StrCat(request.method, " ", config_.base_url, request.path);
  }

  // One request with the retry policy applied. Returns the 2xx response, or the error (non-2xx
  // responses become errors carrying the HTTP status and the server's message).
  absl::StatusOr<HttpResponse> Exchange(HttpRequest request, bool idempotent,
                                        const CallOptions& options, int max_attempts,
                                        const BodySink* sink = nullptr) {
    request.idempotent = idempotent;
    std::size_t delivered = 0;
    BodySink counting_sink;
    if (sink != nullptr) {
      counting_sink = [&](std::string_view bytes) {
        delivered += bytes.size();
        return (*sink)(bytes);
      };
    }
    absl::StatusOr<HttpResponse> outcome;
    for (int attempt = 1;; ++attempt) {
      outcome = transport_.Send(request, options, sink != nullptr ? &counting_sink : nullptr);
      if (attempt >= max_attempts || delivered > 0 ||
          !internal::ShouldRetry(outcome, idempotent)) {
        break;
      }
      absl::Duration wait;
      {
        std::lock_guard lock(random_mutex_);
        wait = internal::Backoff(config_.retry, attempt,
                                 outcome.ok() ? outcome->retry_after : std::nullopt, random_);
      }
      if (absl::Now() + wait >= options.deadline) break;
      if (!SleepUnlessCancelled(wait, options.cancel)) {
        return absl::CancelledError(
            radixlm::StrCat(Describe(request), ": cancelled while waiting to retry"));
      }
    }
    if (!outcome.ok()) return outcome.status();
    if (outcome->status < 200 || outcome->status >= 300) {
      return internal::StatusFromHttpError(outcome->status, outcome->body, Describe(request));
    }
    return outcome;
  }

  absl::StatusOr<HttpResponse> Exchange(const HttpRequest& request, bool idempotent,
                                        const CallOptions& options) {
    return Exchange(request, idempotent, options, config_.retry.max_attempts);
  }

  absl::StatusOr<json> JsonExchange(const HttpRequest& request, bool idempotent,
                                    const CallOptions& options) {
    absl::StatusOr<HttpResponse> response = Exchange(request, idempotent, options);
    if (!response.ok()) return response.status();
    return internal::ParseJsonBody(response->body, Describe(request));
  }

  // GET `path`, or `legacy_path` on servers that answer 404 (SGLang renamed these in 2025-11).
  absl::StatusOr<json> GetWithLegacyPath(std::string path, std::string legacy_path,
                                         const CallOptions& options) {
    absl::StatusOr<json> result = JsonExchange(Get(std::move(path)), true, options);
    if (result.ok() || HttpStatusOf(result.status()) != 404) return result;
    return JsonExchange(Get(std::move(legacy_path)), true, options);
  }

  // Runs a streaming exchange through an SSE parser into `assembler`.
  template <typename Assembler>
  absl::Status RunStream(const HttpRequest& request, bool idempotent, const CallOptions& options,
                         Assembler& assembler) {
    absl::Status stream_error;
    internal::SseParser parser([&](const internal::SseEvent& event) {
      stream_error = assembler.OnEvent(event.data);
      return stream_error.ok() && !assembler.stopped() && !assembler.done();
    });
    BodySink sink = [&](std::string_view bytes) { return parser.Feed(bytes); };
    absl::StatusOr<HttpResponse> response =
        Exchange(request, idempotent, options, config_.retry.max_attempts, &sink);
    if (!stream_error.ok()) return stream_error;
    if (!response.ok()) return response.status();
    if (!assembler.done() && !assembler.stopped()) {
      parser.Finish();
      if (!stream_error.ok()) return stream_error;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<CompletionResponse> Complete(const CompletionRequest& request,
                                              const CallOptions& options) {
    HttpRequest http = Post("/v1/chat/completions",
                            internal::EncodeCompletionRequest(request, config_.model, false));
    absl::StatusOr<json> body = JsonExchange(http, /*idempotent=*/true, options);
    if (!body.ok()) return body.status();
    absl::StatusOr<CompletionResponse> response = internal::DecodeCompletionResponse(*body);
    if (!response.ok()) {
      return absl::DataLossError(radixlm::StrCat(Describe(http), ": ", response.status().message()));
    }
    return response;
  }

  absl::StatusOr<CompletionResponse> CompleteStream(const CompletionRequest& request,
                                                    const CompletionCallback& on_delta,
                                                    const CallOptions& options) {
    HttpRequest http = Post("/v1/chat/completions",
                            internal::EncodeCompletionRequest(request, config_.model, true));
    internal::ChatStreamAssembler assembler(on_delta);
    if (absl::Status status = RunStream(http, /*idempotent=*/true, options, assembler);
        !status.ok()) {
      return status;
    }
    return assembler.Finish(Describe(http));
  }

  absl::StatusOr<GenerateResponse> Generate(const GenerateRequest& request,
                                            const CallOptions& options) {
    absl::StatusOr<json> encoded = internal::EncodeGenerateRequest(request, false);
    if (!encoded.ok()) return encoded.status();
    HttpRequest http = Post("/generate", *encoded);
    // A /generate inside a server-side session changes the session's state: not safe to repeat.
    absl::StatusOr<json> body =
        JsonExchange(http, /*idempotent=*/!request.session_params.has_value(), options);
    if (!body.ok()) return body.status();
    absl::StatusOr<GenerateResponse> response = internal::DecodeGenerateResponse(*body);
    if (!response.ok()) {
      return absl::DataLossError(radixlm::StrCat(Describe(http), ": ", response.status().message()));
    }
    return response;
  }

  absl::StatusOr<GenerateResponse> GenerateStream(const GenerateRequest& request,
                                                  const GenerateCallback& on_delta,
                                                  const CallOptions& options) {
    absl::StatusOr<json> encoded = internal::EncodeGenerateRequest(request, true);
    if (!encoded.ok()) return encoded.status();
    HttpRequest http = Post("/generate", *encoded);
    internal::GenerateStreamAssembler assembler(on_delta);
    if (absl::Status status =
            RunStream(http, !request.session_params.has_value(), options, assembler);
        !status.ok()) {
      return status;
    }
    return assembler.Finish(Describe(http));
  }

  absl::StatusOr<HealthResponse> Health(const CallOptions& options) {
    // A health probe reports the state as it is now, so it is never retried.
    HttpRequest http = Get("/health");
    absl::StatusOr<HttpResponse> response = Exchange(http, true, options, /*max_attempts=*/1);
    if (!response.ok()) return response.status();
    const std::string_view body = radixlm::StripAsciiWhitespace(response->body);
    if (body.empty()) return HealthResponse{.status = "healthy"};
    absl::StatusOr<json> parsed = internal::ParseJsonBody(body, Describe(http));
    if (!parsed.ok()) return parsed.status();
    std::string status;
    if (parsed->is_object() && parsed->contains("status") && (*parsed)["status"].is_string()) {
      status = (*parsed)["status"].get<std::string>();
    }
    const std::string lowered = radixlm::AsciiToLower(status);
    if (lowered == "healthy" || lowered == "ok") return HealthResponse{.status = status};
    return absl::UnavailableError(radixlm::StrCat(Describe(http), ": server reports status \"",
                                               status, "\" (expected \"healthy\" or \"ok\")"));
  }

  absl::StatusOr<WarmResult> WarmPrefix(std::string_view prefix, WarmMode mode,
                                        const CallOptions& options) {
    WarmResult result{.prefix = std::string(prefix)};
    if (mode == WarmMode::kSystemPrompt) {
      CompletionRequest request;
      request.messages.push_back({.role = "system", .content = std::string(prefix)});
      // One token is the least the OpenAI route accepts; the prefill is what warms the cache.
      request.max_tokens = 1;
      request.temperature = 0.0;
      absl::StatusOr<CompletionResponse> response = Complete(request, options);
      if (!response.ok()) return response.status();
      result.prompt_tokens = response->usage.prompt_tokens;
      result.cached_tokens = response->usage.cached_tokens;
    } else {
      GenerateRequest request;
      request.text = std::string(prefix);
      request.sampling_params.max_new_tokens = 0;
      absl::StatusOr<GenerateResponse> response = Generate(request, options);
      if (!response.ok()) return response.status();
      result.prompt_tokens = response->meta_info.prompt_tokens;
      result.cached_tokens = response->meta_info.cached_tokens;
    }
    result.cached = true;
    return result;
  }

  absl::StatusOr<CompletionResponse> SessionTurn(std::string_view id,
                                                 std::string_view user_message,
                                                 const CompletionCallback* on_delta,
                                                 const CallOptions& options) {
    absl::StatusOr<internal::PreparedTurn> turn =
        sessions_.BeginTurn(id, user_message, options);
    if (!turn.ok()) return turn.status();
    absl::StatusOr<CompletionResponse> response =
        on_delta != nullptr ? CompleteStream(turn->request, *on_delta, options)
                            : Complete(turn->request, options);
    sessions_.EndTurn(*turn, response);
    return response;
  }

 private:
  const ClientConfig config_;
  internal::HttpTransport transport_;
  internal::SessionStore sessions_;
  std::mutex random_mutex_;  // std::mutex: see HttpTransport::mutex_
  absl::BitGen random_;      // guarded by random_mutex_
};

Client::Client(ClientConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Client::~Client() = default;

const ClientConfig& Client::config() const { return impl_->config(); }

absl::StatusOr<HealthResponse> Client::Health(const CallOptions& options) {
  return impl_->Health(options);
}

bool Client::IsAvailable(const CallOptions& options) { return impl_->Health(options).ok(); }

absl::StatusOr<CompletionResponse> Client::Complete(const CompletionRequest& request,
                                                    const CallOptions& options) {
  return impl_->Complete(request, options);
}

absl::StatusOr<CompletionResponse> Client::CompleteStream(const CompletionRequest& request,
                                                          const CompletionCallback& on_delta,
                                                          const CallOptions& options) {
  return impl_->CompleteStream(request, on_delta, options);
}

absl::StatusOr<std::string> Client::CompleteSimple(std::string_view prompt,
                                                   const CallOptions& options) {
  CompletionRequest request;
  request.messages.push_back({.role = "user", .content = std::string(prompt)});
  absl::StatusOr<CompletionResponse> response = impl_->Complete(request, options);
  if (!response.ok()) return response.status();
  return response->Text();
}

absl::StatusOr<std::string> Client::CompleteWithSystem(std::string_view system_prompt,
                                                       std::string_view prompt,
                                                       const CallOptions& options) {
  CompletionRequest request;
  request.messages.push_back({.role = "system", .content = std::string(system_prompt)});
  request.messages.push_back({.role = "user", .content = std::string(prompt)});
  absl::StatusOr<CompletionResponse> response = impl_->Complete(request, options);
  if (!response.ok()) return response.status();
  return response->Text();
}

absl::StatusOr<GenerateResponse> Client::Generate(const GenerateRequest& request,
                                                  const CallOptions& options) {
  return impl_->Generate(request, options);
}

absl::StatusOr<GenerateResponse> Client::GenerateStream(const GenerateRequest& request,
                                                        const GenerateCallback& on_delta,
                                                        const CallOptions& options) {
  return impl_->GenerateStream(request, on_delta, options);
}

absl::Status Client::FlushCache(const CallOptions& options) {
  HttpRequest http = {.method = "POST", .path = "/flush_cache"};
  absl::StatusOr<HttpResponse> response = impl_->Exchange(http, true, options);
  if (response.ok()) return absl::OkStatus();
  if (HttpStatusOf(response.status()) == 400) {
    // SGLang flushes only when no request is running or waiting.
    return WithHttpStatus(
        absl::FailedPreconditionError(radixlm::StrCat(
            response.status().message(), " (the server flushes only when idle; retry later)")),
        400);
  }
  return response.status();
}

absl::StatusOr<json> Client::ServerInfo(const CallOptions& options) {
  return impl_->GetWithLegacyPath("/server_info", "/get_server_info", options);
}

absl::StatusOr<json> Client::ModelInfo(const CallOptions& options) {
  return impl_->GetWithLegacyPath("/model_info", "/get_model_info", options);
}

absl::StatusOr<std::vector<ModelCard>> Client::Models(const CallOptions& options) {
  absl::StatusOr<json> body = impl_->JsonExchange(Get("/v1/models"), true, options);
  if (!body.ok()) return body.status();
  return internal::DecodeModels(*body);
}

absl::StatusOr<Session> Client::CreateSession(std::string_view id, std::string_view system_prompt,
                                              const SessionOptions& session_options) {
  return impl_->sessions().Create(id, system_prompt, session_options);
}

absl::StatusOr<CompletionResponse> Client::ContinueSession(std::string_view id,
                                                           std::string_view user_message,
                                                           const CallOptions& options) {
  return impl_->SessionTurn(id, user_message, nullptr, options);
}

absl::StatusOr<CompletionResponse> Client::ContinueSessionStream(
    std::string_view id, std::string_view user_message, const CompletionCallback& on_delta,
    const CallOptions& options) {
  return impl_->SessionTurn(id, user_message, &on_delta, options);
}

absl::Status Client::DeleteSession(std::string_view id) { return impl_->sessions().Erase(id); }

std::size_t Client::CleanupSessions(absl::Duration max_age) {
  return impl_->sessions().EraseIdle(max_age, absl::Now());
}

std::vector<Session> Client::ListSessions() const { return impl_->sessions().List(); }

absl::StatusOr<Session> Client::GetSession(std::string_view id) const {
  return impl_->sessions().Get(id);
}

absl::StatusOr<WarmResult> Client::WarmPrefix(std::string_view prefix, WarmMode mode,
                                              const CallOptions& options) {
  return impl_->WarmPrefix(prefix, mode, options);
}

std::vector<absl::StatusOr<WarmResult>> Client::WarmPrefixes(
    const std::vector<std::string>& prefixes, WarmMode mode, const CallOptions& options) {
  std::vector<absl::StatusOr<WarmResult>> results(prefixes.size(),
                                                  absl::UnknownError("not started"));
  const std::size_t workers =
      std::min(prefixes.size(), std::max<std::size_t>(1, impl_->config().warm_concurrency));
  std::atomic<std::size_t> next{0};
  {
    std::vector<std::jthread> pool;
    pool.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w) {
      pool.emplace_back([&] {
        for (std::size_t i = next.fetch_add(1); i < prefixes.size(); i = next.fetch_add(1)) {
          results[i] = impl_->WarmPrefix(prefixes[i], mode, options);
        }
      });
    }
  }  // jthreads join here.
  return results;
}

}  // namespace radixlm::sglang
