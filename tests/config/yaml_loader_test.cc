#include "src/config/yaml_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "radixlm/optimization/config.h"
#include "src/config/environment.h"
#include "src/config/fields.h"

namespace radixlm::optimization {
namespace {

using internal::ReadYaml;

TEST(ReadYamlTest, ReadsTheSeedsBlockExactly) {
  // Verbatim from the seed's SGLang-Integration-Guide.md, "Configuration".
  const absl::StatusOr<Config> config = ReadYaml(R"(optimization:
  sglang:
    enabled: true
    endpoint: "http://localhost:30000"
    timeout: "120s"
    fallback_on_unavailable: true
)",
                                                 "seed.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->sglang.enabled);
  EXPECT_EQ(config->sglang.endpoint, "http://localhost:30000");
  EXPECT_EQ(config->sglang.timeout, absl::Seconds(120));
  EXPECT_TRUE(config->sglang.fallback_on_unavailable);
  EXPECT_EQ(config->sglang.model, "default");
  EXPECT_EQ(config->sessions.max_sessions, 10000u);
}

TEST(ReadYamlTest, EmptyOrCommentOnlyTextGivesDefaults) {
  for (const char* text : {"", "\n\n", "# nothing configured yet\n", "optimization:\n",
                           "optimization:\n  sglang:\n  sessions:\n"}) {
    const absl::StatusOr<Config> config = ReadYaml(text, "empty.yaml");
    ASSERT_TRUE(config.ok()) << text << ": " << config.status();
    EXPECT_FALSE(config->sglang.enabled) << text;
    EXPECT_EQ(config->sglang.timeout, absl::Seconds(120)) << text;
    EXPECT_EQ(config->sessions.idle_ttl, absl::Hours(1)) << text;
  }
}

TEST(ReadYamlTest, MissingSectionAndNullValueKeepDefaults) {
  const absl::StatusOr<Config> config =
      ReadYaml("optimization:\n  sessions:\n    max_sessions: 5\n    idle_ttl:\n", "partial.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->sessions.max_sessions, 5u);
  EXPECT_EQ(config->sessions.idle_ttl, absl::Hours(1));
  EXPECT_EQ(config->sglang.endpoint, "http://localhost:30000");
}

TEST(ReadYamlTest, AcceptsPlainAndFlowSpellings) {
  const absl::StatusOr<Config> flow = ReadYaml(R"(
optimization:
  sglang: {enabled: True, endpoint: HTTPS://gpu-box:30000, timeout: 1h15m30.918273645s,
           model: 42, warm_prefixes: [system one, "system two"],
           retry: {multiplier: 3, jitter: 1, max_backoff: 0}}
)",
                                               "flow.yaml");
  ASSERT_TRUE(flow.ok()) << flow.status();
  EXPECT_TRUE(flow->sglang.enabled);
  EXPECT_EQ(flow->sglang.endpoint, "HTTPS://gpu-box:30000");
  EXPECT_EQ(flow->sglang.timeout,
            absl::Hours(1) + absl::Minutes(15) + absl::Seconds(30) + absl::Nanoseconds(918273645));
  EXPECT_EQ(flow->sglang.model, "42");
  EXPECT_EQ(flow->sglang.warm_prefixes, (std::vector<std::string>{"system one", "system two"}));
  EXPECT_EQ(flow->sglang.retry.multiplier, 3.0);
  EXPECT_EQ(flow->sglang.retry.jitter, 1.0);
  EXPECT_EQ(flow->sglang.retry.max_backoff, absl::ZeroDuration());
}

TEST(ReadYamlTest, ReadsEndpointsHealthChecksEngineAndSessionStore) {
  const absl::StatusOr<Config> config = ReadYaml(R"(
optimization:
  sglang:
    enabled: true
    endpoints:
      - "http://gpu-a:30000"
      - https://gpu-b:8443
    health_check_interval: 5s
    health_backoff_initial: "250ms"
    health_backoff_max: 1m
  engine:
    model: /models/SmolLM2-135M-Instruct
    threads: 8
    weight_type: int8-block
    max_kv_tokens: 131072
    context_length: 8192
  sessions:
    store_path: "/var/lib/radixlm/sessions.db"
    cleanup_interval: 30s
)",
                                                 "new.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->sglang.endpoints,
            (std::vector<std::string>{"http://gpu-a:30000", "https://gpu-b:8443"}));
  EXPECT_EQ(config->sglang.health_check_interval, absl::Seconds(5));
  EXPECT_EQ(config->sglang.health_backoff_initial, absl::Milliseconds(250));
  EXPECT_EQ(config->sglang.health_backoff_max, absl::Minutes(1));
  EXPECT_EQ(config->engine.model, "/models/SmolLM2-135M-Instruct");
  EXPECT_EQ(config->engine.threads, 8);
  EXPECT_EQ(config->engine.weight_type, "int8-block");
  EXPECT_EQ(config->engine.max_kv_tokens, 131072);
  EXPECT_EQ(config->engine.context_length, 8192);
  EXPECT_EQ(config->sessions.store_path, "/var/lib/radixlm/sessions.db");
  EXPECT_EQ(config->sessions.cleanup_interval, absl::Seconds(30));
  // Untouched keys keep their defaults.
  EXPECT_EQ(config->sglang.endpoint, "http://localhost:30000");
  EXPECT_EQ(config->sessions.idle_ttl, absl::Hours(1));
}

TEST(ReadYamlTest, EveryWeightTypeIsAccepted) {
  for (const char* weight_type : {"stored", "int8", "int8-block"}) {
    const absl::StatusOr<Config> config = ReadYaml(
        std::string("optimization:\n  engine:\n    weight_type: ") + weight_type + "\n", "w.yaml");
    ASSERT_TRUE(config.ok()) << weight_type << ": " << config.status();
    EXPECT_EQ(config->engine.weight_type, weight_type);
  }
}

TEST(ReadYamlTest, EmptyEndpointListAndEqualBackoffsAreAccepted) {
  const absl::StatusOr<Config> config = ReadYaml(
      "optimization:\n  sglang:\n    endpoints: []\n    health_backoff_initial: 3s\n"
      "    health_backoff_max: 3s\n",
      "edge.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->sglang.endpoints.empty());
  EXPECT_EQ(config->sglang.health_backoff_initial, absl::Seconds(3));
  EXPECT_EQ(config->sglang.health_backoff_max, absl::Seconds(3));
}

struct BadConfig {
  const char* name;
  const char* yaml;
  const char* message;
};

// Names the case in test output instead of dumping the struct's bytes.
void PrintTo(const BadConfig& bad_config, std::ostream* os) { *os << bad_config.name; }

class ReadYamlErrorTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ReadYamlErrorTest, NamesFileLineKeyAndWhatIsExpected) {
  const absl::StatusOr<Config> config = ReadYaml(GetParam().yaml, "config.yaml");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(config.status().message()), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, ReadYamlErrorTest,
    ::testing::Values(
        BadConfig{"BadDuration",
                  "optimization:\n  sglang:\n    enabled: true\n    timeout: \"12x\"\n",
                  "config.yaml:4: optimization.sglang.timeout: \"12x\" is not a duration; use a "
                  "number followed by ns, us, ms, s, m or h, e.g. \"120s\""},
        BadConfig{"BareNumberDuration", "optimization:\n  sglang:\n    timeout: 120\n",
                  "config.yaml:3: optimization.sglang.timeout: 120 has no unit; add one, e.g. "
                  "\"120s\" for seconds"},
        BadConfig{"NegativeDuration",
                  "optimization:\n  sglang:\n    retry:\n      initial_backoff: -1s\n",
                  "config.yaml:4: optimization.sglang.retry.initial_backoff: \"-1s\" is negative; "
                  "use a duration of at least 0, e.g. \"120s\""},
        BadConfig{"ZeroTimeout", "optimization:\n  sessions:\n    idle_ttl: 0s\n",
                  "config.yaml:3: optimization.sessions.idle_ttl: \"0s\" is zero; use a duration "
                  "of more than 0, e.g. \"120s\""},
        BadConfig{"QuotedBoolean", "optimization:\n  sglang:\n    enabled: \"true\"\n",
                  "config.yaml:3: optimization.sglang.enabled: \"true\" is quoted, so it is a "
                  "string; write true or false without quotes"},
        BadConfig{"Yaml11Boolean", "optimization:\n  sglang:\n    fallback_on_unavailable: yes\n",
                  "config.yaml:3: optimization.sglang.fallback_on_unavailable: \"yes\" is not a "
                  "boolean; write true or false"},
        BadConfig{"NegativeCount", "optimization:\n  sessions:\n    max_history_turns: -1\n",
                  "config.yaml:3: optimization.sessions.max_history_turns: -1 is less than 0; use "
                  "a whole number from 0 up"},
        BadConfig{"ZeroMaxAttempts",
                  "optimization:\n  sglang:\n    retry:\n      max_attempts: 0\n",
                  "config.yaml:4: optimization.sglang.retry.max_attempts: 0 is less than 1; use a "
                  "whole number from 1 up"},
        BadConfig{"FractionalCount", "optimization:\n  sglang:\n    warm_concurrency: 2.5\n",
                  "config.yaml:3: optimization.sglang.warm_concurrency: \"2.5\" is not a whole "
                  "number; write digits only, e.g. 8"},
        BadConfig{"CountTooLarge",
                  "optimization:\n  sglang:\n    retry:\n      max_attempts: 99999999999\n",
                  "config.yaml:4: optimization.sglang.retry.max_attempts: 99999999999 is too "
                  "large; the most is 2147483647"},
        BadConfig{"QuotedNumber", "optimization:\n  sessions:\n    max_sessions: \"10\"\n",
                  "config.yaml:3: optimization.sessions.max_sessions: \"10\" is quoted, so it is a "
                  "string; write the number without quotes"},
        BadConfig{"JitterAboveOne", "optimization:\n  sglang:\n    retry:\n      jitter: 1.5\n",
                  "config.yaml:4: optimization.sglang.retry.jitter: 1.5 is out of range; use a "
                  "number from 0 to 1"},
        BadConfig{"MultiplierBelowOne",
                  "optimization:\n  sglang:\n    retry:\n      multiplier: 0.5\n",
                  "config.yaml:4: optimization.sglang.retry.multiplier: 0.5 is out of range; use a "
                  "number of at least 1"},
        BadConfig{"NotANumber", "optimization:\n  sglang:\n    retry:\n      multiplier: .inf\n",
                  "config.yaml:4: optimization.sglang.retry.multiplier: \".inf\" is not a number; "
                  "write e.g. 1.5"},
        BadConfig{"EndpointWithoutScheme",
                  "optimization:\n  sglang:\n    endpoint: localhost:30000\n",
                  "config.yaml:3: optimization.sglang.endpoint: \"localhost:30000\" is not an "
                  "http:// or https:// URL with a host; write e.g. \"http://localhost:30000\""},
        BadConfig{"EmptyModel", "optimization:\n  sglang:\n    model: \"\"\n",
                  "config.yaml:3: optimization.sglang.model: must not be empty"},
        BadConfig{"UnknownKey",
                  "optimization:\n  sglang:\n    enabled: true\n    timout: \"120s\"\n",
                  "config.yaml:4: optimization.sglang.timout: unknown key; expected one of "
                  "enabled, endpoint, timeout, fallback_on_unavailable, connect_timeout, api_key, "
                  "model, max_idle_connections, max_response_bytes, warm_concurrency, "
                  "warm_prefixes, endpoints, health_check_interval, health_backoff_initial, "
                  "health_backoff_max, retry"},
        BadConfig{"UnknownTopLevelKey", "server:\n  port: 80\n",
                  "config.yaml:1: server: unknown key; expected one of optimization"},
        BadConfig{"UnknownSessionsKey", "optimization:\n  sessions:\n    ttl: 1h\n",
                  "config.yaml:3: optimization.sessions.ttl: unknown key; expected one of "
                  "max_history_turns, max_prompt_tokens, idle_ttl, max_sessions, store_path, "
                  "cleanup_interval"},
        BadConfig{"UnknownEngineKey", "optimization:\n  engine:\n    model_dir: /m\n",
                  "config.yaml:3: optimization.engine.model_dir: unknown key; expected one of "
                  "model, threads, weight_type, max_kv_tokens, context_length"},
        BadConfig{"UnknownOptimizationKey", "optimization:\n  engines: {}\n",
                  "config.yaml:2: optimization.engines: unknown key; expected one of sglang, "
                  "engine, sessions"},
        BadConfig{"BadEndpointInList",
                  "optimization:\n  sglang:\n    endpoints:\n      - http://a:30000\n"
                  "      - gpu-b:30000\n",
                  "config.yaml:5: optimization.sglang.endpoints[1]: \"gpu-b:30000\" is not an "
                  "http:// or https:// URL with a host; write e.g. \"http://localhost:30000\""},
        BadConfig{"EndpointWithoutHostInFlowList",
                  "optimization:\n  sglang:\n    endpoints: [\"http:///x\"]\n",
                  "config.yaml:3: optimization.sglang.endpoints[0]: \"http:///x\" is not an "
                  "http:// or https:// URL with a host; write e.g. \"http://localhost:30000\""},
        BadConfig{"StringForEndpoints", "optimization:\n  sglang:\n    endpoints: http://a:30000\n",
                  "config.yaml:3: optimization.sglang.endpoints: expected a list of http:// or "
                  "https:// URLs, got a single value"},
        BadConfig{"MappingInEndpoints",
                  "optimization:\n  sglang:\n    endpoints:\n      - {url: http://a}\n",
                  "config.yaml:4: optimization.sglang.endpoints[0]: expected a string, got a "
                  "mapping"},
        BadConfig{"ZeroHealthCheckInterval",
                  "optimization:\n  sglang:\n    health_check_interval: 0\n",
                  "config.yaml:3: optimization.sglang.health_check_interval: \"0\" is zero; use "
                  "a duration of more than 0, e.g. \"120s\""},
        BadConfig{"BareNumberHealthBackoff",
                  "optimization:\n  sglang:\n    health_backoff_initial: 500\n",
                  "config.yaml:3: optimization.sglang.health_backoff_initial: 500 has no unit; "
                  "add one, e.g. \"500s\" for seconds"},
        BadConfig{"NegativeHealthBackoffMax",
                  "optimization:\n  sglang:\n    health_backoff_max: -1s\n",
                  "config.yaml:3: optimization.sglang.health_backoff_max: \"-1s\" is negative; "
                  "use a duration of more than 0, e.g. \"120s\""},
        BadConfig{"HealthBackoffMaxBelowInitial",
                  "optimization:\n  sglang:\n    health_backoff_initial: 2s\n"
                  "    enabled: true\n    health_backoff_max: 1s\n",
                  "config.yaml:5: optimization.sglang.health_backoff_max: \"1s\" is less than "
                  "optimization.sglang.health_backoff_initial (\"2s\"); raise it or lower "
                  "optimization.sglang.health_backoff_initial"},
        BadConfig{"HealthBackoffInitialAboveMaxWrittenLater",
                  "optimization:\n  sglang:\n    health_backoff_max: 1s\n"
                  "    health_backoff_initial: 1500ms\n",
                  "config.yaml:4: optimization.sglang.health_backoff_initial: \"1.5s\" is more "
                  "than optimization.sglang.health_backoff_max (\"1s\"); lower it or raise "
                  "optimization.sglang.health_backoff_max"},
        BadConfig{"HealthBackoffInitialAboveDefaultMax",
                  "optimization:\n  sglang:\n    health_backoff_initial: 1m\n",
                  "config.yaml:3: optimization.sglang.health_backoff_initial: \"1m0s\" is more "
                  "than optimization.sglang.health_backoff_max (\"30s\"); lower it or raise "
                  "optimization.sglang.health_backoff_max"},
        BadConfig{"UnknownWeightType", "optimization:\n  engine:\n    weight_type: fp8\n",
                  "config.yaml:3: optimization.engine.weight_type: \"fp8\" is not an allowed "
                  "value; use \"stored\", \"int8\" or \"int8-block\""},
        BadConfig{"WeightTypeIsCaseSensitive",
                  "optimization:\n  engine:\n    weight_type: \"INT8\"\n",
                  "config.yaml:3: optimization.engine.weight_type: \"INT8\" is not an allowed "
                  "value; use \"stored\", \"int8\" or \"int8-block\""},
        BadConfig{"ListForWeightType", "optimization:\n  engine:\n    weight_type: [int8]\n",
                  "config.yaml:3: optimization.engine.weight_type: expected one of \"stored\", "
                  "\"int8\" or \"int8-block\", got a list"},
        BadConfig{"NegativeThreads", "optimization:\n  engine:\n    threads: -2\n",
                  "config.yaml:3: optimization.engine.threads: -2 is less than 0; use a whole "
                  "number from 0 up"},
        BadConfig{"ThreadsTooLarge", "optimization:\n  engine:\n    threads: 3000000000\n",
                  "config.yaml:3: optimization.engine.threads: 3000000000 is too large; the most "
                  "is 2147483647"},
        BadConfig{"QuotedMaxKvTokens", "optimization:\n  engine:\n    max_kv_tokens: \"1000\"\n",
                  "config.yaml:3: optimization.engine.max_kv_tokens: \"1000\" is quoted, so it is "
                  "a string; write the number without quotes"},
        BadConfig{"FractionalContextLength", "optimization:\n  engine:\n    context_length: 4k\n",
                  "config.yaml:3: optimization.engine.context_length: \"4k\" is not a whole "
                  "number; write digits only, e.g. 8"},
        BadConfig{"MappingForStorePath",
                  "optimization:\n  sessions:\n    store_path:\n      file: a.db\n",
                  "config.yaml:4: optimization.sessions.store_path: expected a string, got a "
                  "mapping"},
        BadConfig{"ZeroCleanupInterval", "optimization:\n  sessions:\n    cleanup_interval: 0s\n",
                  "config.yaml:3: optimization.sessions.cleanup_interval: \"0s\" is zero; use a "
                  "duration of more than 0, e.g. \"120s\""},
        BadConfig{"DuplicateKey",
                  "optimization:\n  sglang:\n    timeout: 1s\n    enabled: true\n    timeout: "
                  "2s\n",
                  "config.yaml:5: optimization.sglang.timeout: duplicate key, already set on line "
                  "3; keep only one"},
        BadConfig{"DuplicateSection",
                  "optimization:\n  sessions:\n    max_sessions: 1\n  sessions:\n    idle_ttl: "
                  "1h\n",
                  "config.yaml:4: optimization.sessions: duplicate key, already set on line 2; "
                  "keep only one"},
        BadConfig{"MappingForValue", "optimization:\n  sglang:\n    timeout:\n      s: 120\n",
                  "config.yaml:4: optimization.sglang.timeout: expected a duration, e.g. "
                  "\"120s\", got a mapping"},
        BadConfig{"ValueForSection", "optimization:\n  sglang: true\n",
                  "config.yaml:2: optimization.sglang: expected a mapping with the keys enabled, "
                  "endpoint, timeout, fallback_on_unavailable, connect_timeout, api_key, model, "
                  "max_idle_connections, max_response_bytes, warm_concurrency, warm_prefixes, "
                  "endpoints, health_check_interval, health_backoff_initial, health_backoff_max, "
                  "retry, got a single value"},
        BadConfig{"ListAtTop", "- optimization\n",
                  "config.yaml:1: expected a mapping with the keys optimization, got a list"},
        BadConfig{"StringForList", "optimization:\n  sglang:\n    warm_prefixes: \"hi\"\n",
                  "config.yaml:3: optimization.sglang.warm_prefixes: expected a list of strings, "
                  "got a single value"},
        BadConfig{"MappingInList",
                  "optimization:\n  sglang:\n    warm_prefixes:\n      - ok\n      - a: b\n",
                  "config.yaml:5: optimization.sglang.warm_prefixes[1]: expected a string, got a "
                  "mapping"},
        BadConfig{"SyntaxError", "optimization:\n  sglang:\n    warm_prefixes: [a,\n",
                  "config.yaml:4: invalid YAML: end of sequence flow not found (column 1)"},
        BadConfig{"BadIndentation", "optimization:\n  sglang:\n    enabled: true\n   timeout: 1s\n",
                  "config.yaml:4: invalid YAML: end of map not found (column 4)"},
        BadConfig{"SecondDocument", "optimization:\n---\noptimization:\n  sglang: {}\n",
                  "config.yaml:3: a second YAML document; a config file holds one, remove the "
                  "\"---\""}),
    [](const ::testing::TestParamInfo<BadConfig>& param_info) { return param_info.param.name; });

// LoadConfigFile() reads the process environment; clear our variables so that a developer's
// exported RADIXLM_* cannot change what these tests see.
class LoadConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const internal::Field& field : internal::Fields()) {
      unsetenv(internal::EnvironmentVariable(field.key).c_str());
    }
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("radixlm_config_test_" + std::to_string(getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = directory_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path directory_;
};

TEST_F(LoadConfigFileTest, ReadsTheFile) {
  const std::string path = Write("radixlm.yaml",
                                 "optimization:\n  sglang:\n    enabled: true\n"
                                 "    warm_prefixes:\n      - \"You are a helpful assistant.\"\n");
  const absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->sglang.enabled);
  EXPECT_EQ(config->sglang.warm_prefixes, std::vector<std::string>{"You are a helpful assistant."});
}

TEST_F(LoadConfigFileTest, ErrorsNameThePath) {
  const std::string path = Write("bad.yaml", "optimization:\n  sglang:\n    timeout: 5\n");
  const absl::StatusOr<Config> config = LoadConfigFile(path);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(config.status().message()),
            path +
                ":3: optimization.sglang.timeout: 5 has no unit; add one, e.g. \"5s\" for "
                "seconds");
}

TEST_F(LoadConfigFileTest, MissingFileIsNotFoundAndNamesThePath) {
  const std::string path = (directory_ / "absent.yaml").string();
  const absl::StatusOr<Config> config = LoadConfigFile(path);
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(config.status().message()).find(path), std::string::npos)
      << config.status();
}

TEST_F(LoadConfigFileTest, DirectoryIsAnErrorNamingThePath) {
  const absl::StatusOr<Config> config = LoadConfigFile(directory_.string());
  EXPECT_FALSE(config.ok());
  EXPECT_NE(std::string(config.status().message()).find(directory_.string()), std::string::npos)
      << config.status();
}

}  // namespace
}  // namespace radixlm::optimization
