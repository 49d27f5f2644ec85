// ServerContext: what every route shares — the engine, the server's settings, and the state the
// server keeps beside the engine (live requests, sessions, metrics). Owned by Server; routes get
// a reference for the server's lifetime.
#ifndef RADIXLM_SRC_SERVER_SERVER_CONTEXT_H_
#define RADIXLM_SRC_SERVER_SERVER_CONTEXT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "radixlm/engine/engine.h"
#include "src/server/metrics.h"
#include "src/server/request_tracker.h"
#include "src/server/sessions.h"

namespace radixlm::server {

// The settings of `radixlm serve` that routes report or enforce.
struct ServeSettings {
  std::string host = "127.0.0.1";
  int port = 30000;
  std::string api_key;  // empty: no authentication
  int io_threads = 2;
  std::size_t max_body_bytes = std::size_t{32} << 20;
  absl::Duration read_timeout = absl::Seconds(60);
  // How long shutdown lets in-flight requests finish before aborting them.
  absl::Duration shutdown_grace = absl::Seconds(5);
  // More Prometheus text appended to /metrics (radixlm serve --config: the optimization service's
  // series); called on an I/O thread for every scrape.
  std::function<std::string()> extra_metrics;
};

struct ServerContext {
  ServerContext(engine::Engine& engine_ref, ServeSettings serve_settings);

  engine::Engine& engine;
  const ServeSettings settings;
  const std::string served_model_name;
  Metrics metrics;
  RequestTracker tracker;
  SessionStore sessions;
  // The token the tokenizer puts before a text (BOS), if any; stripped from session chunks.
  std::optional<std::int32_t> bos_token_id;
  const absl::Time started = absl::Now();
  std::atomic<bool> shutting_down{false};

  // The text of one token for logprob answers (special tokens kept).
  std::string TokenText(std::int32_t token) const;
};

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_SERVER_CONTEXT_H_
