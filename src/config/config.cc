#include "radixlm/optimization/config.h"

#include <string>
#include <vector>

#include "fmt/format.h"
#include "src/common/duration.h"
#include "src/common/strings.h"

namespace radixlm::optimization {
namespace {

// A YAML double-quoted scalar. Quoting every string keeps values such as "true", "0x1f", "# x" or
// ": " strings when read back; escapes cover the characters a double-quoted scalar cannot hold.
std::string QuotedYaml(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string QuotedDuration(absl::Duration duration) {
  return QuotedYaml(FormatGoDuration(duration));
}

std::string_view Bool(bool value) { return value ? "true" : "false"; }

// The value of a list key of optimization.sglang, following its "key:": " []" when empty, else
// one "- item" line per element.
std::string SGLangListYaml(const std::vector<std::string>& items) {
  if (items.empty()) return " []";
  std::string out;
  for (const std::string& item : items) {
    out += radixlm::StrCat("\n      - ", QuotedYaml(item));
  }
  return out;
}

}  // namespace

Config DefaultConfig() { return Config{}; }

std::vector<std::string> EndpointList(const Config& config) {
  if (!config.sglang.endpoints.empty()) return config.sglang.endpoints;
  return {config.sglang.endpoint};
}

sglang::ClientConfig ToClientConfig(const Config& config) {
  const SGLangConfig& remote = config.sglang;
  sglang::ClientConfig client;
  client.base_url = remote.endpoint;
  client.timeout = remote.timeout;
  client.connect_timeout = remote.connect_timeout;
  client.api_key = remote.api_key;
  client.model = remote.model;
  client.retry = remote.retry;
  client.session_policy.max_history_turns = config.sessions.max_history_turns;
  client.session_policy.max_prompt_tokens = config.sessions.max_prompt_tokens;
  client.max_idle_connections = remote.max_idle_connections;
  client.max_response_bytes = remote.max_response_bytes;
  client.warm_concurrency = remote.warm_concurrency;
  return client;
}

std::string ToYaml(const Config& config) {
  const SGLangConfig& s = config.sglang;
  const EngineConfig& e = config.engine;
  // fmt writes doubles in the shortest form that reads back exactly.
  return fmt::format(
      R"(# radixlm configuration; docs/CONFIG.md describes every key.
optimization:
  sglang:
    enabled: {enabled}
    endpoint: {endpoint}
    timeout: {timeout}
    fallback_on_unavailable: {fallback_on_unavailable}
    connect_timeout: {connect_timeout}
    api_key: {api_key}
    model: {model}
    max_idle_connections: {max_idle_connections}
    max_response_bytes: {max_response_bytes}
    warm_concurrency: {warm_concurrency}
    warm_prefixes:{warm_prefixes}
    endpoints:{endpoints}
    health_check_interval: {health_check_interval}
    health_backoff_initial: {health_backoff_initial}
    health_backoff_max: {health_backoff_max}
    retry:
      max_attempts: {max_attempts}
      initial_backoff: {initial_backoff}
      max_backoff: {max_backoff}
      multiplier: {multiplier}
      jitter: {jitter}
      honor_retry_after: {honor_retry_after}
  engine:
    model: {engine_model}
    threads: {threads}
    weight_type: {weight_type}
    max_kv_tokens: {max_kv_tokens}
    context_length: {context_length}
  sessions:
    max_history_turns: {max_history_turns}
    max_prompt_tokens: {max_prompt_tokens}
    idle_ttl: {idle_ttl}
    max_sessions: {max_sessions}
    store_path: {store_path}
    cleanup_interval: {cleanup_interval}
)",
      fmt::arg("enabled", Bool(s.enabled)), fmt::arg("endpoint", QuotedYaml(s.endpoint)),
      fmt::arg("timeout", QuotedDuration(s.timeout)),
      fmt::arg("fallback_on_unavailable", Bool(s.fallback_on_unavailable)),
      fmt::arg("connect_timeout", QuotedDuration(s.connect_timeout)),
      fmt::arg("api_key", QuotedYaml(s.api_key)), fmt::arg("model", QuotedYaml(s.model)),
      fmt::arg("max_idle_connections", s.max_idle_connections),
      fmt::arg("max_response_bytes", s.max_response_bytes),
      fmt::arg("warm_concurrency", s.warm_concurrency),
      fmt::arg("warm_prefixes", SGLangListYaml(s.warm_prefixes)),
      fmt::arg("endpoints", SGLangListYaml(s.endpoints)),
      fmt::arg("health_check_interval", QuotedDuration(s.health_check_interval)),
      fmt::arg("health_backoff_initial", QuotedDuration(s.health_backoff_initial)),
      fmt::arg("health_backoff_max", QuotedDuration(s.health_backoff_max)),
      fmt::arg("max_attempts", s.retry.max_attempts),
      fmt::arg("initial_backoff", QuotedDuration(s.retry.initial_backoff)),
      fmt::arg("max_backoff", QuotedDuration(s.retry.max_backoff)),
      fmt::arg("multiplier", s.retry.multiplier), fmt::arg("jitter", s.retry.jitter),
      fmt::arg("honor_retry_after", Bool(s.retry.honor_retry_after)),
      fmt::arg("engine_model", QuotedYaml(e.model)), fmt::arg("threads", e.threads),
      fmt::arg("weight_type", QuotedYaml(e.weight_type)),
      fmt::arg("max_kv_tokens", e.max_kv_tokens), fmt::arg("context_length", e.context_length),
      fmt::arg("max_history_turns", config.sessions.max_history_turns),
      fmt::arg("max_prompt_tokens", config.sessions.max_prompt_tokens),
      fmt::arg("idle_ttl", QuotedDuration(config.sessions.idle_ttl)),
      fmt::arg("max_sessions", config.sessions.max_sessions),
      fmt::arg("store_path", QuotedYaml(config.sessions.store_path)),
      fmt::arg("cleanup_interval", QuotedDuration(config.sessions.cleanup_interval)));
}

}  // namespace radixlm::optimization
