#include "src/engine/model/generation_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/model/model_test_util.h"

namespace radixlm::engine {
namespace {

using model_test::TestDataPath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(GenerationConfigTest, ReadsLlama32InstructDefaults) {
  absl::StatusOr<GenerationDefaults> defaults =
      ReadGenerationConfig(TestDataPath("generation/llama-3.2-1b-instruct.json"));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_THAT(defaults->eos_token_ids, ElementsAre(128001, 128008, 128009));
  EXPECT_EQ(defaults->bos_token_id, 128000);
  EXPECT_EQ(defaults->do_sample, true);
  EXPECT_DOUBLE_EQ(*defaults->temperature, 0.6);
  EXPECT_DOUBLE_EQ(*defaults->top_p, 0.9);
  EXPECT_FALSE(defaults->top_k.has_value());
  EXPECT_FALSE(defaults->repetition_penalty.has_value());
  EXPECT_FALSE(defaults->max_new_tokens.has_value());
}

TEST(GenerationConfigTest, ReadsQwen25InstructDefaults) {
  absl::StatusOr<GenerationDefaults> defaults =
      ReadGenerationConfig(TestDataPath("generation/qwen2.5-0.5b-instruct.json"));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_THAT(defaults->eos_token_ids, ElementsAre(151645, 151643));
  EXPECT_EQ(defaults->pad_token_id, 151643);
  EXPECT_EQ(defaults->top_k, 20);
  EXPECT_DOUBLE_EQ(*defaults->repetition_penalty, 1.1);
  EXPECT_DOUBLE_EQ(*defaults->top_p, 0.8);
}

TEST(GenerationConfigTest, SingleEosIdAndTokenCounts) {
  absl::StatusOr<GenerationDefaults> defaults = ParseGenerationConfig(
      R"({"eos_token_id": 2, "max_new_tokens": 256, "max_length": 4096, "min_p": 0.05,
          "pad_token_id": -1})",
      "g.json");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_THAT(defaults->eos_token_ids, ElementsAre(2));
  EXPECT_EQ(defaults->max_new_tokens, 256);
  EXPECT_EQ(defaults->max_length, 4096);
  EXPECT_DOUBLE_EQ(*defaults->min_p, 0.05);
  EXPECT_FALSE(defaults->pad_token_id.has_value());  // -1 means "no pad token"
}

TEST(GenerationConfigTest, RejectsOutOfRangeValues) {
  struct Case {
    const char* json;
    const char* message;
  };
  for (const Case& bad : {
           Case{R"({"temperature": -1})", "'temperature' must be a number in [0, inf)"},
           Case{R"({"top_p": 0})", "'top_p' must be a number in (0, 1]"},
           Case{R"({"top_p": 1.5})", "'top_p' must be a number in (0, 1]"},
           Case{R"({"top_k": -3})", "'top_k' must be an integer >= 0"},
           Case{R"({"repetition_penalty": 0})", "'repetition_penalty' must be a number in (0"},
           Case{R"({"max_new_tokens": 0})", "'max_new_tokens' must be an integer >= 1"},
           Case{R"({"do_sample": "yes"})", "'do_sample' must be true or false"},
           Case{R"({"eos_token_id": [1, "x"]})", "'eos_token_id' must be an integer or a list"},
           Case{R"([1, 2])", "must hold a JSON object"},
       }) {
    absl::StatusOr<GenerationDefaults> defaults = ParseGenerationConfig(bad.json, "g.json");
    ASSERT_FALSE(defaults.ok()) << bad.json;
    EXPECT_EQ(defaults.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(defaults.status().message()), HasSubstr(bad.message)) << bad.json;
    EXPECT_THAT(std::string(defaults.status().message()), HasSubstr("g.json"));
  }
}

TEST(GenerationConfigTest, DerivedFromModelConfigWhenAbsent) {
  ModelConfig config;
  config.bos_token_id = 1;
  config.eos_token_ids = {2, 3};
  const GenerationDefaults defaults = GenerationDefaultsFromModelConfig(config);
  EXPECT_EQ(defaults.bos_token_id, 1);
  EXPECT_THAT(defaults.eos_token_ids, ElementsAre(2, 3));
  EXPECT_FALSE(defaults.temperature.has_value());
}

}  // namespace
}  // namespace radixlm::engine
