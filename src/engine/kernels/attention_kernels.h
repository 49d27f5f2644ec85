// Internal interface between the attention driver (attention.cc) and the per-ISA attention
// primitives (attention_{scalar,avx2,avx512}.cc). Plain function pointers only: this header is
// included by files compiled with AVX-512 flags (see matmul_kernels.h for why).
//
// The driver walks a (sequence, kv head, block of query rows) work item over the keys in tiles of
// kKeyTile; for each tile it calls score_tile, then softmax_row for every query row, then
// value_tile. Rows are the query heads of one kv head for consecutive tokens, head_dim apart.
#ifndef RADIXLM_SRC_ENGINE_KERNELS_ATTENTION_KERNELS_H_
#define RADIXLM_SRC_ENGINE_KERNELS_ATTENTION_KERNELS_H_

#include <cstddef>
#include <cstdint>

#include "src/engine/kernels/dtype.h"

namespace radixlm::engine::kernels {

// Keys per tile (the row stride of the score buffer).
inline constexpr int64_t kKeyTile = 64;
// The largest head_dim (attention.h's kMaxAttentionHeadDim; bounds the kernels' stack buffers).
inline constexpr int64_t kMaxHeadDim = 256;

struct AttentionKernels {
  // scores[r * kKeyTile + j] = q[r] . key j for r < rows, j < keys; q rows are f32 (already
  // multiplied by the softmax scale), keys[j] points at head_dim values of kv_type (f32 or bf16).
  void (*score_tile)(const float* q, int64_t rows, const std::byte* const* keys, int64_t keys_count,
                     int64_t head_dim, DType kv_type, float* scores);
  // Online-softmax update of one row of a tile: with the first `visible` of `keys_count` scores
  // valid (the rest are masked), sets *max to max(*max, scores), replaces the scores by
  // exp(score - *max) (0 for masked ones), sets *sum = *sum * c + their sum and returns
  // c = exp(old max - new max), the factor the row's output must be rescaled by.
  float (*softmax_row)(float* scores, int64_t visible, int64_t keys_count, float* max, float* sum);
  // out[r] = out[r] * rescale[r] + sum over j of probabilities[r * kKeyTile + j] * value j.
  void (*value_tile)(const float* probabilities, int64_t rows, const std::byte* const* values,
                     int64_t keys_count, int64_t head_dim, DType kv_type, const float* rescale,
                     float* out);
};

const AttentionKernels& ScalarAttentionKernels();
const AttentionKernels& Avx2AttentionKernels();
const AttentionKernels& Avx512AttentionKernels();

}  // namespace radixlm::engine::kernels

#endif  // RADIXLM_SRC_ENGINE_KERNELS_ATTENTION_KERNELS_H_
