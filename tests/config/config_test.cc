#include "radixlm/optimization/config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/config/yaml_loader.h"

namespace radixlm::optimization {
namespace {

// Every field, so that a key ToYaml() forgets or the loader misreads shows up as a difference.
void ExpectSameConfig(const Config& actual, const Config& expected) {
  const SGLangConfig& a = actual.sglang;
  const SGLangConfig& e = expected.sglang;
  EXPECT_EQ(a.enabled, e.enabled);
  EXPECT_EQ(a.endpoint, e.endpoint);
  EXPECT_EQ(a.timeout, e.timeout);
  EXPECT_EQ(a.fallback_on_unavailable, e.fallback_on_unavailable);
  EXPECT_EQ(a.connect_timeout, e.connect_timeout);
  EXPECT_EQ(a.api_key, e.api_key);
  EXPECT_EQ(a.model, e.model);
  EXPECT_EQ(a.retry.max_attempts, e.retry.max_attempts);
  EXPECT_EQ(a.retry.initial_backoff, e.retry.initial_backoff);
  EXPECT_EQ(a.retry.max_backoff, e.retry.max_backoff);
  EXPECT_EQ(a.retry.multiplier, e.retry.multiplier);
  EXPECT_EQ(a.retry.jitter, e.retry.jitter);
  EXPECT_EQ(a.retry.honor_retry_after, e.retry.honor_retry_after);
  EXPECT_EQ(a.max_idle_connections, e.max_idle_connections);
  EXPECT_EQ(a.max_response_bytes, e.max_response_bytes);
  EXPECT_EQ(a.warm_concurrency, e.warm_concurrency);
  EXPECT_EQ(a.warm_prefixes, e.warm_prefixes);
  EXPECT_EQ(a.endpoints, e.endpoints);
  EXPECT_EQ(a.health_check_interval, e.health_check_interval);
  EXPECT_EQ(a.health_backoff_initial, e.health_backoff_initial);
  EXPECT_EQ(a.health_backoff_max, e.health_backoff_max);
  EXPECT_EQ(actual.engine.model, expected.engine.model);
  EXPECT_EQ(actual.engine.threads, expected.engine.threads);
  EXPECT_EQ(actual.engine.weight_type, expected.engine.weight_type);
  EXPECT_EQ(actual.engine.max_kv_tokens, expected.engine.max_kv_tokens);
  EXPECT_EQ(actual.engine.context_length, expected.engine.context_length);
  EXPECT_EQ(actual.sessions.max_history_turns, expected.sessions.max_history_turns);
  EXPECT_EQ(actual.sessions.max_prompt_tokens, expected.sessions.max_prompt_tokens);
  EXPECT_EQ(actual.sessions.idle_ttl, expected.sessions.idle_ttl);
  EXPECT_EQ(actual.sessions.max_sessions, expected.sessions.max_sessions);
  EXPECT_EQ(actual.sessions.store_path, expected.sessions.store_path);
  EXPECT_EQ(actual.sessions.cleanup_interval, expected.sessions.cleanup_interval);
}

// A Config in which every field differs from its default.
Config EveryFieldChanged() {
  Config config;
  SGLangConfig& s = config.sglang;
  s.enabled = true;
  s.endpoint = "https://sglang.internal:8443/root";
  s.timeout = absl::Hours(1) + absl::Minutes(15) + absl::Nanoseconds(30'918'273'645);
  s.fallback_on_unavailable = true;
  s.connect_timeout = absl::Milliseconds(1500);
  // Strings a careless writer would break: YAML keywords, quotes, escapes, a comment marker.
  s.api_key = "true";
  s.model = "llama \"3\" # 8b: \\ instruct";
  s.retry.max_attempts = 7;
  s.retry.initial_backoff = absl::Microseconds(250);
  s.retry.max_backoff = absl::ZeroDuration();
  s.retry.multiplier = 1.1;
  s.retry.jitter = 0.3333333333333333;
  s.retry.honor_retry_after = false;
  s.max_idle_connections = 0;
  s.max_response_bytes = 123'456'789'012;
  s.warm_concurrency = 9;
  s.warm_prefixes = {"You are helpful.\nBe brief.\t\x01", "", "- not a list item", "Grüße ✓"};
  s.endpoints = {"http://gpu-a:30000", "HTTPS://gpu-b:8443/sglang#x"};
  s.health_check_interval = absl::Milliseconds(2500);
  s.health_backoff_initial = absl::Microseconds(750);
  s.health_backoff_max = absl::Minutes(2);
  config.engine.model = "/models/SmolLM2 135M: \"instruct\"";
  config.engine.threads = 6;
  config.engine.weight_type = "int8-block";
  config.engine.max_kv_tokens = 5'000'000'000;
  config.engine.context_length = 4096;
  config.sessions.max_history_turns = 12;
  config.sessions.max_prompt_tokens = 8192;
  config.sessions.idle_ttl = absl::Minutes(90);
  config.sessions.max_sessions = 3;
  config.sessions.store_path = "/var/lib/radixlm/sessions #1.db";
  config.sessions.cleanup_interval = absl::Seconds(15);
  return config;
}

TEST(DefaultConfigTest, RemoteServerIsOffAndSessionsHaveDocumentedLimits) {
  const Config config = DefaultConfig();
  EXPECT_FALSE(config.sglang.enabled);
  EXPECT_FALSE(config.sglang.fallback_on_unavailable);
  EXPECT_TRUE(config.sglang.warm_prefixes.empty());
  EXPECT_EQ(config.sessions.max_history_turns, 0u);
  EXPECT_EQ(config.sessions.max_prompt_tokens, 0);
  EXPECT_EQ(config.sessions.idle_ttl, absl::Hours(1));
  EXPECT_EQ(config.sessions.max_sessions, 10000u);
  EXPECT_TRUE(config.sessions.store_path.empty());
  EXPECT_EQ(config.sessions.cleanup_interval, absl::Minutes(1));
}

TEST(DefaultConfigTest, HealthChecksAndEngineHaveDocumentedDefaults) {
  const Config config = DefaultConfig();
  EXPECT_TRUE(config.sglang.endpoints.empty());
  EXPECT_EQ(config.sglang.health_check_interval, absl::Seconds(10));
  EXPECT_EQ(config.sglang.health_backoff_initial, absl::Milliseconds(500));
  EXPECT_EQ(config.sglang.health_backoff_max, absl::Seconds(30));
  EXPECT_TRUE(config.engine.model.empty());
  EXPECT_EQ(config.engine.threads, 0);
  EXPECT_EQ(config.engine.weight_type, "stored");
  EXPECT_EQ(config.engine.max_kv_tokens, 0);
  EXPECT_EQ(config.engine.context_length, 0);
}

TEST(EndpointListTest, SingleEndpointWhenTheListIsEmpty) {
  Config config = DefaultConfig();
  config.sglang.endpoint = "http://only:30000";
  EXPECT_EQ(EndpointList(config), std::vector<std::string>{"http://only:30000"});
}

TEST(EndpointListTest, ListReplacesTheSingleEndpoint) {
  Config config = DefaultConfig();
  config.sglang.endpoint = "http://ignored:30000";
  config.sglang.endpoints = {"http://a:30000", "http://b:30000"};
  EXPECT_EQ(EndpointList(config), (std::vector<std::string>{"http://a:30000", "http://b:30000"}));
}

TEST(DefaultConfigTest, ConnectionDefaultsEqualClientConfigDefaults) {
  const sglang::ClientConfig mapped = ToClientConfig(DefaultConfig());
  const sglang::ClientConfig client;
  EXPECT_EQ(mapped.base_url, client.base_url);
  EXPECT_EQ(mapped.timeout, client.timeout);
  EXPECT_EQ(mapped.connect_timeout, client.connect_timeout);
  EXPECT_EQ(mapped.api_key, client.api_key);
  EXPECT_EQ(mapped.model, client.model);
  EXPECT_EQ(mapped.retry.max_attempts, client.retry.max_attempts);
  EXPECT_EQ(mapped.retry.initial_backoff, client.retry.initial_backoff);
  EXPECT_EQ(mapped.retry.max_backoff, client.retry.max_backoff);
  EXPECT_EQ(mapped.retry.multiplier, client.retry.multiplier);
  EXPECT_EQ(mapped.retry.jitter, client.retry.jitter);
  EXPECT_EQ(mapped.retry.honor_retry_after, client.retry.honor_retry_after);
  EXPECT_EQ(mapped.session_policy.max_history_turns, client.session_policy.max_history_turns);
  EXPECT_EQ(mapped.session_policy.max_prompt_tokens, client.session_policy.max_prompt_tokens);
  EXPECT_EQ(mapped.max_idle_connections, client.max_idle_connections);
  EXPECT_EQ(mapped.max_response_bytes, client.max_response_bytes);
  EXPECT_EQ(mapped.warm_concurrency, client.warm_concurrency);
  EXPECT_EQ(mapped.user_agent, client.user_agent);
}

TEST(ToClientConfigTest, MapsEveryConnectionAndSessionField) {
  const Config config = EveryFieldChanged();
  const sglang::ClientConfig client = ToClientConfig(config);
  EXPECT_EQ(client.base_url, "https://sglang.internal:8443/root");
  EXPECT_EQ(client.timeout, config.sglang.timeout);
  EXPECT_EQ(client.connect_timeout, absl::Milliseconds(1500));
  EXPECT_EQ(client.api_key, "true");
  EXPECT_EQ(client.model, config.sglang.model);
  EXPECT_EQ(client.retry.max_attempts, 7);
  EXPECT_EQ(client.retry.initial_backoff, absl::Microseconds(250));
  EXPECT_EQ(client.retry.max_backoff, absl::ZeroDuration());
  EXPECT_EQ(client.retry.multiplier, 1.1);
  EXPECT_EQ(client.retry.jitter, 0.3333333333333333);
  EXPECT_FALSE(client.retry.honor_retry_after);
  EXPECT_EQ(client.session_policy.max_history_turns, 12u);
  EXPECT_EQ(client.session_policy.max_prompt_tokens, 8192);
  EXPECT_EQ(client.max_idle_connections, 0u);
  EXPECT_EQ(client.max_response_bytes, 123'456'789'012u);
  EXPECT_EQ(client.warm_concurrency, 9u);
}

TEST(ToYamlTest, EveryKeyRoundTrips) {
  const Config config = EveryFieldChanged();
  const std::string yaml = ToYaml(config);
  const absl::StatusOr<Config> parsed = internal::ReadYaml(yaml, "written.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << yaml;
  ExpectSameConfig(*parsed, config);
}

TEST(ToYamlTest, DefaultsRoundTrip) {
  const absl::StatusOr<Config> parsed = internal::ReadYaml(ToYaml(DefaultConfig()), "d.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ExpectSameConfig(*parsed, DefaultConfig());
}

TEST(ToYamlTest, WritesGoDurationsAndTheSeedLayout) {
  const std::string yaml = ToYaml(DefaultConfig());
  EXPECT_NE(yaml.find("optimization:\n  sglang:\n    enabled: false\n"
                      "    endpoint: \"http://localhost:30000\"\n    timeout: \"2m0s\"\n"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("    warm_prefixes: []\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("      initial_backoff: \"200ms\"\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("    idle_ttl: \"1h0m0s\"\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("    endpoints: []\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("  engine:\n    model: \"\"\n    threads: 0\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("    cleanup_interval: \"1m0s\"\n"), std::string::npos) << yaml;
}

}  // namespace
}  // namespace radixlm::optimization
