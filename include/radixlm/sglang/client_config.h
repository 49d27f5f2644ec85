// radixlm/sglang/client_config.h — settings of a radixlm::sglang::Client.
//
// A plain struct with the defaults documented beside each field; the YAML loader
// (radixlm/optimization/config.h) fills it from `optimization.sglang`. Copyable; a Client copies its
// config at construction, so later changes to the struct do not affect a running Client.
#ifndef RADIXLM_SGLANG_CLIENT_CONFIG_H_
#define RADIXLM_SGLANG_CLIENT_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace radixlm::sglang {

// When and how often a failed request is sent again. Only failures that cannot have been processed
// by the server are retried: connection refused, HTTP 429 and 503 always; a connection reset or an
// empty reply only for requests that are safe to repeat (reads, and completions without server-side
// session state). Never retried: timeouts, 4xx other than 429, 5xx other than 503, malformed
// responses, and a stream after its first byte reached the caller.
struct RetryPolicy {
  // Total attempts including the first; 1 disables retries.
  int max_attempts = 3;
  // Backoff before retry k (k = 1, 2, ...) is min(max_backoff, initial_backoff * multiplier^(k-1)),
  // scaled by a uniform random factor in [1 - jitter, 1 + jitter].
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  double multiplier = 2.0;
  double jitter = 0.2;
  // A Retry-After header (seconds) on 429/503 replaces the computed backoff, capped by max_backoff.
  bool honor_retry_after = true;
};

// How a session keeps its history inside the model's context window. Every turn's request is the
// previous request plus the new turn, so the server's prefix cache hits, until a limit below is
// crossed; then the oldest whole turns (user + assistant) are dropped, the system prompt is always
// kept, and the next request starts a new stable prefix. 0 means "no limit".
struct SessionPolicy {
  // Keep at most this many earlier turns in the request.
  std::size_t max_history_turns = 0;
  // Drop oldest turns while the estimated prompt tokens of the next request exceed this. The
  // estimate uses the server's own counts: previous prompt_tokens + completion_tokens, plus the new
  // message at ~4 bytes per token.
  std::int64_t max_prompt_tokens = 0;
};

struct ClientConfig {
  // Server root, e.g. "http://localhost:30000" (a trailing '/' is ignored).
  std::string base_url = "http://localhost:30000";
  // Total time for one HTTP exchange, streaming included (the seed's `timeout: "120s"`).
  absl::Duration timeout = absl::Seconds(120);
  // Time to establish the TCP connection.
  absl::Duration connect_timeout = absl::Seconds(10);
  // Sent as `Authorization: Bearer <api_key>` when not empty.
  std::string api_key;
  // Model name put in requests that do not name one; SGLang echoes it back ("default").
  std::string model = "default";
  RetryPolicy retry;
  SessionPolicy session_policy;
  // Keep-alive connections kept idle for reuse; more concurrent calls open extra connections.
  std::size_t max_idle_connections = 16;
  // A response body larger than this fails with kResourceExhausted instead of growing memory.
  std::size_t max_response_bytes = std::size_t{256} << 20;
  // WarmPrefixes runs at most this many warm requests at once.
  std::size_t warm_concurrency = 4;
  // Sent as User-Agent.
  std::string user_agent = "radixlm-client/0.1";
};

}  // namespace radixlm::sglang

#endif  // RADIXLM_SGLANG_CLIENT_CONFIG_H_
