// radixlm/optimization/service.h — the optimization service: multi-turn sessions served by remote
// SGLang servers, with fallback to the embedded engine, persistence and prefix warming.
//
// A Service owns
//  - one sglang::Client per configured SGLang endpoint (optimization.sglang.endpoint/endpoints),
//    each with a health state re-checked in the background (healthy endpoints every
//    health_check_interval, unreachable ones with exponential backoff);
//  - the embedded engine (optimization.engine), loaded at Create() when it can be needed: when the
//    remote server is disabled, or enabled with fallback_on_unavailable;
//  - the sessions: id, system prompt, history, timestamps and token counts, kept in SQLite (WAL)
//    when optimization.sessions.store_path is set, so they survive restarts and crashes.
//
// Where a turn goes: to the session's endpoint while it is healthy (its radix cache holds the
// session's prefix); when that endpoint is down, to another healthy endpoint (the session moves
// there); when none is reachable, to the embedded engine if fallback_on_unavailable is on, else the
// turn fails with kUnavailable. When an endpoint recovers, the next turn goes back to it. A turn
// whose backend fails before any reply text reached the caller is retried on the next choice, so a
// server killed between turns costs the caller nothing. Each turn sends the session's whole
// history, so the new backend's cache is warmed from it by that turn. Every switch is logged
// (stderr, one line) and counted in the metrics.
//
// Sessions: a completed turn (user message + reply + counts) is written in one transaction after
// the reply is complete, so a process killed mid-turn loses no completed turn and never records
// half of one. The context-window policy (max_history_turns, max_prompt_tokens) chooses which
// earlier turns a request carries: the oldest whole turns are left out, the system prompt always
// stays, and the stored history keeps every turn. Sessions idle longer than idle_ttl are removed
// in the background every cleanup_interval; CreateSession beyond max_sessions first removes idle
// sessions, then fails with kResourceExhausted.
//
// Thread safety: a Service may be shared by any number of threads. Turns on one session are
// serialized (a second waits for the first, honouring its own deadline and cancellation); turns on
// different sessions run concurrently. No lock on the session table is held during a turn.
//
// Example (see examples/service/service_example.cc):
//   auto service = radixlm::optimization::Service::Create(radixlm::optimization::DefaultConfig());
//   if (!service.ok()) return service.status();
//   (void)(*service)->CreateSession("user-1", "You are a helpful assistant.");
//   auto turn = (*service)->ContinueSession("user-1", "What is Python?");
//   if (turn.ok()) std::cout << turn->text << " [" << turn->backend << "]\n";
#ifndef RADIXLM_OPTIMIZATION_SERVICE_H_
#define RADIXLM_OPTIMIZATION_SERVICE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radixlm/call_options.h"
#include "radixlm/optimization/config.h"
#include "radixlm/sglang/types.h"

namespace radixlm::engine {
class Engine;
}  // namespace radixlm::engine

namespace radixlm::optimization {

// The name the embedded engine has in TurnResult::backend, metrics and logs; remote backends are
// named by their endpoint URL.
inline constexpr std::string_view kEmbeddedBackend = "embedded";

// Per-turn sampling settings; unset fields take the backend's defaults.
struct TurnOptions {
  std::optional<std::int64_t> max_tokens;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> seed;
  std::vector<std::string> stop;
};

// What one completed turn produced.
struct TurnResult {
  std::string text;
  // "stop", "length", ...
  std::string finish_reason;
  // Which backend answered: an endpoint URL or kEmbeddedBackend.
  std::string backend;
  // 1 for the session's first turn.
  std::int64_t turn_number = 0;
  std::int64_t prompt_tokens = 0;
  // Prompt tokens the backend's prefix cache supplied (0 when the backend does not report it).
  std::int64_t cached_tokens = 0;
  std::int64_t completion_tokens = 0;
  // Earlier turns the context-window policy left out of this turn's request.
  std::int64_t turns_left_out = 0;
  absl::Duration time_to_first_token;
  absl::Duration latency;
};

// One completed turn of a stored session.
struct StoredTurn {
  std::string user;
  std::string assistant;
  std::string backend;
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t completion_tokens = 0;
  absl::Time completed_at;
};

// A snapshot of a session.
struct SessionInfo {
  std::string id;
  std::string system_prompt;
  std::vector<StoredTurn> turns;
  absl::Time created_at;
  absl::Time last_used_at;
  // The endpoint the session sticks to (empty until a remote endpoint served it).
  std::string endpoint;
  // The first turn (0-based) that requests still carry, after the context-window policy.
  std::int64_t context_start = 0;
};

// Health of one backend.
struct BackendStatus {
  std::string name;  // endpoint URL or kEmbeddedBackend
  bool healthy = false;
  // Why the last check or request failed; empty when healthy.
  std::string last_error;
  absl::Time last_checked;
  // Failed checks in a row.
  std::int64_t consecutive_failures = 0;
};

struct ServiceStatus {
  // Where a new session's turn would go now: an endpoint URL, kEmbeddedBackend, or empty when no
  // backend can serve (remote down, fallback off).
  std::string serving;
  std::vector<BackendStatus> endpoints;
  // Loaded embedded engine, if any.
  std::optional<BackendStatus> embedded;
  bool fallback_on_unavailable = false;
  std::size_t sessions = 0;
  std::int64_t backend_switches = 0;
  std::int64_t prefixes_warmed = 0;
};

// How one warm prefix went on one backend.
struct WarmOutcome {
  std::string prefix;
  std::string backend;
  absl::Status status;
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;
};

// Receives each piece of reply text as it streams; return false to stop the turn (it is then not
// recorded and ContinueSessionStream returns kCancelled). Called on the caller's thread.
using TextCallback = std::function<bool(std::string_view text)>;

// What a Service may be given instead of building it from the config.
struct ServiceOptions {
  // An engine the caller owns (and keeps alive longer than the Service) to use as the embedded
  // backend instead of loading optimization.engine; `radixlm serve --config` passes its own.
  engine::Engine* embedded_engine = nullptr;
};

class Service {
 public:
  // Checks every endpoint once, loads the embedded engine when it can be needed, opens (or
  // creates) the session store, warms sglang.warm_prefixes on the serving backend and starts the
  // background health checks and cleanup. Errors name the config key or file at fault.
  static absl::StatusOr<std::unique_ptr<Service>> Create(const Config& config,
                                                         const ServiceOptions& options = {});
  // LoadConfigFile(path), then Create().
  static absl::StatusOr<std::unique_ptr<Service>> CreateFromFile(const std::string& path);
  // Stops the background work. No call may be in flight.
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Creates session `id` (1..256 bytes) with `system_prompt` (may be empty). kAlreadyExists for an
  // existing id unless `replace_existing`; kResourceExhausted over max_sessions.
  absl::StatusOr<SessionInfo> CreateSession(std::string_view id, std::string_view system_prompt,
                                            bool replace_existing = false);
  // Sends the session's system prompt, history (as the context policy allows) and `user_message`
  // to the backend chosen as above; on success stores the turn. On failure nothing is stored.
  absl::StatusOr<TurnResult> ContinueSession(std::string_view id, std::string_view user_message,
                                             const TurnOptions& turn_options = {},
                                             const CallOptions& options = {});
  absl::StatusOr<TurnResult> ContinueSessionStream(std::string_view id,
                                                   std::string_view user_message,
                                                   const TextCallback& on_text,
                                                   const TurnOptions& turn_options = {},
                                                   const CallOptions& options = {});
  // kNotFound when unknown. A turn in flight on the session finishes but is not stored.
  absl::Status DeleteSession(std::string_view id);
  // Removes sessions unused for `max_age` (none in flight); returns how many.
  std::size_t CleanupSessions(absl::Duration max_age);
  absl::StatusOr<SessionInfo> GetSession(std::string_view id) const;
  // Session ids, sorted.
  std::vector<std::string> ListSessions() const;

  // Warms `prefixes` on every healthy endpoint, or on the embedded engine when none is healthy.
  // Create() warms sglang.warm_prefixes, and an endpoint that recovers from an outage gets them
  // again (a restarted server has an empty cache).
  std::vector<WarmOutcome> WarmPrefixes(const std::vector<std::string>& prefixes,
                                        const CallOptions& options = {});

  ServiceStatus Status() const;
  // Prometheus text of the service's counters and histograms (radixlm_service_* series).
  std::string MetricsText() const;

 private:
  class Impl;
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace radixlm::optimization

#endif  // RADIXLM_OPTIMIZATION_SERVICE_H_
