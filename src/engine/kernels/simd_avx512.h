// AVX-512 building blocks shared by the *_avx512.cc kernel files (and only by them: everything
// here is compiled with AVX-512 flags, so other files must not include it).
//
// Reductions add lanes in one fixed order (lane i + lane i+8, then i+4, i+2, i+1) whether one
// vector or sixteen are reduced, so a dot product gives bit-identical results in every tile shape.
#ifndef RADIXLM_SRC_ENGINE_KERNELS_SIMD_AVX512_H_
#define RADIXLM_SRC_ENGINE_KERNELS_SIMD_AVX512_H_

// GCC 12's intrinsic headers trip -Wuninitialized on their own _mm*_undefined_*() helpers
// (GCC bug 105593); silence that inside the headers only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cstdint>

namespace radixlm::engine::kernels::avx512 {

// Mask of the low `count` lanes (count in [0, 16] / [0, 32]).
inline __mmask16 LowMask16(int64_t count) {
  return static_cast<__mmask16>((count >= 16) ? 0xffffu : ((1u << count) - 1u));
}
inline __mmask32 LowMask32(int64_t count) {
  return (count >= 32) ? 0xffffffffu : static_cast<__mmask32>((1u << count) - 1u);
}

// Sum of the 16 lanes of v.
inline float ReduceAdd(__m512 v) {
  const __m256 t = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
  const __m128 u = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
  const __m128 w = _mm_add_ps(u, _mm_movehl_ps(u, u));
  return _mm_cvtss_f32(_mm_add_ss(w, _mm_movehdup_ps(w)));
}

inline float ReduceMax(__m512 v) { return _mm512_reduce_max_ps(v); }

inline __m512 AsPs(__m512 v) { return v; }
inline __m512 AsPs(__m512i v) { return _mm512_castsi512_ps(v); }
inline __m512 FromPs(__m512 v, __m512 /*type tag*/) { return v; }
inline __m512i FromPs(__m512 v, __m512i /*type tag*/) { return _mm512_castps_si512(v); }
inline __m512 AddLanes(__m512 x, __m512 y) { return _mm512_add_ps(x, y); }
inline __m512i AddLanes(__m512i x, __m512i y) { return _mm512_add_epi32(x, y); }

// Combines two vectors: shuffles selected by `imm` (of f32x4 quarters, or of lanes within
// quarters) and adds the two shuffles.
template <bool kQuarters, int kImmLow, int kImmHigh, typename V>
inline V ShuffleAdd(V x, V y) {
  if constexpr (kQuarters) {
    return AddLanes(FromPs(_mm512_shuffle_f32x4(AsPs(x), AsPs(y), kImmLow), V{}),
                    FromPs(_mm512_shuffle_f32x4(AsPs(x), AsPs(y), kImmHigh), V{}));
  } else {
    return AddLanes(FromPs(_mm512_shuffle_ps(AsPs(x), AsPs(y), kImmLow), V{}),
                    FromPs(_mm512_shuffle_ps(AsPs(x), AsPs(y), kImmHigh), V{}));
  }
}

// Returns r with r[4 * i + j] = sum of the lanes of a[4 * j + i]: sixteen horizontal sums at
// the cost of fifteen vector adds (each lane summed in ReduceAdd's order).
template <typename V>
inline V Reduce16(const V* a) {
  V b[8];
  for (int64_t j = 0; j < 8; ++j) b[j] = ShuffleAdd<true, 0x44, 0xee>(a[2 * j], a[2 * j + 1]);
  V c[4];
  for (int64_t j = 0; j < 4; ++j) c[j] = ShuffleAdd<true, 0x88, 0xdd>(b[2 * j], b[2 * j + 1]);
  V d[2];
  for (int64_t j = 0; j < 2; ++j) d[j] = ShuffleAdd<false, 0x44, 0xee>(c[2 * j], c[2 * j + 1]);
  return ShuffleAdd<false, 0x88, 0xdd>(d[0], d[1]);
}

// 16 bf16 values widened to f32 (exact).
inline __m512 LoadBf16(const uint16_t* p) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(
      _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))), 16));
}
inline __m512 MaskLoadBf16(__mmask16 mask, const uint16_t* p) {
  return _mm512_castsi512_ps(
      _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, p)), 16));
}
inline __m512 LoadF16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline __m512 MaskLoadF16(__mmask16 mask, const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask, p));
}

// 16 floats rounded to bf16 (round to nearest even; NaN stays NaN).
inline __m256i ToBf16(__m512 v) { return (__m256i)_mm512_cvtneps_pbh(v); }

// e^x with about 2 ulp error (Cephes' expf polynomial); 0 below -103.9, +inf above 88.72.
inline __m512 Exp(__m512 x) {
  const __m512 clamped =
      _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-103.9f)), _mm512_set1_ps(88.73f));
  const __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(clamped, _mm512_set1_ps(1.44269504088896341f)),
                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), clamped);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  // scalef would leave a denormal for the lowest inputs; exp(-inf) must be exactly 0.
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(-103.9f), _CMP_GE_OQ),
                             _mm512_scalef_ps(p, n));
}

}  // namespace radixlm::engine::kernels::avx512

#endif  // RADIXLM_SRC_ENGINE_KERNELS_SIMD_AVX512_H_
