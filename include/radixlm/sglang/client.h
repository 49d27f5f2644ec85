// radixlm/sglang/client.h — a client for SGLang and OpenAI-compatible servers.
//
// radixlm::sglang::Client talks to one server over HTTP (libcurl, keep-alive connections) and keeps
// multi-turn sessions on the client side so that every turn reuses the server's radix prefix cache:
// each turn's request is exactly the previous request plus the new turn.
//
// Thread safety: a Client may be shared by any number of threads. Calls on one session id are
// serialized (a second ContinueSession waits for the first, honouring its own deadline and
// cancellation); calls on different sessions and all other calls run concurrently. No lock is held
// while a request is on the network.
//
// Errors: every call returns absl::Status / absl::StatusOr; see radixlm/status.h for the codes.
//
// Example:
//   radixlm::sglang::Client client({.base_url = "http://localhost:30000"});
//   if (!client.IsAvailable()) return;
//   auto session = client.CreateSession("user-1", "You are a helpful assistant.");
//   auto first = client.ContinueSession("user-1", "What is Python?");
//   if (first.ok()) std::cout << first->Text() << " cached=" << first->usage.cached_tokens.value_or(0);
#ifndef RADIXLM_SGLANG_CLIENT_H_
#define RADIXLM_SGLANG_CLIENT_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "radixlm/call_options.h"
#include "radixlm/sglang/client_config.h"
#include "radixlm/sglang/types.h"

namespace radixlm::sglang {

// Called once per streamed piece; return false to stop the stream (the call then returns OK with
// `stopped_by_caller` set). Called on the thread that made the call.
using CompletionCallback = std::function<bool(const CompletionDelta&)>;
using GenerateCallback = std::function<bool(const GenerateDelta&)>;

class Client {
 public:
  explicit Client(ClientConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The configuration this client runs with.
  const ClientConfig& config() const;

  // --- Health -----------------------------------------------------------------------------------

  // Health() calls GET /health. OK for an empty 200 body, {"status": "healthy"} or {"status": "ok"};
  // kUnavailable for 503 (server starting) or any other status value.
  absl::StatusOr<HealthResponse> Health(const CallOptions& options = {});
  // IsAvailable() is Health().ok().
  bool IsAvailable(const CallOptions& options = {});

  // --- Completions (POST /v1/chat/completions) --------------------------------------------------

  absl::StatusOr<CompletionResponse> Complete(const CompletionRequest& request,
                                              const CallOptions& options = {});
  // Streams the completion; `on_delta` receives each piece. The returned response holds the whole
  // text and the usage chunk (stream_options.include_usage defaults to true).
  absl::StatusOr<CompletionResponse> CompleteStream(const CompletionRequest& request,
                                                    const CompletionCallback& on_delta,
                                                    const CallOptions& options = {});
  // One user message; returns the reply text.
  absl::StatusOr<std::string> CompleteSimple(std::string_view prompt,
                                             const CallOptions& options = {});
  // A system prompt and one user message; returns the reply text.
  absl::StatusOr<std::string> CompleteWithSystem(std::string_view system_prompt,
                                                 std::string_view prompt,
                                                 const CallOptions& options = {});

  // --- Native SGLang API --------------------------------------------------------------------------

  // POST /generate (single prompt, text or input_ids).
  absl::StatusOr<GenerateResponse> Generate(const GenerateRequest& request,
                                            const CallOptions& options = {});
  absl::StatusOr<GenerateResponse> GenerateStream(const GenerateRequest& request,
                                                  const GenerateCallback& on_delta,
                                                  const CallOptions& options = {});
  // POST /flush_cache. kFailedPrecondition when the server is busy (it flushes only when idle).
  absl::Status FlushCache(const CallOptions& options = {});
  // GET /server_info (falls back to /get_server_info on servers older than 2025-11).
  absl::StatusOr<nlohmann::json> ServerInfo(const CallOptions& options = {});
  // GET /model_info (falls back to /get_model_info).
  absl::StatusOr<nlohmann::json> ModelInfo(const CallOptions& options = {});
  // GET /v1/models.
  absl::StatusOr<std::vector<ModelCard>> Models(const CallOptions& options = {});

  // --- Sessions (client-side history, server-side prefix cache) --------------------------------

  // Creates session `id` with `system_prompt` (may be empty). No network I/O.
  absl::StatusOr<Session> CreateSession(std::string_view id, std::string_view system_prompt,
                                        const SessionOptions& session_options = {});
  // Sends the session's history plus `user_message`; on success appends both messages to the
  // history. On failure the history is unchanged.
  absl::StatusOr<CompletionResponse> ContinueSession(std::string_view id,
                                                     std::string_view user_message,
                                                     const CallOptions& options = {});
  // Streaming ContinueSession. A stream stopped by the callback does not change the history.
  absl::StatusOr<CompletionResponse> ContinueSessionStream(std::string_view id,
                                                           std::string_view user_message,
                                                           const CompletionCallback& on_delta,
                                                           const CallOptions& options = {});
  // kNotFound when the id is unknown. A turn in flight on the session finishes but is not recorded.
  absl::Status DeleteSession(std::string_view id);
  // Removes sessions not used for `max_age` (no turn in flight); returns how many were removed.
  std::size_t CleanupSessions(absl::Duration max_age);
  // Snapshots of all sessions, ordered by id.
  std::vector<Session> ListSessions() const;
  // A snapshot of one session (kNotFound when unknown).
  absl::StatusOr<Session> GetSession(std::string_view id) const;

  // --- Prefix warming -----------------------------------------------------------------------------

  // Sends `prefix` once so that the server caches it; reports the server's token counts.
  absl::StatusOr<WarmResult> WarmPrefix(std::string_view prefix,
                                        WarmMode mode = WarmMode::kSystemPrompt,
                                        const CallOptions& options = {});
  // Warms every prefix with at most ClientConfig::warm_concurrency requests in flight; returns one
  // outcome per prefix, in input order.
  std::vector<absl::StatusOr<WarmResult>> WarmPrefixes(const std::vector<std::string>& prefixes,
                                                       WarmMode mode = WarmMode::kSystemPrompt,
                                                       const CallOptions& options = {});

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace radixlm::sglang

#endif  // RADIXLM_SGLANG_CLIENT_H_
