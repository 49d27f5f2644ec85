// Writing config.json and generation_config.json the way transformers' save_pretrained does:
// keys sorted, two-space indent, the fields its config classes serialize (4.x form: top-level
// `rope_theta` and a `rope_scaling` dict or null, which every transformers version reads).
//
// Thread safety: pure functions.
#ifndef RADIXLM_SRC_ENGINE_MODEL_MODEL_CONFIG_JSON_H_
#define RADIXLM_SRC_ENGINE_MODEL_MODEL_CONFIG_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "src/engine/model/model_config.h"

namespace radixlm::engine {

// ModelConfigToJson() renders `config` as config.json text; ParseModelConfig() of the result
// equals `config`. InvalidArgument when the config is invalid or its per-layer windows have no
// config.json spelling (Mistral: one window on all layers; Qwen2/Qwen3: one window on a suffix of
// the layers; Llama: none).
absl::StatusOr<std::string> ModelConfigToJson(const ModelConfig& config);

// GenerationConfigToJson() renders the generation_config.json transformers derives from a model
// config (GenerationConfig.from_model_config): the special token ids and nothing else.
std::string GenerationConfigToJson(const ModelConfig& config);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_MODEL_CONFIG_JSON_H_
