#include "src/engine/model/random_model.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <utility>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/model/checkpoint.h"
#include "src/engine/model/file_util.h"
#include "src/engine/model/model_config_json.h"
#include "src/engine/model/model_folder.h"
#include "src/engine/model/safetensors_writer.h"

namespace radixlm::engine {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian elements; this writer copies host floats");

constexpr double kWeightStd = 0.02;
constexpr double kNormNoiseStd = 0.1;
constexpr std::size_t kChunkElements = std::size_t{1} << 20;

enum class Init { kWeight, kNorm };

struct PlannedTensor {
  TensorSpec spec;
  Init init = Init::kWeight;
  std::uint64_t bytes = 0;
};

// SplitMix64 (Steele, Lea, Flood 2014): a small generator whose every seed gives a good stream.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

std::uint64_t Fnv1a(std::string_view text) {
  std::uint64_t hash = 0xCBF29CE484222325ull;
  for (char c : text) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 0x100000001B3ull;
  }
  return hash;
}

// A standard normal approximated by the sum of four uniform 16-bit integers (Irwin–Hall), whose
// mean is 4 × 32767.5 and variance 4 × (65536² − 1) / 12.
double StandardNormal(std::uint64_t bits) {
  static const double kInverseStd = 1.0 / std::sqrt((65536.0 * 65536.0 - 1.0) / 3.0);
  const std::uint64_t sum =
      (bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48);
  return (static_cast<double>(sum) - 131070.0) * kInverseStd;
}

// Writes `value` in the float `dtype` at `out` (little-endian, as the host is). The scalar
// reference conversions keep the bytes independent of which SIMD path the CPU would pick.
void Encode(float value, DType dtype, std::byte* out) {
  if (dtype == DType::kF32) {
    std::memcpy(out, &value, sizeof(value));
    return;
  }
  const std::uint16_t bits = dtype == DType::kF16 ? F32ToF16(value) : F32ToBf16(value);
  std::memcpy(out, &bits, sizeof(bits));
}

std::vector<PlannedTensor> PlanTensors(const ModelConfig& config, DType dtype) {
  std::vector<PlannedTensor> plan;
  auto add = [&](std::string name, std::vector<std::int64_t> shape, Init init) {
    PlannedTensor tensor{TensorSpec{std::move(name), dtype, std::move(shape)}, init, 0};
    tensor.bytes = ElementBytes(dtype);
    for (std::int64_t dim : tensor.spec.shape) tensor.bytes *= static_cast<std::uint64_t>(dim);
    plan.push_back(std::move(tensor));
  };
  const std::int64_t hidden = config.hidden_size;
  const std::int64_t q_width = config.num_attention_heads * config.head_dim;
  const std::int64_t kv_width = config.num_key_value_heads * config.head_dim;
  const std::int64_t intermediate = config.intermediate_size;
  add("model.embed_tokens.weight", {config.vocab_size, hidden}, Init::kWeight);
  for (std::int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    const std::string prefix = StrCat("model.layers.", layer, ".");
    const std::string attention = prefix + "self_attn.";
    const std::string mlp = prefix + "mlp.";
    add(prefix + "input_layernorm.weight", {hidden}, Init::kNorm);
    add(attention + "q_proj.weight", {q_width, hidden}, Init::kWeight);
    add(attention + "k_proj.weight", {kv_width, hidden}, Init::kWeight);
    add(attention + "v_proj.weight", {kv_width, hidden}, Init::kWeight);
    add(attention + "o_proj.weight", {hidden, q_width}, Init::kWeight);
    if (config.attention_qkv_bias) {
      add(attention + "q_proj.bias", {q_width}, Init::kWeight);
      add(attention + "k_proj.bias", {kv_width}, Init::kWeight);
      add(attention + "v_proj.bias", {kv_width}, Init::kWeight);
    }
    if (config.attention_output_bias) add(attention + "o_proj.bias", {hidden}, Init::kWeight);
    if (config.qk_norm) {
      add(attention + "q_norm.weight", {config.head_dim}, Init::kNorm);
      add(attention + "k_norm.weight", {config.head_dim}, Init::kNorm);
    }
    add(prefix + "post_attention_layernorm.weight", {hidden}, Init::kNorm);
    add(mlp + "gate_proj.weight", {intermediate, hidden}, Init::kWeight);
    add(mlp + "up_proj.weight", {intermediate, hidden}, Init::kWeight);
    add(mlp + "down_proj.weight", {hidden, intermediate}, Init::kWeight);
    if (config.mlp_bias) {
      add(mlp + "gate_proj.bias", {intermediate}, Init::kWeight);
      add(mlp + "up_proj.bias", {intermediate}, Init::kWeight);
      add(mlp + "down_proj.bias", {hidden}, Init::kWeight);
    }
  }
  add("model.norm.weight", {hidden}, Init::kNorm);
  if (!config.tie_word_embeddings) {
    add("lm_head.weight", {config.vocab_size, hidden}, Init::kWeight);
  }
  return plan;
}

// Greedy split in state-dict order, as transformers' shard_checkpoint does.
std::vector<std::vector<const PlannedTensor*>> PlanShards(const std::vector<PlannedTensor>& plan,
                                                          std::uint64_t max_shard_bytes) {
  std::vector<std::vector<const PlannedTensor*>> shards(1);
  std::uint64_t shard_bytes = 0;
  for (const PlannedTensor& tensor : plan) {
    if (!shards.back().empty() && shard_bytes + tensor.bytes > max_shard_bytes) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shards.back().push_back(&tensor);
    shard_bytes += tensor.bytes;
  }
  return shards;
}

bool IsModelFile(const std::string& name) {
  return name == kModelConfigName || name == kGenerationConfigName ||
         name == kSafetensorsWeightsName || name == kSafetensorsIndexName ||
         (name.starts_with("model-") && name.ends_with(".safetensors") &&
          name.find("-of-") != std::string::npos);
}

// Refuses to mix a new model with an old one; with `overwrite`, removes the old weight files so
// that no stale shard survives.
absl::Status PrepareFolder(const std::string& dir, bool overwrite) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::Status(absl::ErrnoToStatusCode(error.value()),
                        StrCat("cannot create model folder ", dir, ": ", error.message()));
  }
  std::vector<std::filesystem::path> existing;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (IsModelFile(it->path().filename().string())) existing.push_back(it->path());
  }
  if (error) {
    return absl::Status(absl::ErrnoToStatusCode(error.value()),
                        StrCat("cannot list model folder ", dir, ": ", error.message()));
  }
  if (existing.empty()) return absl::OkStatus();
  if (!overwrite) {
    return absl::FailedPreconditionError(StrCat(dir, " already holds a model (",
                                                existing.front().filename().string(),
                                                "); choose another folder or ask to overwrite"));
  }
  for (const std::filesystem::path& path : existing) {
    std::filesystem::remove(path, error);
    if (error) {
      return absl::Status(absl::ErrnoToStatusCode(error.value()),
                          StrCat("cannot remove ", path.string(), ": ", error.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ModelConfig> ApplyOverrides(const ModelShape& shape,
                                           const RandomModelOptions& options) {
  ModelConfig config = shape.config;
  if (options.vocab_size.has_value()) config.vocab_size = *options.vocab_size;
  if (options.bos_token_id.has_value()) config.bos_token_id = *options.bos_token_id;
  if (!options.eos_token_ids.empty()) config.eos_token_ids = options.eos_token_ids;
  config.torch_dtype = std::string(TorchDTypeName(options.dtype));
  absl::Status status = ValidateModelConfig(config, StrCat("model shape '", shape.name, "'"));
  if (!status.ok() && options.vocab_size.has_value()) {
    return absl::InvalidArgumentError(StrCat(status.message(),
                                             "; when overriding the vocabulary size, also pass the "
                                             "tokenizer's bos/eos ids"));
  }
  if (!status.ok()) return status;
  return config;
}

class WeightFileWriter {
 public:
  WeightFileWriter(DType dtype, std::uint64_t seed, std::uint64_t total_bytes,
                   const WriteProgressCallback& progress)
      : dtype_(dtype), seed_(seed), total_bytes_(total_bytes), progress_(progress) {}

  absl::Status WriteShard(const std::string& path,
                          const std::vector<const PlannedTensor*>& tensors) {
    std::vector<TensorSpec> specs;
    std::map<std::string, const PlannedTensor*> by_name;
    for (const PlannedTensor* tensor : tensors) {
      specs.push_back(tensor->spec);
      by_name[tensor->spec.name] = tensor;
    }
    absl::StatusOr<std::unique_ptr<SafetensorsWriter>> writer =
        SafetensorsWriter::Create(path, std::move(specs), {{"format", "pt"}});
    if (!writer.ok()) return writer.status();
    const std::string file = std::filesystem::path(path).filename().string();
    for (const TensorSpec& spec : (*writer)->data_order()) {
      absl::Status status = WriteTensor(**writer, *by_name[spec.name], file);
      if (!status.ok()) return status;
    }
    return (*writer)->Finish();
  }

 private:
  absl::Status WriteTensor(SafetensorsWriter& writer, const PlannedTensor& tensor,
                           const std::string& file) {
    SplitMix64 random(seed_ ^ Fnv1a(tensor.spec.name));
    const double mean = tensor.init == Init::kNorm ? 1.0 : 0.0;
    const double std = tensor.init == Init::kNorm ? kNormNoiseStd : kWeightStd;
    std::uint64_t remaining = tensor.bytes / ElementBytes(dtype_);
    const std::size_t element_bytes = ElementBytes(dtype_);
    std::vector<std::byte> chunk;
    while (remaining > 0) {
      const std::uint64_t count = std::min<std::uint64_t>(remaining, kChunkElements);
      chunk.resize(count * element_bytes);
      for (std::uint64_t i = 0; i < count; ++i) {
        const auto value = static_cast<float>(mean + std * StandardNormal(random.Next()));
        Encode(value, dtype_, chunk.data() + i * element_bytes);
      }
      absl::Status status = writer.Append(chunk);
      if (!status.ok()) return status;
      remaining -= count;
      written_bytes_ += chunk.size();
      if (progress_) progress_(WriteProgress{file, written_bytes_, total_bytes_});
    }
    return absl::OkStatus();
  }

  DType dtype_;
  std::uint64_t seed_;
  std::uint64_t total_bytes_;
  const WriteProgressCallback& progress_;
  std::uint64_t written_bytes_ = 0;
};

ModelConfig LlamaShape(std::int64_t hidden, std::int64_t layers, std::int64_t heads,
                       std::int64_t kv_heads, std::int64_t intermediate, std::int64_t vocab) {
  ModelConfig config;
  config.architecture = Architecture::kLlama;
  config.hidden_size = hidden;
  config.intermediate_size = intermediate;
  config.num_hidden_layers = layers;
  config.num_attention_heads = heads;
  config.num_key_value_heads = kv_heads;
  config.head_dim = hidden / heads;
  config.vocab_size = vocab;
  config.layer_attention_window.assign(static_cast<std::size_t>(layers), 0);
  return config;
}

}  // namespace

std::vector<std::string> ModelShapeNames() { return {"tiny", "smollm2-135m", "llama-1b"}; }

absl::StatusOr<ModelShape> FindModelShape(std::string_view name) {
  ModelShape shape{std::string(name), {}};
  if (name == "tiny") {
    shape.config = LlamaShape(64, 2, 4, 2, 128, 512);
    shape.config.max_position_embeddings = 2048;
    shape.config.rms_norm_eps = 1e-5;
    shape.config.bos_token_id = 1;
    shape.config.eos_token_ids = {2};
  } else if (name == "smollm2-135m") {
    shape.config = LlamaShape(576, 30, 9, 3, 1536, 49152);
    shape.config.tie_word_embeddings = true;
    shape.config.rope.theta = 100000;
    shape.config.max_position_embeddings = 8192;
    shape.config.rms_norm_eps = 1e-5;
    shape.config.bos_token_id = 0;
    shape.config.eos_token_ids = {0};
  } else if (name == "llama-1b") {
    shape.config = LlamaShape(2048, 16, 32, 8, 8192, 128256);
    shape.config.tie_word_embeddings = true;
    shape.config.rope = RopeParameters{RopeType::kLlama3, 500000, 32, 1, 4, 8192};
    shape.config.max_position_embeddings = 131072;
    shape.config.rms_norm_eps = 1e-5;
    shape.config.bos_token_id = 128000;
    shape.config.eos_token_ids = {128001};
  } else {
    std::string names;
    for (const std::string& known : ModelShapeNames()) names += (names.empty() ? "" : ", ") + known;
    return absl::NotFoundError(StrCat("unknown model shape '", name, "'; known shapes: ", names));
  }
  return shape;
}

absl::Status WriteRandomModel(const ModelShape& shape, const RandomModelOptions& options,
                              const std::string& dir, const WriteProgressCallback& progress) {
  if (!IsFloatDType(options.dtype)) {
    return absl::InvalidArgumentError(StrCat("model files store f32, f16 or bf16 weights, not ",
                                             DTypeName(options.dtype),
                                             " (int8 is a load-time quantization)"));
  }
  absl::StatusOr<ModelConfig> config = ApplyOverrides(shape, options);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::string> config_json = ModelConfigToJson(*config);
  if (!config_json.ok()) return config_json.status();
  if (options.max_shard_bytes == 0) {
    return absl::InvalidArgumentError("max_shard_bytes must be positive");
  }
  absl::Status status = PrepareFolder(dir, options.overwrite);
  if (!status.ok()) return status;

  const std::vector<PlannedTensor> plan = PlanTensors(*config, options.dtype);
  const auto shards = PlanShards(plan, options.max_shard_bytes);
  std::uint64_t total_bytes = 0;
  for (const PlannedTensor& tensor : plan) total_bytes += tensor.bytes;

  const std::filesystem::path folder(dir);
  WeightFileWriter writer(options.dtype, options.seed, total_bytes, progress);
  if (shards.size() == 1) {
    status = writer.WriteShard((folder / kSafetensorsWeightsName).string(), shards[0]);
    if (!status.ok()) return status;
  } else {
    nlohmann::json weight_map = nlohmann::json::object();
    for (std::size_t i = 0; i < shards.size(); ++i) {
      const std::string file =
          fmt::format("model-{:05d}-of-{:05d}.safetensors", i + 1, shards.size());
      status = writer.WriteShard((folder / file).string(), shards[i]);
      if (!status.ok()) return status;
      for (const PlannedTensor* tensor : shards[i]) weight_map[tensor->spec.name] = file;
    }
    const nlohmann::json index = {{"metadata", {{"total_size", total_bytes}}},
                                  {"weight_map", weight_map}};
    status = internal::WriteFileAtomically((folder / kSafetensorsIndexName).string(),
                                           index.dump(2) + "\n");
    if (!status.ok()) return status;
  }
  // config.json last: a folder interrupted before this point does not look like a model.
  status = internal::WriteFileAtomically((folder / kGenerationConfigName).string(),
                                         GenerationConfigToJson(*config));
  if (!status.ok()) return status;
  return internal::WriteFileAtomically((folder / kModelConfigName).string(), *config_json);
}

}  // namespace radixlm::engine
