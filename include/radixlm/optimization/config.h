// radixlm/optimization/config.h — the `optimization:` block of a YAML config file.
//
// The seed configures its SGLang integration with
//
//   optimization:
//     sglang:
//       enabled: true
//       endpoint: "http://localhost:30000"
//       timeout: "120s"
//       fallback_on_unavailable: true
//
// and radixlm reads that block unchanged, plus the further keys documented in docs/CONFIG.md.
// Durations are Go duration strings ("120s", "1h30m", "250ms"). Loading is strict: an unknown key,
// a duplicate key, a value of the wrong type or out of range, and malformed YAML are
// kInvalidArgument errors whose message reads
//
//   config.yaml:4: optimization.sglang.timeout: "12x" is not a duration; use a number followed by
//   ns, us, ms, s, m or h, e.g. "120s"
//
// An empty file, a missing section or a key set to null keeps the default. After the file,
// environment variables RADIXLM_<KEY> override single keys (RADIXLM_SGLANG_ENDPOINT overrides
// optimization.sglang.endpoint); see ApplyEnvironment().
//
// Example:
//
//   absl::StatusOr<radixlm::optimization::Config> config =
//       radixlm::optimization::LoadConfigFile("radixlm.yaml");
//   if (!config.ok()) return config.status();
//   radixlm::sglang::Client client(radixlm::optimization::ToClientConfig(*config));
//
// Thread safety: the structs are plain values. LoadConfigFile() and ParseConfig() read the process
// environment, so they must not run concurrently with setenv(); everything else is pure.
#ifndef RADIXLM_OPTIMIZATION_CONFIG_H_
#define RADIXLM_OPTIMIZATION_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radixlm/sglang/client_config.h"

namespace radixlm::optimization {

// SGLangConfig is `optimization.sglang`: whether to use a remote SGLang server and how to reach it.
// The connection fields and their defaults mirror sglang::ClientConfig; ToClientConfig() maps them.
struct SGLangConfig {
  // Use the remote server at all.
  bool enabled = false;
  // Server root, http:// or https://.
  std::string endpoint = "http://localhost:30000";
  // Total time for one HTTP exchange, streaming included.
  absl::Duration timeout = absl::Seconds(120);
  // Serve requests with the embedded engine while the server is unreachable.
  bool fallback_on_unavailable = false;
  // Time to establish the TCP connection.
  absl::Duration connect_timeout = absl::Seconds(10);
  // Sent as `Authorization: Bearer <api_key>` when not empty.
  std::string api_key;
  // Model name put in requests that do not name one.
  std::string model = "default";
  // `optimization.sglang.retry`.
  sglang::RetryPolicy retry;
  // Keep-alive connections kept idle for reuse.
  std::size_t max_idle_connections = 16;
  // A response body larger than this fails with kResourceExhausted.
  std::size_t max_response_bytes = std::size_t{256} << 20;
  // Warm requests run at once by WarmPrefixes.
  std::size_t warm_concurrency = 4;
  // Prefixes (typically system prompts) to warm into the server's cache at startup.
  std::vector<std::string> warm_prefixes;
  // Several SGLang servers (each an http(s) URL); when not empty it replaces `endpoint`. A session
  // sticks to one of them and moves only when that one is down.
  std::vector<std::string> endpoints;
  // How often the service re-checks a healthy endpoint's /health in the background.
  absl::Duration health_check_interval = absl::Seconds(10);
  // First wait before re-checking an unreachable endpoint; doubles after every failed check up to
  // health_backoff_max.
  absl::Duration health_backoff_initial = absl::Milliseconds(500);
  absl::Duration health_backoff_max = absl::Seconds(30);
};

// EngineConfig is `optimization.engine`: the embedded engine that serves when the remote server is
// disabled, or unreachable with fallback_on_unavailable.
struct EngineConfig {
  // A Hugging Face model folder; empty: the built-in demo model (made on first use).
  std::string model;
  // Kernel threads; 0: one per core.
  int threads = 0;
  // "stored", "int8" or "int8-block" (engine::EngineOptions::weight_type).
  std::string weight_type = "stored";
  // KV cache size in tokens; 0: a 1 GiB budget.
  std::int64_t max_kv_tokens = 0;
  // Longest prompt + reply; 0: the model's own limit.
  std::int64_t context_length = 0;
};

// SessionsConfig is `optimization.sessions`: how conversations are kept. 0 means "no limit" for
// max_history_turns and max_prompt_tokens (see sglang::SessionPolicy).
struct SessionsConfig {
  // Keep at most this many earlier turns in a session's request.
  std::size_t max_history_turns = 0;
  // Drop the oldest turns while the next request's estimated prompt tokens exceed this.
  std::int64_t max_prompt_tokens = 0;
  // A session unused for this long may be removed.
  absl::Duration idle_ttl = absl::Hours(1);
  // At most this many sessions are kept at once.
  std::size_t max_sessions = 10000;
  // SQLite file that keeps sessions across restarts (created if missing); empty: in memory only.
  std::string store_path;
  // How often idle sessions (older than idle_ttl) are removed in the background.
  absl::Duration cleanup_interval = absl::Minutes(1);
};

// Config is the whole `optimization:` block.
struct Config {
  SGLangConfig sglang;
  EngineConfig engine;
  SessionsConfig sessions;
};

// The SGLang endpoints of `config`: sglang.endpoints when not empty, else {sglang.endpoint}.
std::vector<std::string> EndpointList(const Config& config);

// DefaultConfig() returns the configuration used when no file sets anything (the seed's
// optimization.DefaultConfig()); the remote server is disabled.
Config DefaultConfig();

// LoadConfigFile() reads the YAML file at `path`, then applies the environment overrides.
// A missing file is kNotFound; any problem in its content is kInvalidArgument naming the file, the
// line and the dotted key.
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

// ParseConfig() reads YAML text, then applies the environment overrides. `source_name` stands for
// the file name in error messages.
absl::StatusOr<Config> ParseConfig(std::string_view yaml_text,
                                   std::string_view source_name = "<string>");

// ApplyEnvironment() overrides keys of `config` from environment variables read through `getenv`,
// which returns nullopt for an unset variable. Each scalar key optimization.<a>.<b> has the
// variable RADIXLM_<A>_<B> (RADIXLM_SGLANG_RETRY_MAX_ATTEMPTS for
// optimization.sglang.retry.max_attempts), parsed as the YAML value would be; an empty value counts
// as unset. The lists optimization.sglang.warm_prefixes and optimization.sglang.endpoints have no
// variable. A bad value is
// kInvalidArgument naming the variable. LoadConfigFile() and ParseConfig() call this with the
// process environment; tests pass their own `getenv`.
absl::Status ApplyEnvironment(
    Config& config, const std::function<std::optional<std::string>(std::string_view)>& getenv);

// ToClientConfig() returns the sglang::Client settings of `config`: endpoint becomes base_url,
// sessions.max_history_turns and sessions.max_prompt_tokens become session_policy, the other
// connection fields copy over. enabled, fallback_on_unavailable and warm_prefixes are for the
// service that owns the client and have no counterpart.
sglang::ClientConfig ToClientConfig(const Config& config);

// ToYaml() writes `config` as a complete config file, every key present, that ParseConfig() reads
// back to an equal Config (environment overrides aside).
std::string ToYaml(const Config& config);

}  // namespace radixlm::optimization

#endif  // RADIXLM_OPTIMIZATION_CONFIG_H_
