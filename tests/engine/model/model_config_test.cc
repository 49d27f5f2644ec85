#include "src/engine/model/model_config.h"

#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/engine/model/model_config_json.h"
#include "tests/engine/model/model_test_util.h"

namespace radixlm::engine {
namespace {

using model_test::ReadFileOrDie;
using model_test::TestDataPath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ModelConfig ReadPublished(const std::string& name) {
  absl::StatusOr<ModelConfig> config = ReadModelConfig(TestDataPath("configs/" + name + ".json"));
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : ModelConfig{};
}

// Parses the published Llama-3.2-1B config with `edit` applied to its JSON.
absl::StatusOr<ModelConfig> ParseEdited(const std::function<void(nlohmann::json&)>& edit,
                                        const std::string& base = "llama-3.2-1b") {
  nlohmann::json json =
      nlohmann::json::parse(ReadFileOrDie(TestDataPath("configs/" + base + ".json")));
  edit(json);
  return ParseModelConfig(json.dump(), "edited config.json");
}

std::string MessageOf(const absl::StatusOr<ModelConfig>& config) {
  return std::string(config.status().message());
}

TEST(ModelConfigTest, ParsesLlama32With1BLlama3RopeScaling) {
  const ModelConfig config = ReadPublished("llama-3.2-1b");
  EXPECT_EQ(config.architecture, Architecture::kLlama);
  EXPECT_EQ(config.hidden_size, 2048);
  EXPECT_EQ(config.intermediate_size, 8192);
  EXPECT_EQ(config.num_hidden_layers, 16);
  EXPECT_EQ(config.num_attention_heads, 32);
  EXPECT_EQ(config.num_key_value_heads, 8);
  EXPECT_EQ(config.head_dim, 64);
  EXPECT_EQ(config.vocab_size, 128256);
  EXPECT_EQ(config.max_position_embeddings, 131072);
  EXPECT_DOUBLE_EQ(config.rms_norm_eps, 1e-5);
  EXPECT_TRUE(config.tie_word_embeddings);
  EXPECT_FALSE(config.attention_qkv_bias);
  EXPECT_FALSE(config.qk_norm);
  EXPECT_EQ(config.rope, (RopeParameters{RopeType::kLlama3, 500000.0, 32.0, 1.0, 4.0, 8192}));
  EXPECT_EQ(config.bos_token_id, 128000);
  EXPECT_THAT(config.eos_token_ids, ElementsAre(128001));
  EXPECT_EQ(config.torch_dtype, "bfloat16");
  EXPECT_FALSE(UsesSlidingWindow(config));
  EXPECT_EQ(config.layer_attention_window.size(), 16u);
}

TEST(ModelConfigTest, ParsesLlama2WithDefaultRopeThetaAndNoGqa) {
  const ModelConfig config = ReadPublished("llama-2-7b");
  EXPECT_EQ(config.head_dim, 128);
  EXPECT_EQ(config.num_key_value_heads, 32);
  EXPECT_EQ(config.rope, RopeParameters{});  // no rope_theta: transformers' default 10000
  EXPECT_DOUBLE_EQ(config.rope.theta, 10000.0);
  EXPECT_FALSE(config.tie_word_embeddings);
  EXPECT_EQ(config.torch_dtype, "float16");
}

TEST(ModelConfigTest, ParsesMistral7BV03WithNullSlidingWindow) {
  const ModelConfig config = ReadPublished("mistral-7b-v0.3");
  EXPECT_EQ(config.architecture, Architecture::kMistral);
  EXPECT_EQ(config.head_dim, 128);
  EXPECT_EQ(config.vocab_size, 32768);
  EXPECT_DOUBLE_EQ(config.rope.theta, 1e6);
  EXPECT_FALSE(UsesSlidingWindow(config));
  EXPECT_FALSE(config.attention_qkv_bias);
}

TEST(ModelConfigTest, MistralV01SlidesEveryLayer) {
  const ModelConfig config = ReadPublished("mistral-7b-v0.1");
  ASSERT_EQ(config.layer_attention_window.size(), 32u);
  for (std::int64_t window : config.layer_attention_window) EXPECT_EQ(window, 4096);
}

TEST(ModelConfigTest, MistralWithoutSlidingWindowKeyTakesTheClassDefault) {
  absl::StatusOr<ModelConfig> config =
      ParseEdited([](nlohmann::json& json) { json.erase("sliding_window"); }, "mistral-7b-v0.3");
  ASSERT_TRUE(config.ok()) << config.status();
  for (std::int64_t window : config->layer_attention_window) EXPECT_EQ(window, 4096);
}

TEST(ModelConfigTest, ParsesQwen25WithQkvBiasAndUnusedSlidingWindow) {
  const ModelConfig config = ReadPublished("qwen2.5-0.5b");
  EXPECT_EQ(config.architecture, Architecture::kQwen2);
  EXPECT_EQ(config.head_dim, 64);  // 896 / 14
  EXPECT_EQ(config.num_key_value_heads, 2);
  EXPECT_TRUE(config.attention_qkv_bias);
  EXPECT_FALSE(config.attention_output_bias);
  EXPECT_TRUE(config.tie_word_embeddings);
  EXPECT_DOUBLE_EQ(config.rms_norm_eps, 1e-6);
  EXPECT_FALSE(UsesSlidingWindow(config));  // use_sliding_window is false
}

TEST(ModelConfigTest, ParsesQwen3WithExplicitHeadDimAndQkNorm) {
  const ModelConfig config = ReadPublished("qwen3-0.6b");
  EXPECT_EQ(config.architecture, Architecture::kQwen3);
  EXPECT_EQ(config.head_dim, 128);  // not 1024 / 16
  EXPECT_TRUE(config.qk_norm);
  EXPECT_FALSE(config.attention_qkv_bias);
  EXPECT_DOUBLE_EQ(config.rope.theta, 1e6);  // written as the integer 1000000
  EXPECT_EQ(config.bos_token_id, 151643);
  EXPECT_THAT(config.eos_token_ids, ElementsAre(151645));
  EXPECT_EQ(config.max_position_embeddings, 40960);
}

TEST(ModelConfigTest, ParsesSmolLM2WithoutHeadDim) {
  const ModelConfig config = ReadPublished("smollm2-135m");
  EXPECT_EQ(config.hidden_size, 576);
  EXPECT_EQ(config.head_dim, 64);
  EXPECT_EQ(config.num_key_value_heads, 3);
  EXPECT_EQ(config.max_position_embeddings, 8192);
  EXPECT_DOUBLE_EQ(config.rope.theta, 100000.0);
  EXPECT_EQ(config.bos_token_id, 0);
  EXPECT_THAT(config.eos_token_ids, ElementsAre(0));
}

TEST(ModelConfigTest, RopeParametersFormEqualsRopeThetaForm) {
  absl::StatusOr<ModelConfig> newer = ParseEdited([](nlohmann::json& json) {
    nlohmann::json parameters = json["rope_scaling"];
    parameters["rope_theta"] = json["rope_theta"];
    json.erase("rope_scaling");
    json.erase("rope_theta");
    json["rope_parameters"] = parameters;
    json.erase("torch_dtype");
    json["dtype"] = "bfloat16";  // transformers 5 spelling
  });
  ASSERT_TRUE(newer.ok()) << newer.status();
  EXPECT_EQ(*newer, ReadPublished("llama-3.2-1b"));

  absl::StatusOr<ModelConfig> plain = ParseEdited(
      [](nlohmann::json& json) {
        json["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 1000000.0}};
        json.erase("rope_theta");
      },
      "qwen3-0.6b");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, ReadPublished("qwen3-0.6b"));
}

TEST(ModelConfigTest, OldTypeKeyAndLinearScaling) {
  absl::StatusOr<ModelConfig> config = ParseEdited([](nlohmann::json& json) {
    json["rope_scaling"] = {{"type", "linear"}, {"factor", 4.0}};
  });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->rope.type, RopeType::kLinear);
  EXPECT_DOUBLE_EQ(config->rope.factor, 4.0);
}

TEST(ModelConfigTest, Llama3OriginalContextFallsBackToMaxPositions) {
  absl::StatusOr<ModelConfig> config = ParseEdited(
      [](nlohmann::json& json) { json["rope_scaling"].erase("original_max_position_embeddings"); });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->rope.original_max_position_embeddings, 131072);
}

TEST(ModelConfigTest, UnsupportedRopeTypesAreUnimplemented) {
  for (const char* type : {"yarn", "dynamic", "longrope"}) {
    absl::StatusOr<ModelConfig> config = ParseEdited([type](nlohmann::json& json) {
      json["rope_scaling"] = {{"rope_type", type}, {"factor", 2.0}};
    });
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), absl::StatusCode::kUnimplemented);
    EXPECT_THAT(MessageOf(config), HasSubstr(std::string("RoPE type '") + type + "'"));
    EXPECT_THAT(MessageOf(config), HasSubstr("supported: default, linear, llama3"));
  }
  absl::StatusOr<ModelConfig> partial =
      ParseEdited([](nlohmann::json& json) { json["partial_rotary_factor"] = 0.5; });
  EXPECT_EQ(partial.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(MessageOf(partial), HasSubstr("partial_rotary_factor"));
}

TEST(ModelConfigTest, Llama3ScalingNeedsItsFactors) {
  absl::StatusOr<ModelConfig> config =
      ParseEdited([](nlohmann::json& json) { json["rope_scaling"].erase("low_freq_factor"); });
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(MessageOf(config), HasSubstr("'low_freq_factor' is missing"));
  config = ParseEdited([](nlohmann::json& json) { json["rope_scaling"]["high_freq_factor"] = 1; });
  EXPECT_THAT(MessageOf(config), HasSubstr("low_freq_factor < high_freq_factor"));
}

TEST(ModelConfigTest, UnsupportedArchitectureNamesItAndListsSupported) {
  absl::StatusOr<ModelConfig> config = ParseEdited([](nlohmann::json& json) {
    json["architectures"] = nlohmann::json::array({"GPT2LMHeadModel"});
  });
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(config), HasSubstr("unsupported architecture 'GPT2LMHeadModel'"));
  EXPECT_THAT(MessageOf(config), HasSubstr("LlamaForCausalLM, MistralForCausalLM, "
                                           "Qwen2ForCausalLM, Qwen3ForCausalLM"));
}

TEST(ModelConfigTest, ModelTypeStandsInForMissingArchitectures) {
  absl::StatusOr<ModelConfig> config =
      ParseEdited([](nlohmann::json& json) { json.erase("architectures"); }, "qwen3-0.6b");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->architecture, Architecture::kQwen3);
}

TEST(ModelConfigTest, RejectsOtherActivations) {
  absl::StatusOr<ModelConfig> config =
      ParseEdited([](nlohmann::json& json) { json["hidden_act"] = "gelu"; });
  EXPECT_THAT(MessageOf(config), HasSubstr("hidden_act 'gelu' is not supported"));
}

TEST(ModelConfigTest, ReportsMissingAndIllTypedFields) {
  absl::StatusOr<ModelConfig> config =
      ParseEdited([](nlohmann::json& json) { json.erase("hidden_size"); });
  EXPECT_THAT(MessageOf(config), HasSubstr("required field 'hidden_size' is missing"));
  config = ParseEdited([](nlohmann::json& json) { json["num_hidden_layers"] = "16"; });
  EXPECT_THAT(MessageOf(config), HasSubstr("'num_hidden_layers' must be an integer, got \"16\""));
  config = ParseEdited([](nlohmann::json& json) { json["num_key_value_heads"] = 5; });
  EXPECT_THAT(MessageOf(config), HasSubstr("not a multiple of num_key_value_heads 5"));
  config = ParseEdited([](nlohmann::json& json) { json["eos_token_id"] = 999999; });
  EXPECT_THAT(MessageOf(config), HasSubstr("eos_token_id 999999 is outside the vocabulary"));
  config = ParseModelConfig("{\"architectures\": [", "broken.json");
  EXPECT_THAT(MessageOf(config), HasSubstr("broken.json is not valid JSON"));
  config = ReadModelConfig("/nonexistent/config.json");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
}

TEST(ModelConfigTest, AcceptsEosListAndIntegralFloats) {
  absl::StatusOr<ModelConfig> config = ParseEdited([](nlohmann::json& json) {
    json["eos_token_id"] = {128001, 128008, 128009};
    json["hidden_size"] = 2048.0;
  });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->eos_token_ids, ElementsAre(128001, 128008, 128009));
  EXPECT_EQ(config->hidden_size, 2048);
}

TEST(ModelConfigTest, LlamaAttentionBiasCoversOutputProjection) {
  absl::StatusOr<ModelConfig> config = ParseEdited([](nlohmann::json& json) {
    json["attention_bias"] = true;
    json["mlp_bias"] = true;
  });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->attention_qkv_bias);
  EXPECT_TRUE(config->attention_output_bias);
  EXPECT_TRUE(config->mlp_bias);
}

TEST(ModelConfigTest, Qwen2SlidesLayersFromMaxWindowLayersWhenEnabled) {
  absl::StatusOr<ModelConfig> config = ParseEdited(
      [](nlohmann::json& json) {
        json["use_sliding_window"] = true;
        json["sliding_window"] = 4096;
        json["max_window_layers"] = 20;
      },
      "qwen2.5-0.5b");
  ASSERT_TRUE(config.ok()) << config.status();
  for (std::size_t layer = 0; layer < 24; ++layer) {
    EXPECT_EQ(config->layer_attention_window[layer], layer >= 20 ? 4096 : 0) << layer;
  }
}

TEST(ModelConfigTest, ExplicitLayerTypesDecideWhichLayersSlide) {
  absl::StatusOr<ModelConfig> config = ParseEdited(
      [](nlohmann::json& json) {
        json["use_sliding_window"] = true;
        json["sliding_window"] = 1024;
        nlohmann::json types = nlohmann::json::array();
        for (int layer = 0; layer < 28; ++layer) {
          types.push_back(layer % 2 == 0 ? "sliding_attention" : "full_attention");
        }
        json["layer_types"] = types;
      },
      "qwen3-0.6b");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->layer_attention_window[0], 1024);
  EXPECT_EQ(config->layer_attention_window[1], 0);

  absl::StatusOr<ModelConfig> inconsistent = ParseEdited(
      [](nlohmann::json& json) {
        json["layer_types"] = std::vector<std::string>(28, "sliding_attention");
      },
      "qwen3-0.6b");
  EXPECT_THAT(MessageOf(inconsistent), HasSubstr("no sliding window is in use"));
}

TEST(ModelConfigTest, JsonWriterRoundTripsEveryArchitecture) {
  for (const char* name : {"llama-3.2-1b", "llama-2-7b", "mistral-7b-v0.1", "qwen2.5-0.5b",
                           "qwen3-0.6b", "smollm2-135m"}) {
    const ModelConfig published = ReadPublished(name);
    absl::StatusOr<std::string> json = ModelConfigToJson(published);
    ASSERT_TRUE(json.ok()) << name << ": " << json.status();
    absl::StatusOr<ModelConfig> reparsed = ParseModelConfig(*json, name);
    ASSERT_TRUE(reparsed.ok()) << name << ": " << reparsed.status();
    EXPECT_EQ(*reparsed, published) << name << "\n" << *json;
  }
}

TEST(ModelConfigTest, JsonWriterRejectsWindowsConfigJsonCannotSpell) {
  ModelConfig config = ReadPublished("llama-2-7b");
  config.layer_attention_window[3] = 512;
  absl::StatusOr<std::string> json = ModelConfigToJson(config);
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace radixlm::engine
