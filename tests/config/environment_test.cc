#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "radixlm/optimization/config.h"
#include "src/config/yaml_loader.h"

namespace radixlm::optimization {
namespace {

using ::testing::ElementsAre;

using Variables = std::map<std::string, std::string>;

// A getenv over a fixed map that also records which names were asked for.
class FakeEnvironment {
 public:
  explicit FakeEnvironment(Variables variables) : variables_(std::move(variables)) {}

  std::function<std::optional<std::string>(std::string_view)> Getenv() {
    return [this](std::string_view name) -> std::optional<std::string> {
      asked_.emplace_back(name);
      const auto it = variables_.find(std::string(name));
      if (it == variables_.end()) return std::nullopt;
      return it->second;
    };
  }

  const std::vector<std::string>& asked() const { return asked_; }

 private:
  Variables variables_;
  std::vector<std::string> asked_;
};

TEST(ApplyEnvironmentTest, EveryScalarKeyHasAVariableNamedAfterIt) {
  FakeEnvironment environment(Variables{});
  Config config = DefaultConfig();
  ASSERT_TRUE(ApplyEnvironment(config, environment.Getenv()).ok());
  // warm_prefixes and endpoints are lists and deliberately have no variable.
  EXPECT_THAT(
      environment.asked(),
      ElementsAre("RADIXLM_SGLANG_ENABLED", "RADIXLM_SGLANG_ENDPOINT", "RADIXLM_SGLANG_TIMEOUT",
                  "RADIXLM_SGLANG_FALLBACK_ON_UNAVAILABLE", "RADIXLM_SGLANG_CONNECT_TIMEOUT",
                  "RADIXLM_SGLANG_API_KEY", "RADIXLM_SGLANG_MODEL",
                  "RADIXLM_SGLANG_MAX_IDLE_CONNECTIONS", "RADIXLM_SGLANG_MAX_RESPONSE_BYTES",
                  "RADIXLM_SGLANG_WARM_CONCURRENCY", "RADIXLM_SGLANG_HEALTH_CHECK_INTERVAL",
                  "RADIXLM_SGLANG_HEALTH_BACKOFF_INITIAL", "RADIXLM_SGLANG_HEALTH_BACKOFF_MAX",
                  "RADIXLM_SGLANG_RETRY_MAX_ATTEMPTS", "RADIXLM_SGLANG_RETRY_INITIAL_BACKOFF",
                  "RADIXLM_SGLANG_RETRY_MAX_BACKOFF", "RADIXLM_SGLANG_RETRY_MULTIPLIER",
                  "RADIXLM_SGLANG_RETRY_JITTER", "RADIXLM_SGLANG_RETRY_HONOR_RETRY_AFTER",
                  "RADIXLM_ENGINE_MODEL", "RADIXLM_ENGINE_THREADS", "RADIXLM_ENGINE_WEIGHT_TYPE",
                  "RADIXLM_ENGINE_MAX_KV_TOKENS", "RADIXLM_ENGINE_CONTEXT_LENGTH",
                  "RADIXLM_SESSIONS_MAX_HISTORY_TURNS", "RADIXLM_SESSIONS_MAX_PROMPT_TOKENS",
                  "RADIXLM_SESSIONS_IDLE_TTL", "RADIXLM_SESSIONS_MAX_SESSIONS",
                  "RADIXLM_SESSIONS_STORE_PATH", "RADIXLM_SESSIONS_CLEANUP_INTERVAL"));
}

TEST(ApplyEnvironmentTest, VariablesOverrideTheFile) {
  absl::StatusOr<Config> config = internal::ReadYaml(R"(
optimization:
  sglang:
    enabled: false
    endpoint: "http://file:30000"
    timeout: "120s"
    api_key: "from-file"
    retry:
      max_attempts: 2
      jitter: 0.5
  sessions:
    idle_ttl: "1h"
)",
                                                     "config.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  FakeEnvironment environment(Variables{{"RADIXLM_SGLANG_ENABLED", "true"},
                                        {"RADIXLM_SGLANG_ENDPOINT", "https://env:443"},
                                        {"RADIXLM_SGLANG_TIMEOUT", "1h30m"},
                                        {"RADIXLM_SGLANG_API_KEY", "sk-env"},
                                        {"RADIXLM_SGLANG_RETRY_MAX_ATTEMPTS", "5"},
                                        {"RADIXLM_SGLANG_RETRY_JITTER", "0"},
                                        {"RADIXLM_SESSIONS_IDLE_TTL", "250ms"},
                                        {"RADIXLM_SESSIONS_MAX_SESSIONS", "7"}});
  ASSERT_TRUE(ApplyEnvironment(*config, environment.Getenv()).ok());
  EXPECT_TRUE(config->sglang.enabled);
  EXPECT_EQ(config->sglang.endpoint, "https://env:443");
  EXPECT_EQ(config->sglang.timeout, absl::Minutes(90));
  EXPECT_EQ(config->sglang.api_key, "sk-env");
  EXPECT_EQ(config->sglang.retry.max_attempts, 5);
  EXPECT_EQ(config->sglang.retry.jitter, 0.0);
  EXPECT_EQ(config->sessions.idle_ttl, absl::Milliseconds(250));
  EXPECT_EQ(config->sessions.max_sessions, 7u);
  // Keys without a variable keep the file's value.
  EXPECT_EQ(config->sglang.model, "default");
}

TEST(ApplyEnvironmentTest, VariablesOverrideTheNewKeys) {
  absl::StatusOr<Config> config = internal::ReadYaml(R"(
optimization:
  sglang:
    endpoints: ["http://file-a:30000", "http://file-b:30000"]
    health_check_interval: 1m
  engine:
    model: /from/file
    weight_type: int8
  sessions:
    store_path: file.db
)",
                                                     "config.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  FakeEnvironment environment(Variables{{"RADIXLM_SGLANG_HEALTH_CHECK_INTERVAL", "2s"},
                                        {"RADIXLM_SGLANG_HEALTH_BACKOFF_INITIAL", "100ms"},
                                        {"RADIXLM_SGLANG_HEALTH_BACKOFF_MAX", "5s"},
                                        {"RADIXLM_ENGINE_MODEL", "/from/env"},
                                        {"RADIXLM_ENGINE_THREADS", "3"},
                                        {"RADIXLM_ENGINE_WEIGHT_TYPE", "int8-block"},
                                        {"RADIXLM_ENGINE_MAX_KV_TOKENS", "65536"},
                                        {"RADIXLM_ENGINE_CONTEXT_LENGTH", "2048"},
                                        {"RADIXLM_SESSIONS_STORE_PATH", "/tmp/env.db"},
                                        {"RADIXLM_SESSIONS_CLEANUP_INTERVAL", "10s"}});
  ASSERT_TRUE(ApplyEnvironment(*config, environment.Getenv()).ok());
  EXPECT_EQ(config->sglang.health_check_interval, absl::Seconds(2));
  EXPECT_EQ(config->sglang.health_backoff_initial, absl::Milliseconds(100));
  EXPECT_EQ(config->sglang.health_backoff_max, absl::Seconds(5));
  EXPECT_EQ(config->engine.model, "/from/env");
  EXPECT_EQ(config->engine.threads, 3);
  EXPECT_EQ(config->engine.weight_type, "int8-block");
  EXPECT_EQ(config->engine.max_kv_tokens, 65536);
  EXPECT_EQ(config->engine.context_length, 2048);
  EXPECT_EQ(config->sessions.store_path, "/tmp/env.db");
  EXPECT_EQ(config->sessions.cleanup_interval, absl::Seconds(10));
  // The list has no variable and keeps the file's value.
  EXPECT_EQ(config->sglang.endpoints,
            (std::vector<std::string>{"http://file-a:30000", "http://file-b:30000"}));
}

TEST(ApplyEnvironmentTest, BadWeightTypeNamesTheVariableAndTheAllowedValues) {
  Config config = DefaultConfig();
  FakeEnvironment environment(Variables{{"RADIXLM_ENGINE_WEIGHT_TYPE", "q4_0"}});
  const absl::Status status = ApplyEnvironment(config, environment.Getenv());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()),
            "environment variable RADIXLM_ENGINE_WEIGHT_TYPE (optimization.engine.weight_type): "
            "\"q4_0\" is not an allowed value; use \"stored\", \"int8\" or \"int8-block\"");
}

TEST(ApplyEnvironmentTest, HealthBackoffMaxBelowInitialNamesBothKeys) {
  Config config = DefaultConfig();
  FakeEnvironment environment(Variables{{"RADIXLM_SGLANG_HEALTH_BACKOFF_MAX", "100ms"}});
  const absl::Status status = ApplyEnvironment(config, environment.Getenv());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()),
            "environment variable RADIXLM_SGLANG_HEALTH_BACKOFF_MAX "
            "(optimization.sglang.health_backoff_max): \"100ms\" is less than "
            "optimization.sglang.health_backoff_initial (\"500ms\"); raise it or lower "
            "optimization.sglang.health_backoff_initial");
}

TEST(ApplyEnvironmentTest, HealthBackoffInitialAboveMaxBlamesTheInitialVariable) {
  Config config = DefaultConfig();
  FakeEnvironment environment(Variables{{"RADIXLM_SGLANG_HEALTH_BACKOFF_INITIAL", "45s"}});
  EXPECT_EQ(std::string(ApplyEnvironment(config, environment.Getenv()).message()),
            "environment variable RADIXLM_SGLANG_HEALTH_BACKOFF_INITIAL "
            "(optimization.sglang.health_backoff_initial): \"45s\" is more than "
            "optimization.sglang.health_backoff_max (\"30s\"); lower it or raise "
            "optimization.sglang.health_backoff_max");
}

TEST(ApplyEnvironmentTest, VariablesMayMoveBothHealthBackoffBoundsAtOnce) {
  Config config = DefaultConfig();
  FakeEnvironment environment(Variables{{"RADIXLM_SGLANG_HEALTH_BACKOFF_INITIAL", "45s"},
                                        {"RADIXLM_SGLANG_HEALTH_BACKOFF_MAX", "2m"}});
  ASSERT_TRUE(ApplyEnvironment(config, environment.Getenv()).ok());
  EXPECT_EQ(config.sglang.health_backoff_initial, absl::Seconds(45));
  EXPECT_EQ(config.sglang.health_backoff_max, absl::Minutes(2));
}

TEST(ApplyEnvironmentTest, EmptyVariableCountsAsUnset) {
  Config config = DefaultConfig();
  config.sglang.api_key = "from-file";
  FakeEnvironment environment(
      Variables{{"RADIXLM_SGLANG_API_KEY", ""}, {"RADIXLM_SGLANG_TIMEOUT", ""}});
  ASSERT_TRUE(ApplyEnvironment(config, environment.Getenv()).ok());
  EXPECT_EQ(config.sglang.api_key, "from-file");
  EXPECT_EQ(config.sglang.timeout, absl::Seconds(120));
}

TEST(ApplyEnvironmentTest, BadDurationNamesTheVariableAndTheKey) {
  Config config = DefaultConfig();
  FakeEnvironment environment(Variables{{"RADIXLM_SGLANG_TIMEOUT", "12x"}});
  const absl::Status status = ApplyEnvironment(config, environment.Getenv());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()),
            "environment variable RADIXLM_SGLANG_TIMEOUT (optimization.sglang.timeout): \"12x\" "
            "is not a duration; use a number followed by ns, us, ms, s, m or h, e.g. \"120s\"");
}

TEST(ApplyEnvironmentTest, BadBooleanAndCountAreRejected) {
  Config config = DefaultConfig();
  FakeEnvironment yes(Variables{{"RADIXLM_SGLANG_ENABLED", "yes"}});
  EXPECT_EQ(std::string(ApplyEnvironment(config, yes.Getenv()).message()),
            "environment variable RADIXLM_SGLANG_ENABLED (optimization.sglang.enabled): \"yes\" is "
            "not a boolean; write true or false");
  FakeEnvironment zero(Variables{{"RADIXLM_SGLANG_RETRY_MAX_ATTEMPTS", "0"}});
  EXPECT_EQ(std::string(ApplyEnvironment(config, zero.Getenv()).message()),
            "environment variable RADIXLM_SGLANG_RETRY_MAX_ATTEMPTS "
            "(optimization.sglang.retry.max_attempts): 0 is less than 1; use a whole number from "
            "1 up");
  EXPECT_FALSE(config.sglang.enabled);
  EXPECT_EQ(config.sglang.retry.max_attempts, 3);
}

// Sets a variable for one test and restores the previous state after it.
class ScopedEnvironmentVariable {
 public:
  ScopedEnvironmentVariable(const char* name, const char* value) : name_(name) {
    if (const char* previous = std::getenv(name); previous != nullptr) previous_ = previous;
    setenv(name, value, /*overwrite=*/1);
  }
  ~ScopedEnvironmentVariable() {
    if (previous_.has_value()) {
      setenv(name_, previous_->c_str(), /*overwrite=*/1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnvironmentVariable(const ScopedEnvironmentVariable&) = delete;
  ScopedEnvironmentVariable& operator=(const ScopedEnvironmentVariable&) = delete;

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

TEST(ParseConfigTest, AppliesTheProcessEnvironmentAfterTheText) {
  ScopedEnvironmentVariable model("RADIXLM_SGLANG_MODEL", "from-environment");
  const absl::StatusOr<Config> config =
      ParseConfig("optimization:\n  sglang:\n    model: from-text\n", "inline.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->sglang.model, "from-environment");
}

TEST(ParseConfigTest, EngineAndSessionStoreVariablesOverrideTheText) {
  ScopedEnvironmentVariable model("RADIXLM_ENGINE_MODEL", "/models/from-environment");
  ScopedEnvironmentVariable store("RADIXLM_SESSIONS_STORE_PATH", "/tmp/sessions-env.db");
  const absl::StatusOr<Config> config = ParseConfig(
      "optimization:\n  engine:\n    model: /models/from-text\n    threads: 2\n", "inline.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->engine.model, "/models/from-environment");
  EXPECT_EQ(config->engine.threads, 2);
  EXPECT_EQ(config->sessions.store_path, "/tmp/sessions-env.db");
}

TEST(ParseConfigTest, BadProcessEnvironmentValueFailsTheParse) {
  ScopedEnvironmentVariable ttl("RADIXLM_SESSIONS_IDLE_TTL", "90");
  const absl::StatusOr<Config> config = ParseConfig("", "empty.yaml");
  EXPECT_EQ(std::string(config.status().message()),
            "environment variable RADIXLM_SESSIONS_IDLE_TTL (optimization.sessions.idle_ttl): 90 "
            "has no unit; add one, e.g. \"90s\" for seconds");
}

}  // namespace
}  // namespace radixlm::optimization
