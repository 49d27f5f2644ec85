#include "src/engine/model/model_folder.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "fmt/format.h"
#include "src/common/strings.h"

namespace radixlm::engine {
namespace {

constexpr std::string_view kFolderContents =
    "a model folder holds config.json and model.safetensors (or model.safetensors.index.json "
    "with its shards), as Hugging Face's save_pretrained writes them";

void Count(const TensorView& view, ModelInfo& info) {
  info.parameter_count += view.NumElements();
  info.weight_bytes_by_dtype[view.dtype] += static_cast<std::int64_t>(view.ByteSize());
}

void CountIf(const std::optional<TensorView>& view, ModelInfo& info) {
  if (view.has_value()) Count(*view, info);
}

std::string HumanBytes(std::int64_t bytes) {
  if (bytes < 1024) return StrCat(bytes, " B");
  constexpr std::string_view kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  for (value /= 1024; value >= 1024 && unit + 1 < std::size(kUnits); value /= 1024) ++unit;
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string_view RopeTypeName(RopeType type) {
  switch (type) {
    case RopeType::kDefault:
      return "default";
    case RopeType::kLinear:
      return "linear";
    case RopeType::kLlama3:
      return "llama3";
  }
  return "default";
}

std::string DescribeSlidingWindow(const ModelConfig& config) {
  const auto sliding_layers =
      std::count_if(config.layer_attention_window.begin(), config.layer_attention_window.end(),
                    [](std::int64_t window) { return window > 0; });
  if (sliding_layers == 0) return "none (full attention on every layer)";
  const std::int64_t window =
      *std::max_element(config.layer_attention_window.begin(), config.layer_attention_window.end());
  return StrCat(window, " tokens on ", sliding_layers, " of ", config.num_hidden_layers, " layers");
}

}  // namespace

absl::StatusOr<LoadedModel> LoadModelFolder(const std::string& dir) {
  const std::filesystem::path folder(dir);
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    return absl::NotFoundError(StrCat("model folder ", dir,
                                      " does not exist or is not a "
                                      "directory; ",
                                      kFolderContents));
  }
  const std::filesystem::path config_path = folder / kModelConfigName;
  if (!std::filesystem::exists(config_path, error)) {
    return absl::NotFoundError(StrCat(config_path.string(), " not found; ", kFolderContents));
  }
  LoadedModel model;
  model.dir = dir;
  absl::StatusOr<ModelConfig> config = ReadModelConfig(config_path.string());
  if (!config.ok()) return config.status();
  model.config = *std::move(config);

  const std::filesystem::path generation_path = folder / kGenerationConfigName;
  model.has_generation_config = std::filesystem::exists(generation_path, error);
  if (model.has_generation_config) {
    absl::StatusOr<GenerationDefaults> generation = ReadGenerationConfig(generation_path.string());
    if (!generation.ok()) return generation.status();
    model.generation = *std::move(generation);
  } else {
    model.generation = GenerationDefaultsFromModelConfig(model.config);
  }

  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::OpenFolder(dir);
  if (!checkpoint.ok()) return checkpoint.status();
  model.checkpoint = *std::move(checkpoint);
  absl::StatusOr<ModelWeights> weights = LoadModelWeights(model.checkpoint, model.config);
  if (!weights.ok()) {
    return absl::Status(weights.status().code(), StrCat(dir, ": ", weights.status().message()));
  }
  model.weights = *std::move(weights);
  return model;
}

ModelInfo DescribeModel(const ModelConfig& config, const ModelWeights& weights) {
  ModelInfo info;
  info.architecture = config.architecture;
  Count(weights.embed_tokens, info);
  for (const LayerWeights& layer : weights.layers) {
    for (const TensorView* view :
         {&layer.input_layernorm, &layer.q_proj, &layer.k_proj, &layer.v_proj, &layer.o_proj,
          &layer.post_attention_layernorm, &layer.gate_proj, &layer.up_proj, &layer.down_proj}) {
      Count(*view, info);
    }
    for (const std::optional<TensorView>* view :
         {&layer.q_bias, &layer.k_bias, &layer.v_bias, &layer.o_bias, &layer.q_norm, &layer.k_norm,
          &layer.gate_bias, &layer.up_bias, &layer.down_bias}) {
      CountIf(*view, info);
    }
  }
  Count(weights.norm, info);
  if (!config.tie_word_embeddings) Count(weights.lm_head, info);
  constexpr std::int64_t kBFloat16Bytes = 2;
  info.kv_cache_bytes_per_token =
      2 * config.num_hidden_layers * config.num_key_value_heads * config.head_dim * kBFloat16Bytes;
  return info;
}

std::string FormatModelInfo(const ModelConfig& config, const ModelInfo& info) {
  std::string weights;
  std::int64_t total_bytes = 0;
  for (const auto& [dtype, bytes] : info.weight_bytes_by_dtype) {
    if (!weights.empty()) weights += ", ";
    weights += StrCat(SafetensorsDTypeName(dtype), " ", HumanBytes(bytes));
    total_bytes += bytes;
  }
  std::string rope = StrCat(RopeTypeName(config.rope.type), ", theta ", config.rope.theta);
  if (config.rope.type != RopeType::kDefault) rope += StrCat(", factor ", config.rope.factor);
  if (config.rope.type == RopeType::kLlama3) {
    rope += StrCat(", low/high freq factor ", config.rope.low_freq_factor, "/",
                   config.rope.high_freq_factor, ", original context ",
                   config.rope.original_max_position_embeddings);
  }
  std::string extras;
  if (config.attention_qkv_bias) extras += ", q/k/v bias";
  if (config.attention_output_bias) extras += ", o bias";
  if (config.qk_norm) extras += ", q/k norm";
  if (config.mlp_bias) extras += ", mlp bias";

  std::string text;
  auto line = [&text](std::string_view name, const std::string& value) {
    text += fmt::format("  {:<16}{}\n", StrCat(name, ":"), value);
  };
  line("architecture", std::string(ArchitectureName(info.architecture)));
  line("parameters", fmt::format("{} ({:.1f}M)", info.parameter_count,
                                 static_cast<double>(info.parameter_count) / 1e6));
  line("weights", StrCat(weights, " (", HumanBytes(total_bytes), " total)"));
  line("layers", StrCat(config.num_hidden_layers, " (hidden ", config.hidden_size,
                        ", intermediate ", config.intermediate_size, ")"));
  line("attention", StrCat(config.num_attention_heads, " heads, ", config.num_key_value_heads,
                           " KV heads, head_dim ", config.head_dim, extras));
  line("vocabulary", StrCat(config.vocab_size,
                            config.tie_word_embeddings ? " (tied input/output embeddings)" : ""));
  line("context", StrCat(config.max_position_embeddings, " positions"));
  line("rope", rope);
  line("sliding window", DescribeSlidingWindow(config));
  line("kv cache", StrCat(HumanBytes(info.kv_cache_bytes_per_token), " per token (bf16)"));
  return text;
}

}  // namespace radixlm::engine
