// ModelConfig: what the engine needs from a Hugging Face `config.json`, resolved the way
// transformers resolves it.
//
// Parsing fills in transformers' defaults and folds the per-architecture rules into plain fields,
// so that later layers never branch on the architecture for shapes: e.g. Qwen2 always has q/k/v
// biases (`attention_qkv_bias`), Llama's `attention_bias` also puts a bias on o_proj
// (`attention_output_bias`), Qwen3 always has per-head q/k RMSNorm (`qk_norm`), and the sliding
// window rules of Mistral and Qwen2/Qwen3 become one window length per layer. docs/MODEL_FORMAT.md
// lists every field, its default and the errors.
//
// Thread safety: ModelConfig is a value; the functions are pure.
#ifndef RADIXLM_SRC_ENGINE_MODEL_MODEL_CONFIG_H_
#define RADIXLM_SRC_ENGINE_MODEL_MODEL_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace radixlm::engine {

// Architecture is the model class named by `architectures[0]`.
enum class Architecture { kLlama, kMistral, kQwen2, kQwen3 };

// ArchitectureName() returns the transformers class name, e.g. "LlamaForCausalLM".
std::string_view ArchitectureName(Architecture architecture);

// ModelTypeName() returns config.json's `model_type` for the architecture, e.g. "llama".
std::string_view ModelTypeName(Architecture architecture);

// RopeType is the RoPE variant (`rope_type`, or `type` in old configs). Others (dynamic, yarn,
// longrope, ...) are rejected as Unimplemented when the config is parsed.
enum class RopeType { kDefault, kLinear, kLlama3 };

// RopeParameters holds the rotary embedding settings from either config form: the old top-level
// `rope_theta` + `rope_scaling` dict, or the newer `rope_parameters` dict.
struct RopeParameters {
  RopeType type = RopeType::kDefault;
  double theta = 10000.0;
  // kLinear and kLlama3: positions are stretched by this factor.
  double factor = 1.0;
  // kLlama3 only.
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  std::int64_t original_max_position_embeddings = 8192;

  bool operator==(const RopeParameters&) const = default;
};

// ModelConfig is a parsed and validated config.json.
struct ModelConfig {
  Architecture architecture = Architecture::kLlama;

  std::int64_t hidden_size = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t num_hidden_layers = 0;
  std::int64_t num_attention_heads = 0;
  std::int64_t num_key_value_heads = 0;  // == num_attention_heads unless grouped-query attention
  std::int64_t head_dim = 0;             // explicit `head_dim`, else hidden_size / heads
  std::int64_t vocab_size = 0;
  std::int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-6;
  bool tie_word_embeddings = false;  // lm_head shares model.embed_tokens.weight

  // Which optional tensors the layers have (see the file comment for the per-architecture rules).
  bool attention_qkv_bias = false;     // q_proj/k_proj/v_proj .bias
  bool attention_output_bias = false;  // o_proj.bias
  bool mlp_bias = false;               // gate_proj/up_proj/down_proj .bias
  bool qk_norm = false;                // self_attn.q_norm / k_norm, [head_dim], before RoPE

  RopeParameters rope;

  // Attention window of each layer, num_hidden_layers entries. 0: full causal attention. W > 0:
  // the query at position i sees only keys j with i - W < j <= i (W keys, itself included), as
  // transformers' sliding_window_overlay masks.
  std::vector<std::int64_t> layer_attention_window;

  std::optional<std::int64_t> bos_token_id;
  std::vector<std::int64_t> eos_token_ids;  // `eos_token_id` may be an int or a list
  std::optional<std::int64_t> pad_token_id;
  std::string torch_dtype;  // `torch_dtype` (or `dtype`), e.g. "bfloat16"; empty when absent

  bool operator==(const ModelConfig&) const = default;
};

// ParseModelConfig() parses config.json text. `source` names the file in error messages.
// Errors: InvalidArgument for malformed JSON, missing or ill-typed fields, an unsupported
// architecture (the message lists the supported ones), hidden_act other than "silu", or
// inconsistent sizes; Unimplemented for a RoPE type other than default/linear/llama3 or a
// partial_rotary_factor other than 1.
absl::StatusOr<ModelConfig> ParseModelConfig(std::string_view json_text, std::string_view source);

// ReadModelConfig() reads and parses the file at `path` (NotFound when it does not exist).
absl::StatusOr<ModelConfig> ReadModelConfig(const std::string& path);

// ValidateModelConfig() checks the invariants every ModelConfig must hold (positive sizes that fit
// in 32 bits, heads divisible by KV heads, even head_dim, one window per layer, special token ids
// inside the vocabulary, bias flags the architecture can have). ParseModelConfig() calls it; the
// model writer calls it on shapes built in code.
absl::Status ValidateModelConfig(const ModelConfig& config, std::string_view source);

// UsesSlidingWindow() says whether any layer attends through a window.
bool UsesSlidingWindow(const ModelConfig& config);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_MODEL_CONFIG_H_
