// AVX2 element-wise kernels (called only when ActiveIsa() == Isa::kAvx2). Builtins instead of
// inline library functions, as in elementwise_avx512.cc.
#include <cstdint>

#include "src/engine/kernels/elementwise_kernels.h"
#include "src/engine/kernels/simd_avx2.h"

namespace radixlm::engine::kernels {
namespace avx2 {
namespace {

inline int64_t Min64(int64_t a, int64_t b) { return a < b ? a : b; }

// Loads min(8, count) floats (the rest of the vector is `fill`).
inline __m256 LoadPartial(const float* p, int64_t count, float fill = 0.0f) {
  if (count >= 8) return _mm256_loadu_ps(p);
  const __m256i mask = LowMask8(count);
  return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, mask),
                          _mm256_castsi256_ps(mask));
}

inline void StorePartial(float* p, int64_t count, __m256 v) {
  if (count >= 8) {
    _mm256_storeu_ps(p, v);
  } else {
    _mm256_maskstore_ps(p, LowMask8(count), v);
  }
}

inline __m256 LoadWeights(const void* weight, DType type, int64_t count, int64_t i) {
  if (type == DType::kF16 || type == DType::kBF16) {
    const uint16_t* w = static_cast<const uint16_t*>(weight) + i;
    alignas(16) uint16_t tail[8] = {};
    if (count < 8) {
      for (int64_t j = 0; j < count; ++j) tail[j] = w[j];
      w = tail;
    }
    return type == DType::kF16 ? LoadF16(w) : LoadBf16(w);
  }
  return LoadPartial(static_cast<const float*>(weight) + i, count);
}

void RmsNormRow(const float* x, int64_t dim, const void* weight, DType weight_type, float eps,
                float* y) {
  __m256 sum = _mm256_setzero_ps();
  for (int64_t i = 0; i < dim; i += 8) {
    const __m256 v = LoadPartial(x + i, dim - i);
    sum = _mm256_fmadd_ps(v, v, sum);
  }
  const __m256 inverse =
      _mm256_set1_ps(1.0f / __builtin_sqrtf(ReduceAdd(sum) / static_cast<float>(dim) + eps));
  for (int64_t i = 0; i < dim; i += 8) {
    const __m256 v = _mm256_mul_ps(LoadPartial(x + i, dim - i), inverse);
    StorePartial(y + i, dim - i, _mm256_mul_ps(v, LoadWeights(weight, weight_type, dim - i, i)));
  }
}

void RopeHead(float* head, const float* cos, const float* sin, int64_t half) {
  for (int64_t i = 0; i < half; i += 8) {
    const int64_t count = half - i;
    const __m256 first = LoadPartial(head + i, count);
    const __m256 second = LoadPartial(head + half + i, count);
    const __m256 c = LoadPartial(cos + i, count);
    const __m256 s = LoadPartial(sin + i, count);
    StorePartial(head + i, count, _mm256_fmsub_ps(first, c, _mm256_mul_ps(second, s)));
    StorePartial(head + half + i, count, _mm256_fmadd_ps(second, c, _mm256_mul_ps(first, s)));
  }
}

void SiluMul(const float* gate, const float* up, int64_t count, float* out) {
  const __m256 one = _mm256_set1_ps(1.0f);
  for (int64_t i = 0; i < count; i += 8) {
    const __m256 g = LoadPartial(gate + i, count - i);
    const __m256 silu =
        _mm256_div_ps(g, _mm256_add_ps(one, Exp(_mm256_sub_ps(_mm256_setzero_ps(), g))));
    StorePartial(out + i, count - i, _mm256_mul_ps(silu, LoadPartial(up + i, count - i)));
  }
}

void Add(const float* a, const float* b, int64_t count, float* out) {
  for (int64_t i = 0; i < count; i += 8) {
    StorePartial(out + i, count - i,
                 _mm256_add_ps(LoadPartial(a + i, count - i), LoadPartial(b + i, count - i)));
  }
}

void Softmax(const float* x, int64_t count, float* out) {
  __m256 max = _mm256_set1_ps(-__builtin_inff());
  for (int64_t i = 0; i < count; i += 8) {
    max = _mm256_max_ps(max, LoadPartial(x + i, count - i, -__builtin_inff()));
  }
  const __m256 shift = _mm256_set1_ps(ReduceMax(max));
  __m256 sum = _mm256_setzero_ps();
  for (int64_t i = 0; i < count; i += 8) {
    // Lanes past the end load -inf, whose exponential is 0.
    const __m256 e = Exp(_mm256_sub_ps(LoadPartial(x + i, count - i, -__builtin_inff()), shift));
    sum = _mm256_add_ps(sum, e);
    StorePartial(out + i, count - i, e);
  }
  const __m256 inverse = _mm256_set1_ps(1.0f / ReduceAdd(sum));
  for (int64_t i = 0; i < count; i += 8) {
    StorePartial(out + i, count - i, _mm256_mul_ps(LoadPartial(out + i, count - i), inverse));
  }
}

int64_t Argmax(const float* x, int64_t count) {
  int64_t best = -1;
  float best_value = 0.0f;
  for (int64_t i = 0; i < count; i += 8) {
    const int64_t lanes = Min64(8, count - i);
    const __m256 v = LoadPartial(x + i, lanes, -__builtin_inff());
    // Skip vectors without a value above the best so far (the common case) in one compare.
    if (best >= 0 &&
        _mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_set1_ps(best_value), _CMP_GT_OQ)) == 0) {
      continue;
    }
    for (int64_t j = 0; j < lanes; ++j) {
      const float value = x[i + j];
      if (value == value && (best < 0 || value > best_value)) {
        best = i + j;
        best_value = value;
      }
    }
  }
  return best < 0 ? 0 : best;
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
}  // namespace avx2

const ElementwiseKernels& Avx2ElementwiseKernels() { return avx2::kKernels; }

}  // namespace radixlm::engine::kernels
