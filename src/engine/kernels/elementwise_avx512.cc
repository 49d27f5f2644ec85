// AVX-512 element-wise kernels (called only when ActiveIsa() == Isa::kAvx512). Like every ISA
// file, this one calls builtins rather than inline library functions (std::sqrt,
// numeric_limits): an unoptimized build may emit those out of line with AVX-512 instructions, and
// the linker could pick that copy for callers that run on any CPU.
#include <cstdint>

#include "src/engine/kernels/elementwise_kernels.h"
#include "src/engine/kernels/simd_avx512.h"

namespace radixlm::engine::kernels {
namespace avx512 {
namespace {

inline __m512 LoadWeights(const void* weight, DType type, __mmask16 mask, int64_t i) {
  switch (type) {
    case DType::kF16:
      return MaskLoadF16(mask, static_cast<const uint16_t*>(weight) + i);
    case DType::kBF16:
      return MaskLoadBf16(mask, static_cast<const uint16_t*>(weight) + i);
    case DType::kF32:
    case DType::kInt8:
    case DType::kInt8Block:
      break;
  }
  return _mm512_maskz_loadu_ps(mask, static_cast<const float*>(weight) + i);
}

void RmsNormRow(const float* x, int64_t dim, const void* weight, DType weight_type, float eps,
                float* y) {
  __m512 sum = _mm512_setzero_ps();
  for (int64_t i = 0; i < dim; i += 16) {
    const __m512 v = _mm512_maskz_loadu_ps(LowMask16(dim - i), x + i);
    sum = _mm512_fmadd_ps(v, v, sum);
  }
  const __m512 inverse =
      _mm512_set1_ps(1.0f / __builtin_sqrtf(ReduceAdd(sum) / static_cast<float>(dim) + eps));
  for (int64_t i = 0; i < dim; i += 16) {
    const __mmask16 mask = LowMask16(dim - i);
    const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, x + i), inverse);
    _mm512_mask_storeu_ps(y + i, mask, _mm512_mul_ps(v, LoadWeights(weight, weight_type, mask, i)));
  }
}

void RopeHead(float* head, const float* cos, const float* sin, int64_t half) {
  for (int64_t i = 0; i < half; i += 16) {
    const __mmask16 mask = LowMask16(half - i);
    const __m512 first = _mm512_maskz_loadu_ps(mask, head + i);
    const __m512 second = _mm512_maskz_loadu_ps(mask, head + half + i);
    const __m512 c = _mm512_maskz_loadu_ps(mask, cos + i);
    const __m512 s = _mm512_maskz_loadu_ps(mask, sin + i);
    _mm512_mask_storeu_ps(head + i, mask, _mm512_fmsub_ps(first, c, _mm512_mul_ps(second, s)));
    _mm512_mask_storeu_ps(head + half + i, mask,
                          _mm512_fmadd_ps(second, c, _mm512_mul_ps(first, s)));
  }
}

void SiluMul(const float* gate, const float* up, int64_t count, float* out) {
  const __m512 one = _mm512_set1_ps(1.0f);
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 mask = LowMask16(count - i);
    const __m512 g = _mm512_maskz_loadu_ps(mask, gate + i);
    const __m512 silu =
        _mm512_div_ps(g, _mm512_add_ps(one, Exp(_mm512_sub_ps(_mm512_setzero_ps(), g))));
    _mm512_mask_storeu_ps(out + i, mask, _mm512_mul_ps(silu, _mm512_maskz_loadu_ps(mask, up + i)));
  }
}

void Add(const float* a, const float* b, int64_t count, float* out) {
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 mask = LowMask16(count - i);
    _mm512_mask_storeu_ps(
        out + i, mask,
        _mm512_add_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i)));
  }
}

void Softmax(const float* x, int64_t count, float* out) {
  const __m512 lowest = _mm512_set1_ps(-__builtin_inff());
  __m512 max = lowest;
  for (int64_t i = 0; i < count; i += 16) {
    max = _mm512_max_ps(max, _mm512_mask_loadu_ps(lowest, LowMask16(count - i), x + i));
  }
  const __m512 shift = _mm512_set1_ps(ReduceMax(max));
  __m512 sum = _mm512_setzero_ps();
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 mask = LowMask16(count - i);
    const __m512 e =
        _mm512_maskz_mov_ps(mask, Exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, x + i), shift)));
    sum = _mm512_add_ps(sum, e);
    _mm512_mask_storeu_ps(out + i, mask, e);
  }
  const __m512 inverse = _mm512_set1_ps(1.0f / ReduceAdd(sum));
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 mask = LowMask16(count - i);
    _mm512_mask_storeu_ps(out + i, mask,
                          _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, out + i), inverse));
  }
}

int64_t ArgmaxScalar(const float* x, int64_t count) {
  int64_t best = -1;
  for (int64_t i = 0; i < count; ++i) {
    if (!(x[i] != x[i]) && (best < 0 || x[i] > x[best])) best = i;
  }
  return best < 0 ? 0 : best;
}

int64_t Argmax(const float* x, int64_t count) {
  const __m512 lowest = _mm512_set1_ps(-__builtin_inff());
  __m512 best = lowest;
  __m512i best_index = _mm512_setzero_si512();
  __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 mask = LowMask16(count - i);
    const __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
    // Strictly greater (false for NaN) keeps each lane's first maximum.
    const __mmask16 greater = _mm512_mask_cmp_ps_mask(mask, v, best, _CMP_GT_OQ);
    best = _mm512_mask_mov_ps(best, greater, v);
    best_index = _mm512_mask_mov_epi32(best_index, greater, index);
    index = _mm512_add_epi32(index, _mm512_set1_epi32(16));
  }
  const float max = ReduceMax(best);
  // Only -inf and NaN values: rare enough for the plain loop to settle the ties.
  if (max == -__builtin_inff()) return ArgmaxScalar(x, count);
  const __mmask16 is_max = _mm512_cmp_ps_mask(best, _mm512_set1_ps(max), _CMP_EQ_OQ);
  return _mm512_mask_reduce_min_epi32(is_max, best_index);
}

constexpr ElementwiseKernels kKernels{
    .rms_norm_row = &RmsNormRow,
    .rope_head = &RopeHead,
    .silu_mul = &SiluMul,
    .add = &Add,
    .softmax = &Softmax,
    .argmax = &Argmax,
};

}  // namespace
}  // namespace avx512

const ElementwiseKernels& Avx512ElementwiseKernels() { return avx512::kKernels; }

}  // namespace radixlm::engine::kernels
