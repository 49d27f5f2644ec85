// LoadModelFolder(): everything the engine reads from a Hugging Face model folder, except the
// tokenizer and chat template (their own layers read tokenizer.json / tokenizer_config.json).
//
//   config.json                   required  → ModelConfig
//   generation_config.json        optional  → GenerationDefaults
//   model.safetensors             required, or
//   model.safetensors.index.json  + shards  → Checkpoint → ModelWeights
//
// ModelInfo summarizes a loaded model for `radixlm model info` and for sizing the KV pool.
//
// Thread safety: LoadedModel is immutable once loaded and safe to share between threads.
#ifndef RADIXLM_SRC_ENGINE_MODEL_MODEL_FOLDER_H_
#define RADIXLM_SRC_ENGINE_MODEL_MODEL_FOLDER_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "src/engine/model/checkpoint.h"
#include "src/engine/model/generation_config.h"
#include "src/engine/model/model_config.h"
#include "src/engine/model/model_weights.h"

namespace radixlm::engine {

inline constexpr std::string_view kModelConfigName = "config.json";
inline constexpr std::string_view kGenerationConfigName = "generation_config.json";

// LoadedModel owns the mapped weight files; `weights` views into `checkpoint`, so the two travel
// together (moving a LoadedModel is fine, the mappings stay put).
struct LoadedModel {
  std::string dir;
  ModelConfig config;
  // From generation_config.json, or GenerationDefaultsFromModelConfig() when the file is absent.
  GenerationDefaults generation;
  bool has_generation_config = false;
  Checkpoint checkpoint;
  ModelWeights weights;
};

// LoadModelFolder() loads the folder at `dir`. NotFound naming the missing path and what a model
// folder must hold; otherwise the errors of ReadModelConfig(), ReadGenerationConfig(),
// Checkpoint::OpenFolder() and LoadModelWeights().
absl::StatusOr<LoadedModel> LoadModelFolder(const std::string& dir);

// ModelInfo is the size summary of a model.
struct ModelInfo {
  Architecture architecture = Architecture::kLlama;
  // Elements of the tensors the model uses; tied embeddings count once (as torch's
  // model.num_parameters() counts them).
  std::int64_t parameter_count = 0;
  std::map<DType, std::int64_t> weight_bytes_by_dtype;
  // K and V for every layer and KV head, in a bf16 cache: 2 × layers × kv_heads × head_dim × 2.
  std::int64_t kv_cache_bytes_per_token = 0;
};

// DescribeModel() sums the sizes of `weights`.
ModelInfo DescribeModel(const ModelConfig& config, const ModelWeights& weights);

// FormatModelInfo() renders the summary and the config's key settings as indented "name: value"
// lines, for `radixlm model info`.
std::string FormatModelInfo(const ModelConfig& config, const ModelInfo& info);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_MODEL_FOLDER_H_
