// ModelWeights: the tensors of a Llama-family decoder, bound by name and checked against the
// config.
//
// Names follow transformers' LlamaForCausalLM state dict (Mistral, Qwen2 and Qwen3 use the same
// scheme): model.embed_tokens.weight, model.layers.{i}.input_layernorm.weight,
// model.layers.{i}.self_attn.{q,k,v,o}_proj.{weight,bias}, model.layers.{i}.self_attn.{q,k}_norm
// .weight, model.layers.{i}.post_attention_layernorm.weight,
// model.layers.{i}.mlp.{gate,up,down}_proj.{weight,bias}, model.norm.weight, lm_head.weight.
// Linear weights are [out_features, in_features] (torch.nn.Linear), so y = x · Wᵀ (+ b).
//
// The views point into the Checkpoint's mappings, in the stored dtype (dtypes may differ between
// tensors), and every data pointer is aligned to its element size. Tensors the config does not
// call for (e.g. rotary_emb.inv_freq buffers) are ignored.
//
// Thread safety: a value of views; safe to share while the Checkpoint lives.
#ifndef RADIXLM_SRC_ENGINE_MODEL_MODEL_WEIGHTS_H_
#define RADIXLM_SRC_ENGINE_MODEL_MODEL_WEIGHTS_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/model/checkpoint.h"
#include "src/engine/model/model_config.h"

namespace radixlm::engine {

// LayerWeights holds one decoder layer. Optional members are present exactly when the config's
// flags call for them (attention_qkv_bias, attention_output_bias, qk_norm, mlp_bias).
struct LayerWeights {
  TensorView input_layernorm;           // [hidden]
  TensorView q_proj;                    // [heads × head_dim, hidden]
  TensorView k_proj;                    // [kv_heads × head_dim, hidden]
  TensorView v_proj;                    // [kv_heads × head_dim, hidden]
  TensorView o_proj;                    // [hidden, heads × head_dim]
  std::optional<TensorView> q_bias;     // [heads × head_dim]
  std::optional<TensorView> k_bias;     // [kv_heads × head_dim]
  std::optional<TensorView> v_bias;     // [kv_heads × head_dim]
  std::optional<TensorView> o_bias;     // [hidden]
  std::optional<TensorView> q_norm;     // [head_dim], RMSNorm over each query head
  std::optional<TensorView> k_norm;     // [head_dim], RMSNorm over each key head
  TensorView post_attention_layernorm;  // [hidden]
  TensorView gate_proj;                 // [intermediate, hidden]
  TensorView up_proj;                   // [intermediate, hidden]
  TensorView down_proj;                 // [hidden, intermediate]
  std::optional<TensorView> gate_bias;  // [intermediate]
  std::optional<TensorView> up_bias;    // [intermediate]
  std::optional<TensorView> down_bias;  // [hidden]
};

// ModelWeights holds the whole decoder.
struct ModelWeights {
  TensorView embed_tokens;  // [vocab, hidden]
  std::vector<LayerWeights> layers;
  TensorView norm;  // [hidden]
  // [vocab, hidden]; the same view as embed_tokens when tie_word_embeddings (lm_head.weight in the
  // file, if any, is then ignored, as transformers ties it).
  TensorView lm_head;
};

// LoadModelWeights() binds and checks every tensor `config` calls for. NotFound naming the tensor
// when one is missing; InvalidArgument naming the tensor, the expected and the actual shape when a
// shape differs, or when a tensor's data is not aligned to its element size.
absl::StatusOr<ModelWeights> LoadModelWeights(const Checkpoint& checkpoint,
                                              const ModelConfig& config);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_MODEL_WEIGHTS_H_
