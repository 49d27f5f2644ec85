// Rotary position embedding frequencies, computed as transformers computes them.
//
// The attention layer rotates dimension pair (d, d + head_dim/2) of each query/key head at
// position p by the angle p × inv_freq[d] (the "rotate_half" layout of LlamaRotaryEmbedding and
// apply_rotary_pos_emb). For every RoPE type we support (default, linear, llama3) transformers'
// attention scaling is 1.0: cos and sin are used unscaled.
//
// Thread safety: pure functions.
#ifndef RADIXLM_SRC_ENGINE_MODEL_ROPE_H_
#define RADIXLM_SRC_ENGINE_MODEL_ROPE_H_

#include <vector>

#include "src/engine/model/model_config.h"

namespace radixlm::engine {

// ComputeRopeInverseFrequencies() returns head_dim / 2 inverse frequencies in float32, following
// transformers' modeling_rope_utils (_compute_default_rope_parameters,
// _compute_linear_scaling_rope_parameters, _compute_llama3_parameters) operation by operation in
// float32 arithmetic, so the values equal torch's up to the last bit of `pow` (torch may use a
// vectorized pow accurate to 1 ulp; we use the correctly rounded one).
std::vector<float> ComputeRopeInverseFrequencies(const ModelConfig& config);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_ROPE_H_
