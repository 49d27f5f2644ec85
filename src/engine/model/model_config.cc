// Parsing follows transformers' config classes (LlamaConfig, MistralConfig, Qwen2Config,
// Qwen3Config) and RotaryEmbeddingConfigMixin: a missing or null field takes the class default,
// and the per-architecture rules are folded into ModelConfig's plain fields so no later layer
// has to know them. Every returned ModelConfig has passed ValidateModelConfig().
#include "src/engine/model/model_config.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/model/file_util.h"
#include "src/engine/model/json_fields.h"

namespace radixlm::engine {
namespace {

using internal::JsonFields;
using Json = nlohmann::json;

constexpr std::size_t kMaxConfigBytes = 16 << 20;
constexpr std::int64_t kMaxDimension = std::numeric_limits<std::int32_t>::max();

struct ArchitectureEntry {
  Architecture architecture;
  std::string_view class_name;
  std::string_view model_type;
  // transformers' default max_position_embeddings for the class.
  std::int64_t default_max_position_embeddings;
};

constexpr ArchitectureEntry kArchitectures[] = {
    {Architecture::kLlama, "LlamaForCausalLM", "llama", 2048},
    {Architecture::kMistral, "MistralForCausalLM", "mistral", 131072},
    {Architecture::kQwen2, "Qwen2ForCausalLM", "qwen2", 32768},
    {Architecture::kQwen3, "Qwen3ForCausalLM", "qwen3", 32768},
};

const ArchitectureEntry& EntryOf(Architecture architecture) {
  for (const ArchitectureEntry& entry : kArchitectures) {
    if (entry.architecture == architecture) return entry;
  }
  return kArchitectures[0];
}

std::string SupportedArchitectures() {
  std::string names;
  for (const ArchitectureEntry& entry : kArchitectures) {
    if (!names.empty()) names += ", ";
    names += entry.class_name;
  }
  return names;
}

// Reads `architectures[0]`, falling back to `model_type` for configs that omit the list.
absl::StatusOr<Architecture> ParseArchitecture(const JsonFields& fields) {
  std::string named;
  if (const Json* list = fields.Find("architectures"); list != nullptr) {
    if (!list->is_array() || list->empty() || !(*list)[0].is_string()) {
      return fields.FieldError("architectures", "a non-empty list of class names", *list);
    }
    named = (*list)[0].get<std::string>();
    for (const ArchitectureEntry& entry : kArchitectures) {
      if (entry.class_name == named) return entry.architecture;
    }
  } else {
    absl::StatusOr<std::optional<std::string>> model_type = fields.OptionalString("model_type");
    if (!model_type.ok()) return model_type.status();
    if (!model_type->has_value()) {
      return absl::InvalidArgumentError(
          StrCat(fields.source(),
                 ": neither 'architectures' nor 'model_type' is set; expected "
                 "e.g. \"architectures\": [\"LlamaForCausalLM\"]"));
    }
    named = **model_type;
    for (const ArchitectureEntry& entry : kArchitectures) {
      if (entry.model_type == named) return entry.architecture;
    }
  }
  return absl::InvalidArgumentError(StrCat(fields.source(), ": unsupported architecture '", named,
                                           "'; supported: ", SupportedArchitectures()));
}

absl::Status ParseRopeType(const JsonFields& rope, std::string_view type_name,
                           std::int64_t max_position_embeddings, const JsonFields& top,
                           RopeParameters& out) {
  if (type_name == "default") {
    out.type = RopeType::kDefault;
    return absl::OkStatus();
  }
  if (type_name == "linear" || type_name == "llama3") {
    absl::StatusOr<double> factor = rope.RequiredNumber("factor");
    if (!factor.ok()) return factor.status();
    out.factor = *factor;
    if (type_name == "linear") {
      out.type = RopeType::kLinear;
      return absl::OkStatus();
    }
    out.type = RopeType::kLlama3;
    absl::StatusOr<double> low = rope.RequiredNumber("low_freq_factor");
    if (!low.ok()) return low.status();
    absl::StatusOr<double> high = rope.RequiredNumber("high_freq_factor");
    if (!high.ok()) return high.status();
    out.low_freq_factor = *low;
    out.high_freq_factor = *high;
    // transformers 5 falls back to a top-level field, then to max_position_embeddings.
    absl::StatusOr<std::optional<std::int64_t>> original =
        rope.OptionalInt("original_max_position_embeddings");
    if (!original.ok()) return original.status();
    if (!original->has_value()) original = top.OptionalInt("original_max_position_embeddings");
    if (!original.ok()) return original.status();
    out.original_max_position_embeddings = original->value_or(max_position_embeddings);
    return absl::OkStatus();
  }
  return absl::UnimplementedError(StrCat(rope.source(), ": RoPE type '", type_name,
                                         "' is not supported; supported: default, linear, llama3"));
}

// Reads either `rope_parameters` (transformers >= 5) or `rope_theta` + `rope_scaling`. When both
// dicts are present the newer one wins; inside it `rope_theta` wins over the top-level field,
// as in RotaryEmbeddingConfigMixin.convert_rope_params_to_dict.
absl::StatusOr<RopeParameters> ParseRope(const JsonFields& top,
                                         std::int64_t max_position_embeddings) {
  static const Json kEmpty = Json::object();
  const Json* dict = nullptr;
  std::string dict_name;
  for (std::string_view key : {"rope_parameters", "rope_scaling"}) {
    dict = top.Find(key);
    if (dict == nullptr) continue;
    if (!dict->is_object()) return top.FieldError(key, "an object", *dict);
    dict_name = key;
    break;
  }
  for (std::string_view layer_type : {"full_attention", "sliding_attention"}) {
    if (dict != nullptr && dict->contains(layer_type)) {
      return absl::UnimplementedError(StrCat(top.source(), ": per-layer-type RoPE parameters ('",
                                             dict_name, "' keyed by '", layer_type,
                                             "') are not supported"));
    }
  }
  const JsonFields rope(dict != nullptr ? *dict : kEmpty,
                        dict != nullptr ? StrCat(top.source(), ": ", dict_name) : top.source());

  RopeParameters parameters;
  absl::StatusOr<std::optional<double>> theta = rope.OptionalNumber("rope_theta");
  if (!theta.ok()) return theta.status();
  if (!theta->has_value()) theta = top.OptionalNumber("rope_theta");
  if (!theta.ok()) return theta.status();
  parameters.theta = theta->value_or(10000.0);

  for (const JsonFields* fields : {&rope, &top}) {
    absl::StatusOr<std::optional<double>> partial = fields->OptionalNumber("partial_rotary_factor");
    if (!partial.ok()) return partial.status();
    if (partial->has_value() && **partial != 1.0) {
      return absl::UnimplementedError(StrCat(fields->source(), ": partial_rotary_factor ",
                                             **partial, " is not supported; only 1.0 is"));
    }
  }

  std::string type_name = "default";
  for (std::string_view key : {"rope_type", "type"}) {
    absl::StatusOr<std::optional<std::string>> named = rope.OptionalString(key);
    if (!named.ok()) return named.status();
    if (named->has_value()) {
      type_name = **named;
      break;
    }
  }
  absl::Status status = ParseRopeType(rope, type_name, max_position_embeddings, top, parameters);
  if (!status.ok()) return status;
  return parameters;
}

// Mistral slides every layer when `sliding_window` is set. Qwen2/Qwen3 slide only when
// `use_sliding_window` is true, and then the layers from `max_window_layers` on, unless an explicit
// `layer_types` list says which. Llama has no sliding window.
absl::Status ParseSlidingWindow(const JsonFields& top, ModelConfig& config) {
  config.layer_attention_window.assign(static_cast<std::size_t>(config.num_hidden_layers), 0);
  if (config.architecture == Architecture::kLlama) return absl::OkStatus();

  absl::StatusOr<std::optional<std::int64_t>> window = top.OptionalInt("sliding_window");
  if (!window.ok()) return window.status();
  if (window->has_value() && **window <= 0) {
    return top.FieldError("sliding_window", "a positive integer or null", **window);
  }
  if (config.architecture == Architecture::kMistral) {
    // MistralConfig defaults a missing (not null) sliding_window to 4096.
    const std::int64_t width = window->value_or(top.Contains("sliding_window") ? 0 : 4096);
    std::fill(config.layer_attention_window.begin(), config.layer_attention_window.end(), width);
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<bool>> use_window = top.OptionalBool("use_sliding_window");
  if (!use_window.ok()) return use_window.status();
  // Qwen2Config/Qwen3Config default a missing (not null) sliding_window to 4096, then ignore it
  // unless use_sliding_window is true.
  std::int64_t width = 0;
  if (window->has_value()) {
    width = **window;
  } else if (!top.Contains("sliding_window")) {
    width = 4096;
  }
  const bool sliding = use_window->value_or(false) && width > 0;

  if (const Json* layer_types = top.Find("layer_types"); layer_types != nullptr) {
    if (!layer_types->is_array() ||
        layer_types->size() != static_cast<std::size_t>(config.num_hidden_layers)) {
      return top.FieldError("layer_types",
                            StrCat("a list of ", config.num_hidden_layers, " layer types"),
                            *layer_types);
    }
    for (std::size_t layer = 0; layer < layer_types->size(); ++layer) {
      const Json& type = (*layer_types)[layer];
      if (type == "full_attention") continue;
      if (type != "sliding_attention") {
        return top.FieldError("layer_types", "a list of \"full_attention\"/\"sliding_attention\"",
                              *layer_types);
      }
      if (!sliding) {
        return absl::InvalidArgumentError(
            StrCat(top.source(), ": layer_types marks layer ", layer,
                   " as sliding_attention but no sliding window is in use (use_sliding_window "
                   "false or sliding_window null)"));
      }
      config.layer_attention_window[layer] = width;
    }
    return absl::OkStatus();
  }
  if (!sliding) return absl::OkStatus();
  absl::StatusOr<std::optional<std::int64_t>> first_layer = top.OptionalInt("max_window_layers");
  if (!first_layer.ok()) return first_layer.status();
  for (std::int64_t layer = first_layer->value_or(28); layer < config.num_hidden_layers; ++layer) {
    if (layer >= 0) config.layer_attention_window[static_cast<std::size_t>(layer)] = width;
  }
  return absl::OkStatus();
}

absl::Status ParseSizes(const JsonFields& top, ModelConfig& config) {
  struct RequiredField {
    std::string_view key;
    std::int64_t* target;
  };
  for (const RequiredField& field : {
           RequiredField{"hidden_size", &config.hidden_size},
           RequiredField{"intermediate_size", &config.intermediate_size},
           RequiredField{"num_hidden_layers", &config.num_hidden_layers},
           RequiredField{"num_attention_heads", &config.num_attention_heads},
           RequiredField{"vocab_size", &config.vocab_size},
       }) {
    absl::StatusOr<std::int64_t> value = top.RequiredInt(field.key);
    if (!value.ok()) return value.status();
    if (*value <= 0 || *value > kMaxDimension) {
      return top.FieldError(field.key, "a positive integer below 2^31", *value);
    }
    *field.target = *value;
  }
  absl::StatusOr<std::optional<std::int64_t>> kv_heads = top.OptionalInt("num_key_value_heads");
  if (!kv_heads.ok()) return kv_heads.status();
  config.num_key_value_heads = kv_heads->value_or(config.num_attention_heads);

  absl::StatusOr<std::optional<std::int64_t>> head_dim = top.OptionalInt("head_dim");
  if (!head_dim.ok()) return head_dim.status();
  if (head_dim->has_value()) {
    config.head_dim = **head_dim;
  } else if (config.hidden_size % config.num_attention_heads != 0) {
    return absl::InvalidArgumentError(
        StrCat(top.source(), ": hidden_size ", config.hidden_size, " is not divisible by ",
               "num_attention_heads ", config.num_attention_heads, " and no 'head_dim' is given"));
  } else {
    config.head_dim = config.hidden_size / config.num_attention_heads;
  }

  absl::StatusOr<std::optional<std::int64_t>> max_positions =
      top.OptionalInt("max_position_embeddings");
  if (!max_positions.ok()) return max_positions.status();
  config.max_position_embeddings =
      max_positions->value_or(EntryOf(config.architecture).default_max_position_embeddings);

  absl::StatusOr<std::optional<double>> eps = top.OptionalNumber("rms_norm_eps");
  if (!eps.ok()) return eps.status();
  config.rms_norm_eps = eps->value_or(1e-6);
  return absl::OkStatus();
}

absl::Status ParseFlags(const JsonFields& top, ModelConfig& config) {
  absl::StatusOr<std::optional<std::string>> activation = top.OptionalString("hidden_act");
  if (!activation.ok()) return activation.status();
  if (activation->value_or("silu") != "silu") {
    return absl::InvalidArgumentError(StrCat(top.source(), ": hidden_act '", **activation,
                                             "' is not supported; only \"silu\" is"));
  }
  absl::StatusOr<std::optional<bool>> tie = top.OptionalBool("tie_word_embeddings");
  if (!tie.ok()) return tie.status();
  config.tie_word_embeddings = tie->value_or(false);

  absl::StatusOr<std::optional<bool>> attention_bias = top.OptionalBool("attention_bias");
  if (!attention_bias.ok()) return attention_bias.status();
  absl::StatusOr<std::optional<bool>> mlp_bias = top.OptionalBool("mlp_bias");
  if (!mlp_bias.ok()) return mlp_bias.status();
  switch (config.architecture) {
    case Architecture::kLlama:  // LlamaAttention puts attention_bias on q, k, v and o.
      config.attention_qkv_bias = config.attention_output_bias = attention_bias->value_or(false);
      config.mlp_bias = mlp_bias->value_or(false);
      break;
    case Architecture::kMistral:  // MistralAttention and MistralMLP have no biases.
      break;
    case Architecture::kQwen2:  // Qwen2Attention: q/k/v always biased, o never.
      config.attention_qkv_bias = true;
      break;
    case Architecture::kQwen3:  // Qwen3Attention: attention_bias on q/k/v/o, q/k RMSNorm always.
      config.attention_qkv_bias = config.attention_output_bias = attention_bias->value_or(false);
      config.qk_norm = true;
      break;
  }

  absl::StatusOr<std::optional<std::int64_t>> bos = top.OptionalInt("bos_token_id");
  if (!bos.ok()) return bos.status();
  config.bos_token_id = *bos;
  absl::StatusOr<std::vector<std::int64_t>> eos = top.IntOrIntList("eos_token_id");
  if (!eos.ok()) return eos.status();
  config.eos_token_ids = *std::move(eos);
  absl::StatusOr<std::optional<std::int64_t>> pad = top.OptionalInt("pad_token_id");
  if (!pad.ok()) return pad.status();
  config.pad_token_id = *pad;

  // transformers 4.56+ writes `dtype`; older versions `torch_dtype`.
  for (std::string_view key : {"torch_dtype", "dtype"}) {
    absl::StatusOr<std::optional<std::string>> dtype = top.OptionalString(key);
    if (!dtype.ok()) return dtype.status();
    if (dtype->has_value()) {
      config.torch_dtype = **dtype;
      break;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPositive(std::string_view source, std::string_view name, std::int64_t value) {
  if (value > 0 && value <= kMaxDimension) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat(source, ": ", name, " must be a positive integer below 2^31, got ", value));
}

absl::Status CheckTokenId(std::string_view source, std::string_view name, std::int64_t id,
                          std::int64_t vocab_size) {
  if (id >= 0 && id < vocab_size) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat(source, ": ", name, " ", id, " is outside the vocabulary [0, ", vocab_size, ")"));
}

absl::Status ValidateRope(std::string_view source, const RopeParameters& rope) {
  auto positive = [](double value) { return std::isfinite(value) && value > 0; };
  if (!positive(rope.theta)) {
    return absl::InvalidArgumentError(
        StrCat(source, ": rope_theta must be a positive number, got ", rope.theta));
  }
  if (rope.type == RopeType::kDefault) return absl::OkStatus();
  if (!positive(rope.factor)) {
    return absl::InvalidArgumentError(
        StrCat(source, ": the RoPE scaling factor must be a positive number, got ", rope.factor));
  }
  if (rope.type == RopeType::kLlama3 &&
      (!positive(rope.low_freq_factor) || !std::isfinite(rope.high_freq_factor) ||
       rope.high_freq_factor <= rope.low_freq_factor ||
       rope.original_max_position_embeddings <= 0)) {
    return absl::InvalidArgumentError(
        StrCat(source,
               ": llama3 RoPE needs 0 < low_freq_factor < high_freq_factor and a positive "
               "original_max_position_embeddings, got low_freq_factor ",
               rope.low_freq_factor, ", high_freq_factor ", rope.high_freq_factor,
               ", original_max_position_embeddings ", rope.original_max_position_embeddings));
  }
  return absl::OkStatus();
}

absl::Status ValidateArchitectureFlags(std::string_view source, const ModelConfig& config) {
  bool consistent = true;
  switch (config.architecture) {
    case Architecture::kLlama:
    case Architecture::kQwen3:
      consistent = config.attention_qkv_bias == config.attention_output_bias &&
                   config.qk_norm == (config.architecture == Architecture::kQwen3) &&
                   (config.architecture == Architecture::kLlama || !config.mlp_bias);
      break;
    case Architecture::kMistral:
      consistent = !config.attention_qkv_bias && !config.attention_output_bias &&
                   !config.mlp_bias && !config.qk_norm;
      break;
    case Architecture::kQwen2:
      consistent = config.attention_qkv_bias && !config.attention_output_bias && !config.mlp_bias &&
                   !config.qk_norm;
      break;
  }
  if (consistent) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat(
      source, ": ", ArchitectureName(config.architecture),
      " cannot have this combination of biases and q/k norms (qkv bias ", config.attention_qkv_bias,
      ", o bias ", config.attention_output_bias, ", mlp bias ", config.mlp_bias, ", qk norm ",
      config.qk_norm,
      "); Llama and Qwen3 bias q, k, v and o together, Qwen2 biases only q, k and v, Mistral "
      "has no biases, and only Qwen3 has q/k norms"));
}

}  // namespace

std::string_view ArchitectureName(Architecture architecture) {
  return EntryOf(architecture).class_name;
}

std::string_view ModelTypeName(Architecture architecture) {
  return EntryOf(architecture).model_type;
}

bool UsesSlidingWindow(const ModelConfig& config) {
  return std::any_of(config.layer_attention_window.begin(), config.layer_attention_window.end(),
                     [](std::int64_t window) { return window > 0; });
}

absl::Status ValidateModelConfig(const ModelConfig& config, std::string_view source) {
  struct Size {
    std::string_view name;
    std::int64_t value;
  };
  for (const Size& size : {Size{"hidden_size", config.hidden_size},
                           Size{"intermediate_size", config.intermediate_size},
                           Size{"num_hidden_layers", config.num_hidden_layers},
                           Size{"num_attention_heads", config.num_attention_heads},
                           Size{"num_key_value_heads", config.num_key_value_heads},
                           Size{"head_dim", config.head_dim}, Size{"vocab_size", config.vocab_size},
                           Size{"max_position_embeddings", config.max_position_embeddings}}) {
    absl::Status status = CheckPositive(source, size.name, size.value);
    if (!status.ok()) return status;
  }
  if (config.num_attention_heads % config.num_key_value_heads != 0) {
    return absl::InvalidArgumentError(
        StrCat(source, ": num_attention_heads ", config.num_attention_heads,
               " is not a multiple of num_key_value_heads ", config.num_key_value_heads));
  }
  if (config.head_dim % 2 != 0) {
    return absl::InvalidArgumentError(
        StrCat(source, ": head_dim ", config.head_dim, " must be even for rotary embeddings"));
  }
  if (config.num_attention_heads * config.head_dim > kMaxDimension) {
    return absl::InvalidArgumentError(
        StrCat(source, ": num_attention_heads × head_dim must be below 2^31"));
  }
  if (!std::isfinite(config.rms_norm_eps) || config.rms_norm_eps <= 0) {
    return absl::InvalidArgumentError(
        StrCat(source, ": rms_norm_eps must be a positive number, got ", config.rms_norm_eps));
  }
  absl::Status status = ValidateRope(source, config.rope);
  if (!status.ok()) return status;
  if (config.layer_attention_window.size() != static_cast<std::size_t>(config.num_hidden_layers) ||
      std::any_of(config.layer_attention_window.begin(), config.layer_attention_window.end(),
                  [](std::int64_t window) { return window < 0; })) {
    return absl::InvalidArgumentError(StrCat(
        source, ": layer_attention_window must hold one non-negative window per layer (",
        config.num_hidden_layers, "), got ", config.layer_attention_window.size(), " entries"));
  }
  if (config.bos_token_id.has_value()) {
    status = CheckTokenId(source, "bos_token_id", *config.bos_token_id, config.vocab_size);
    if (!status.ok()) return status;
  }
  for (std::int64_t eos : config.eos_token_ids) {
    status = CheckTokenId(source, "eos_token_id", eos, config.vocab_size);
    if (!status.ok()) return status;
  }
  return ValidateArchitectureFlags(source, config);
}

absl::StatusOr<ModelConfig> ParseModelConfig(std::string_view json_text, std::string_view source) {
  absl::StatusOr<Json> root = internal::ParseJsonObject(json_text, source);
  if (!root.ok()) return root.status();
  const JsonFields top(*root, std::string(source));

  ModelConfig config;
  absl::StatusOr<Architecture> architecture = ParseArchitecture(top);
  if (!architecture.ok()) return architecture.status();
  config.architecture = *architecture;

  absl::Status status = ParseSizes(top, config);
  if (status.ok()) status = ParseFlags(top, config);
  if (status.ok()) status = ParseSlidingWindow(top, config);
  if (!status.ok()) return status;
  absl::StatusOr<RopeParameters> rope = ParseRope(top, config.max_position_embeddings);
  if (!rope.ok()) return rope.status();
  config.rope = *rope;

  status = ValidateModelConfig(config, source);
  if (!status.ok()) return status;
  return config;
}

absl::StatusOr<ModelConfig> ReadModelConfig(const std::string& path) {
  absl::StatusOr<std::string> text = internal::ReadSmallFile(path, kMaxConfigBytes);
  if (!text.ok()) return text.status();
  return ParseModelConfig(*text, path);
}

}  // namespace radixlm::engine
