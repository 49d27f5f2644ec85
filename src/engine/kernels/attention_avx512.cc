// AVX-512 attention primitives (called only when ActiveIsa() == Isa::kAvx512).
//
// Scores are dot products in 4x4 tiles (4 query rows x 4 keys, one accumulator per pair, reduced
// with Reduce16). f32 keys use f32 FMAs; bf16 keys use vdpbf16ps on the query rows rounded to
// bf16 (as GPU attention kernels and llama.cpp's f16 path round Q), which halves the instructions
// and never widens a key. The value update keeps a (rows of the group) x 64-dim block of the output
// in registers while it streams the tile's values, widening bf16 to f32 as it loads. A group
// smaller than 4 rows computes scores on a copy of its last row and discards them; its value
// update runs on exactly its rows (decode's 3 query heads per kv head would otherwise waste 25%).
#include <cstdint>

#include "src/engine/kernels/attention_kernels.h"
#include "src/engine/kernels/simd_avx512.h"

namespace radixlm::engine::kernels {
namespace avx512 {
namespace {

constexpr int kGroup = 4;

inline int64_t Min64(int64_t a, int64_t b) { return a < b ? a : b; }

template <bool kBf16>
inline __m512 LoadCache(const std::byte* vector, int64_t i) {
  if constexpr (kBf16) {
    return LoadBf16(reinterpret_cast<const uint16_t*>(vector) + i);
  } else {
    return _mm512_loadu_ps(reinterpret_cast<const float*>(vector) + i);
  }
}

// Writes the 4x4 block of dot products dots[4 * m + n] (Reduce16's lane order) to the scores of
// the group's valid rows and keys.
inline void StoreScores(const __m512* acc, int64_t group_rows, int64_t group_keys, float* scores) {
  alignas(64) float dots[16];
  _mm512_store_ps(dots, Reduce16(acc));
  const auto keys = static_cast<__mmask8>((1u << group_keys) - 1);
  for (int64_t m = 0; m < group_rows; ++m)
    _mm_mask_storeu_ps(scores + m * kKeyTile, keys, _mm_load_ps(dots + 4 * m));
}

void ScoreTileF32(const float* q, int64_t rows, const std::byte* const* keys, int64_t keys_count,
                  int64_t head_dim, float* scores) {
  for (int64_t r0 = 0; r0 < rows; r0 += kGroup) {
    const int64_t group_rows = Min64(kGroup, rows - r0);
    const float* q_rows[kGroup];
    for (int m = 0; m < kGroup; ++m) q_rows[m] = q + (r0 + Min64(m, group_rows - 1)) * head_dim;
    for (int64_t j0 = 0; j0 < keys_count; j0 += kGroup) {
      const int64_t group_keys = Min64(kGroup, keys_count - j0);
      const float* key[kGroup];
      for (int n = 0; n < kGroup; ++n)
        key[n] = reinterpret_cast<const float*>(keys[j0 + Min64(n, group_keys - 1)]);
      __m512 acc[16];
      for (auto& a : acc) a = _mm512_setzero_ps();
      for (int64_t i = 0; i < head_dim; i += 16) {
        __m512 k[kGroup];
        for (int n = 0; n < kGroup; ++n) k[n] = _mm512_loadu_ps(key[n] + i);
        for (int m = 0; m < kGroup; ++m) {
          const __m512 qv = _mm512_loadu_ps(q_rows[m] + i);
          for (int n = 0; n < kGroup; ++n)
            acc[n * 4 + m] = _mm512_fmadd_ps(qv, k[n], acc[n * 4 + m]);
        }
      }
      StoreScores(acc, group_rows, group_keys, scores + r0 * kKeyTile + j0);
    }
  }
}

// head_dim is a multiple of 16, so a vdpbf16ps step covers 32 values or (at the end) 16.
void ScoreTileBf16(const float* q, int64_t rows, const std::byte* const* keys, int64_t keys_count,
                   int64_t head_dim, float* scores) {
  alignas(64) uint16_t q_bf16[kGroup][kMaxHeadDim];
  for (int64_t r0 = 0; r0 < rows; r0 += kGroup) {
    const int64_t group_rows = Min64(kGroup, rows - r0);
    for (int m = 0; m < kGroup; ++m) {
      const float* row = q + (r0 + Min64(m, group_rows - 1)) * head_dim;
      for (int64_t i = 0; i < head_dim; i += 16) {
        _mm256_store_si256(reinterpret_cast<__m256i*>(q_bf16[m] + i),
                           ToBf16(_mm512_loadu_ps(row + i)));
      }
    }
    for (int64_t j0 = 0; j0 < keys_count; j0 += kGroup) {
      const int64_t group_keys = Min64(kGroup, keys_count - j0);
      const uint16_t* key[kGroup];
      for (int n = 0; n < kGroup; ++n)
        key[n] = reinterpret_cast<const uint16_t*>(keys[j0 + Min64(n, group_keys - 1)]);
      __m512 acc[16];
      for (auto& a : acc) a = _mm512_setzero_ps();
      for (int64_t i = 0; i < head_dim; i += 32) {
        const __mmask32 lanes = LowMask32(head_dim - i);
        __m512i k[kGroup];
        for (int n = 0; n < kGroup; ++n) k[n] = _mm512_maskz_loadu_epi16(lanes, key[n] + i);
        for (int m = 0; m < kGroup; ++m) {
          const __m512bh qv = (__m512bh)_mm512_maskz_loadu_epi16(lanes, q_bf16[m] + i);
          for (int n = 0; n < kGroup; ++n)
            acc[n * 4 + m] = _mm512_dpbf16_ps(acc[n * 4 + m], qv, (__m512bh)k[n]);
        }
      }
      StoreScores(acc, group_rows, group_keys, scores + r0 * kKeyTile + j0);
    }
  }
}

void ScoreTile(const float* q, int64_t rows, const std::byte* const* keys, int64_t keys_count,
               int64_t head_dim, DType kv_type, float* scores) {
  if (kv_type == DType::kBF16) {
    ScoreTileBf16(q, rows, keys, keys_count, head_dim, scores);
  } else {
    ScoreTileF32(q, rows, keys, keys_count, head_dim, scores);
  }
}

float SoftmaxRow(float* scores, int64_t visible, int64_t keys_count, float* max, float* sum) {
  const __m512 lowest = _mm512_set1_ps(-__builtin_inff());
  __m512 tile_max = lowest;
  for (int64_t j = 0; j < visible; j += 16) {
    tile_max =
        _mm512_max_ps(tile_max, _mm512_mask_loadu_ps(lowest, LowMask16(visible - j), scores + j));
  }
  const float row_max = ReduceMax(tile_max);
  const float new_max = *max > row_max ? *max : row_max;
  if (new_max == -__builtin_inff()) {  // nothing visible yet
    for (int64_t j = 0; j < keys_count; j += 16) {
      _mm512_mask_storeu_ps(scores + j, LowMask16(keys_count - j), _mm512_setzero_ps());
    }
    return 1.0f;
  }
  const float rescale = _mm512_cvtss_f32(Exp(_mm512_set1_ps(*max - new_max)));
  const __m512 shift = _mm512_set1_ps(new_max);
  __m512 tile_sum = _mm512_setzero_ps();
  for (int64_t j = 0; j < keys_count; j += 16) {
    const __mmask16 valid = LowMask16(visible > j ? visible - j : 0);
    const __m512 e =
        _mm512_maskz_mov_ps(valid, Exp(_mm512_sub_ps(_mm512_loadu_ps(scores + j), shift)));
    tile_sum = _mm512_add_ps(tile_sum, e);
    _mm512_mask_storeu_ps(scores + j, LowMask16(keys_count - j), e);
  }
  *sum = *sum * rescale + ReduceAdd(tile_sum);
  *max = new_max;
  return rescale;
}

// out[r][c0, c0 + 16 * kVecs) for the kRows rows of a group.
template <int kRows, int kVecs, bool kBf16>
void ValueBlock(const float* const* p, const std::byte* const* values, int64_t keys_count,
                int64_t c0, const float* rescale, float* const* out) {
  __m512 acc[kRows][kVecs];
  for (int m = 0; m < kRows; ++m) {
    const __m512 scale = _mm512_set1_ps(rescale[m]);
    for (int64_t v = 0; v < kVecs; ++v)
      acc[m][v] = _mm512_mul_ps(_mm512_loadu_ps(out[m] + c0 + 16 * v), scale);
  }
  for (int64_t j = 0; j < keys_count; ++j) {
    __m512 value[kVecs];
    for (int64_t v = 0; v < kVecs; ++v) value[v] = LoadCache<kBf16>(values[j], c0 + 16 * v);
    for (int m = 0; m < kRows; ++m) {
      const __m512 weight = _mm512_set1_ps(p[m][j]);
      for (int64_t v = 0; v < kVecs; ++v) acc[m][v] = _mm512_fmadd_ps(weight, value[v], acc[m][v]);
    }
  }
  for (int m = 0; m < kRows; ++m) {
    for (int64_t v = 0; v < kVecs; ++v) _mm512_storeu_ps(out[m] + c0 + 16 * v, acc[m][v]);
  }
}

// All of a group's head_dim columns, 64 at a time.
template <int kRows, bool kBf16>
void ValueRows(const float* const* p, const std::byte* const* values, int64_t keys_count,
               int64_t head_dim, const float* rescale, float* const* out) {
  int64_t c0 = 0;
  for (; c0 + 64 <= head_dim; c0 += 64)
    ValueBlock<kRows, 4, kBf16>(p, values, keys_count, c0, rescale, out);
  switch ((head_dim - c0) / 16) {
    case 3:
      ValueBlock<kRows, 3, kBf16>(p, values, keys_count, c0, rescale, out);
      break;
    case 2:
      ValueBlock<kRows, 2, kBf16>(p, values, keys_count, c0, rescale, out);
      break;
    case 1:
      ValueBlock<kRows, 1, kBf16>(p, values, keys_count, c0, rescale, out);
      break;
    default:
      break;
  }
}

template <bool kBf16>
void ValueTileImpl(const float* probabilities, int64_t rows, const std::byte* const* values,
                   int64_t keys_count, int64_t head_dim, const float* rescale, float* out) {
  for (int64_t r0 = 0; r0 < rows; r0 += kGroup) {
    const int64_t group_rows = Min64(kGroup, rows - r0);
    const float* p[kGroup] = {};
    float* out_rows[kGroup] = {};
    for (int64_t m = 0; m < group_rows; ++m) {
      p[m] = probabilities + (r0 + m) * kKeyTile;
      out_rows[m] = out + (r0 + m) * head_dim;
    }
    switch (group_rows) {
      case 1:
        ValueRows<1, kBf16>(p, values, keys_count, head_dim, rescale + r0, out_rows);
        break;
      case 2:
        ValueRows<2, kBf16>(p, values, keys_count, head_dim, rescale + r0, out_rows);
        break;
      case 3:
        ValueRows<3, kBf16>(p, values, keys_count, head_dim, rescale + r0, out_rows);
        break;
      default:
        ValueRows<4, kBf16>(p, values, keys_count, head_dim, rescale + r0, out_rows);
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
}  // namespace avx512

const AttentionKernels& Avx512AttentionKernels() { return avx512::kKernels; }

}  // namespace radixlm::engine::kernels
