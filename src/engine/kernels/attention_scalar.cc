// Portable attention primitives (the fallback, and the reference the SIMD paths are tested
// against besides the double-precision one in the tests).
#include <cmath>
#include <cstring>
#include <limits>

#include "src/engine/kernels/attention_kernels.h"

namespace radixlm::engine::kernels {
namespace {

float CacheValue(const std::byte* vector, DType kv_type, int64_t i) {
  if (kv_type == DType::kBF16) {
    uint16_t bits = 0;
    std::memcpy(&bits, vector + i * 2, sizeof(bits));
    return Bf16ToF32(bits);
  }
  float value = 0;
  std::memcpy(&value, vector + i * 4, sizeof(value));
  return value;
}

void ScoreTile(const float* q, int64_t rows, const std::byte* const* keys, int64_t keys_count,
               int64_t head_dim, DType kv_type, float* scores) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < keys_count; ++j) {
      float dot = 0.0f;
      for (int64_t i = 0; i < head_dim; ++i)
        dot += q[r * head_dim + i] * CacheValue(keys[j], kv_type, i);
      scores[r * kKeyTile + j] = dot;
    }
  }
}

float SoftmaxRow(float* scores, int64_t visible, int64_t keys_count, float* max, float* sum) {
  float tile_max = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < visible; ++j) tile_max = std::fmax(tile_max, scores[j]);
  const float new_max = std::fmax(*max, tile_max);
  if (new_max == -std::numeric_limits<float>::infinity()) {  // nothing visible yet
    std::memset(scores, 0, static_cast<size_t>(keys_count) * sizeof(float));
    return 1.0f;
  }
  const float rescale = std::exp(*max - new_max);
  float tile_sum = 0.0f;
  for (int64_t j = 0; j < keys_count; ++j) {
    scores[j] = (j < visible) ? std::exp(scores[j] - new_max) : 0.0f;
    tile_sum += scores[j];
  }
  *sum = *sum * rescale + tile_sum;
  *max = new_max;
  return rescale;
}

void ValueTile(const float* probabilities, int64_t rows, const std::byte* const* values,
               int64_t keys_count, int64_t head_dim, DType kv_type, const float* rescale,
               float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = out + r * head_dim;
    for (int64_t i = 0; i < head_dim; ++i) row[i] *= rescale[r];
    for (int64_t j = 0; j < keys_count; ++j) {
      const float p = probabilities[r * kKeyTile + j];
      for (int64_t i = 0; i < head_dim; ++i) row[i] += p * CacheValue(values[j], kv_type, i);
    }
  }
}

constexpr AttentionKernels kKernels{
    .score_tile = &ScoreTile,
    .softmax_row = &SoftmaxRow,
    .value_tile = &ValueTile,
};

}  // namespace

const AttentionKernels& ScalarAttentionKernels() { return kKernels; }

}  // namespace radixlm::engine::kernels
