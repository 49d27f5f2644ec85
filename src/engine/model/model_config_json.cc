#include "src/engine/model/model_config_json.h"

#include <algorithm>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"

namespace radixlm::engine {
namespace {

using Json = nlohmann::json;

Json TokenIds(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return nullptr;
  if (ids.size() == 1) return ids[0];
  return ids;
}

Json RopeScaling(const RopeParameters& rope) {
  switch (rope.type) {
    case RopeType::kDefault:
      return nullptr;
    case RopeType::kLinear:
      return {{"factor", rope.factor}, {"rope_type", "linear"}};
    case RopeType::kLlama3:
      return {{"factor", rope.factor},
              {"high_freq_factor", rope.high_freq_factor},
              {"low_freq_factor", rope.low_freq_factor},
              {"original_max_position_embeddings", rope.original_max_position_embeddings},
              {"rope_type", "llama3"}};
  }
  return nullptr;
}

// Finds the one window W and first sliding layer K such that layers [K, L) slide with W and the
// others do not; K == L when no layer slides. False when the windows have another pattern.
bool WindowSuffix(const ModelConfig& config, std::int64_t& window, std::int64_t& first_layer) {
  const auto& windows = config.layer_attention_window;
  const auto first =
      std::find_if(windows.begin(), windows.end(), [](std::int64_t value) { return value > 0; });
  first_layer = first - windows.begin();
  window = first == windows.end() ? 0 : *first;
  return std::all_of(first, windows.end(), [&](std::int64_t value) { return value == window; });
}

}  // namespace

absl::StatusOr<std::string> ModelConfigToJson(const ModelConfig& config) {
  absl::Status status = ValidateModelConfig(config, "the model config to write");
  if (!status.ok()) return status;
  std::int64_t window = 0;
  std::int64_t first_sliding_layer = 0;
  const bool expressible =
      WindowSuffix(config, window, first_sliding_layer) &&
      (window == 0 || config.architecture == Architecture::kQwen2 ||
       config.architecture == Architecture::kQwen3 ||
       (config.architecture == Architecture::kMistral && first_sliding_layer == 0));
  if (!expressible) {
    return absl::InvalidArgumentError(StrCat("the per-layer attention windows of this ",
                                             ArchitectureName(config.architecture),
                                             " config have no config.json spelling"));
  }

  Json json = {
      {"architectures", Json::array({ArchitectureName(config.architecture)})},
      {"attention_dropout", 0.0},
      {"bos_token_id", config.bos_token_id.has_value() ? Json(*config.bos_token_id) : Json()},
      {"eos_token_id", TokenIds(config.eos_token_ids)},
      {"head_dim", config.head_dim},
      {"hidden_act", "silu"},
      {"hidden_size", config.hidden_size},
      {"initializer_range", 0.02},
      {"intermediate_size", config.intermediate_size},
      {"max_position_embeddings", config.max_position_embeddings},
      {"model_type", ModelTypeName(config.architecture)},
      {"num_attention_heads", config.num_attention_heads},
      {"num_hidden_layers", config.num_hidden_layers},
      {"num_key_value_heads", config.num_key_value_heads},
      {"rms_norm_eps", config.rms_norm_eps},
      {"rope_scaling", RopeScaling(config.rope)},
      {"rope_theta", config.rope.theta},
      {"tie_word_embeddings", config.tie_word_embeddings},
      {"use_cache", true},
      {"vocab_size", config.vocab_size},
  };
  if (config.pad_token_id.has_value()) json["pad_token_id"] = *config.pad_token_id;
  if (!config.torch_dtype.empty()) json["torch_dtype"] = config.torch_dtype;
  switch (config.architecture) {
    case Architecture::kLlama:
      json["attention_bias"] = config.attention_qkv_bias;
      json["mlp_bias"] = config.mlp_bias;
      json["pretraining_tp"] = 1;
      break;
    case Architecture::kMistral:
      json["sliding_window"] = window > 0 ? Json(window) : Json();
      break;
    case Architecture::kQwen3:
      json["attention_bias"] = config.attention_qkv_bias;
      [[fallthrough]];
    case Architecture::kQwen2:
      json["use_sliding_window"] = window > 0;
      json["sliding_window"] = window > 0 ? Json(window) : Json();
      json["max_window_layers"] = first_sliding_layer;
      break;
  }
  return json.dump(2) + "\n";
}

std::string GenerationConfigToJson(const ModelConfig& config) {
  Json json = {{"_from_model_config", true}};
  if (config.bos_token_id.has_value()) json["bos_token_id"] = *config.bos_token_id;
  if (!config.eos_token_ids.empty()) json["eos_token_id"] = TokenIds(config.eos_token_ids);
  if (config.pad_token_id.has_value()) json["pad_token_id"] = *config.pad_token_id;
  return json.dump(2) + "\n";
}

}  // namespace radixlm::engine
