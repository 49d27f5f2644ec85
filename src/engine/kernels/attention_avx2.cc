// AVX2 attention primitives (called only when ActiveIsa() == Isa::kAvx2): the AVX-512 scheme with
// 8-lane vectors, 2-row x 4-key score tiles and 2-row x 32-dim value blocks.
#include <cstdint>

#include "src/engine/kernels/attention_kernels.h"
#include "src/engine/kernels/simd_avx2.h"

namespace radixlm::engine::kernels {
namespace avx2 {
namespace {

constexpr int kRows = 2;
constexpr int kKeys = 4;

inline int64_t Min64(int64_t a, int64_t b) { return a < b ? a : b; }

template <bool kBf16>
inline __m256 LoadCache(const std::byte* vector, int64_t i) {
  if constexpr (kBf16) {
    return LoadBf16(reinterpret_cast<const uint16_t*>(vector) + i);
  } else {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(vector) + i);
  }
}

template <bool kBf16>
void ScoreTileImpl(const float* q, int64_t rows, const std::byte* const* keys, int64_t keys_count,
                   int64_t head_dim, float* scores) {
  for (int64_t r0 = 0; r0 < rows; r0 += kRows) {
    const int64_t group_rows = Min64(kRows, rows - r0);
    const float* q_rows[kRows];
    for (int m = 0; m < kRows; ++m) q_rows[m] = q + (r0 + Min64(m, group_rows - 1)) * head_dim;
    for (int64_t j0 = 0; j0 < keys_count; j0 += kKeys) {
      const int64_t group_keys = Min64(kKeys, keys_count - j0);
      const std::byte* key[kKeys];
      for (int n = 0; n < kKeys; ++n) key[n] = keys[j0 + Min64(n, group_keys - 1)];
      __m256 acc[8];
      for (auto& a : acc) a = _mm256_setzero_ps();
      for (int64_t i = 0; i < head_dim; i += 8) {
        __m256 k[kKeys];
        for (int n = 0; n < kKeys; ++n) k[n] = LoadCache<kBf16>(key[n], i);
        for (int m = 0; m < kRows; ++m) {
          const __m256 qv = _mm256_loadu_ps(q_rows[m] + i);
          for (int n = 0; n < kKeys; ++n)
            acc[n * 2 + m] = _mm256_fmadd_ps(qv, k[n], acc[n * 2 + m]);
        }
      }
      alignas(32) float dots[8];
      _mm256_store_ps(dots, Reduce8(acc));  // dots[4 * m + n]
      for (int64_t m = 0; m < group_rows; ++m) {
        for (int64_t n = 0; n < group_keys; ++n)
          scores[(r0 + m) * kKeyTile + j0 + n] = dots[4 * m + n];
      }
    }
  }
}

void ScoreTile(const float* q, int64_t rows, const std::byte* const* keys, int64_t keys_count,
               int64_t head_dim, DType kv_type, float* scores) {
  if (kv_type == DType::kBF16) {
    ScoreTileImpl<true>(q, rows, keys, keys_count, head_dim, scores);
  } else {
    ScoreTileImpl<false>(q, rows, keys, keys_count, head_dim, scores);
  }
}

float SoftmaxRow(float* scores, int64_t visible, int64_t keys_count, float* max, float* sum) {
  const __m256 lanes = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  __m256 tile_max = _mm256_set1_ps(-__builtin_inff());
  for (int64_t j = 0; j < visible; j += 8) {
    const __m256 valid =
        _mm256_cmp_ps(lanes, _mm256_set1_ps(static_cast<float>(visible - j)), _CMP_LT_OQ);
    tile_max = _mm256_max_ps(tile_max, _mm256_blendv_ps(_mm256_set1_ps(-__builtin_inff()),
                                                        _mm256_loadu_ps(scores + j), valid));
  }
  const float row_max = ReduceMax(tile_max);
  const float new_max = *max > row_max ? *max : row_max;
  if (new_max == -__builtin_inff()) {  // nothing visible yet
    for (int64_t j = 0; j < keys_count; ++j) scores[j] = 0.0f;
    return 1.0f;
  }
  const float rescale = _mm256_cvtss_f32(Exp(_mm256_set1_ps(*max - new_max)));
  const __m256 shift = _mm256_set1_ps(new_max);
  __m256 tile_sum = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= keys_count; j += 8) {
    const __m256 valid =
        _mm256_cmp_ps(lanes, _mm256_set1_ps(static_cast<float>(visible - j)), _CMP_LT_OQ);
    const __m256 e = _mm256_and_ps(valid, Exp(_mm256_sub_ps(_mm256_loadu_ps(scores + j), shift)));
    tile_sum = _mm256_add_ps(tile_sum, e);
    _mm256_storeu_ps(scores + j, e);
  }
  float tail_sum = 0.0f;
  for (; j < keys_count; ++j) {
    const float e = j < visible ? _mm256_cvtss_f32(Exp(_mm256_set1_ps(scores[j] - new_max))) : 0.0f;
    scores[j] = e;
    tail_sum += e;
  }
  *sum = *sum * rescale + (ReduceAdd(tile_sum) + tail_sum);
  *max = new_max;
  return rescale;
}

template <int kVecs, bool kBf16>
void ValueBlock(const float* const* p, const std::byte* const* values, int64_t keys_count,
                int64_t c0, const float* rescale, float* const* out) {
  __m256 acc[kRows][kVecs];
  for (int m = 0; m < kRows; ++m) {
    const __m256 scale = _mm256_set1_ps(rescale[m]);
    for (int64_t v = 0; v < kVecs; ++v)
      acc[m][v] = _mm256_mul_ps(_mm256_loadu_ps(out[m] + c0 + 8 * v), scale);
  }
  for (int64_t j = 0; j < keys_count; ++j) {
    __m256 value[kVecs];
    for (int64_t v = 0; v < kVecs; ++v) value[v] = LoadCache<kBf16>(values[j], c0 + 8 * v);
    for (int m = 0; m < kRows; ++m) {
      const __m256 weight = _mm256_broadcast_ss(p[m] + j);
      for (int64_t v = 0; v < kVecs; ++v) acc[m][v] = _mm256_fmadd_ps(weight, value[v], acc[m][v]);
    }
  }
  for (int m = 0; m < kRows; ++m) {
    for (int64_t v = 0; v < kVecs; ++v) _mm256_storeu_ps(out[m] + c0 + 8 * v, acc[m][v]);
  }
}

template <bool kBf16>
void ValueTileImpl(const float* probabilities, int64_t rows, const std::byte* const* values,
                   int64_t keys_count, int64_t head_dim, const float* rescale, float* out) {
  alignas(32) static constexpr float kZeros[kKeyTile] = {};
  alignas(32) float discard[256];  // the output of an absent row (head_dim <= 256)
  for (int64_t r0 = 0; r0 < rows; r0 += kRows) {
    const float* p[kRows];
    float* out_rows[kRows];
    float group_rescale[kRows];
    for (int m = 0; m < kRows; ++m) {
      const bool present = r0 + m < rows;
      p[m] = present ? probabilities + (r0 + m) * kKeyTile : kZeros;
      out_rows[m] = present ? out + (r0 + m) * head_dim : discard;
      group_rescale[m] = present ? rescale[r0 + m] : 0.0f;
    }
    if (r0 + kRows > rows) {
      for (int64_t i = 0; i < head_dim; ++i) discard[i] = 0.0f;
    }
    int64_t c0 = 0;
    for (; c0 + 32 <= head_dim; c0 += 32)
      ValueBlock<4, kBf16>(p, values, keys_count, c0, group_rescale, out_rows);
    switch ((head_dim - c0) / 8) {
      case 3:
        ValueBlock<3, kBf16>(p, values, keys_count, c0, group_rescale, out_rows);
        break;
      case 2:
        ValueBlock<2, kBf16>(p, values, keys_count, c0, group_rescale, out_rows);
        break;
      case 1:
        ValueBlock<1, kBf16>(p, values, keys_count, c0, group_rescale, out_rows);
        break;
      default:
        break;
    }
  }
}

void ValueTile(const float* probabilities, int64_t rows, const std::byte* const* values,
               int64_t keys_count, int64_t head_dim, DType kv_type, const float* rescale,
               float* out) {
  if (kv_type == DType::kBF16) {
    ValueTileImpl<true>(probabilities, rows, values, keys_count, head_dim, rescale, out);
  } else {
    ValueTileImpl<false>(probabilities, rows, values, keys_count, head_dim, rescale, out);
  }
}

constexpr AttentionKernels kKernels{
    .score_tile = &ScoreTile,
    .softmax_row = &SoftmaxRow,
    .value_tile = &ValueTile,
};

}  // namespace
}  // namespace avx2

const AttentionKernels& Avx2AttentionKernels() { return avx2::kKernels; }

}  // namespace radixlm::engine::kernels
