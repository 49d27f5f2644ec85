// Internal interface between the element-wise kernel API (elementwise.cc) and its per-ISA
// implementations (elementwise_{scalar,avx2,avx512}.cc). Plain function pointers only: this header
// is included by files compiled with AVX-512 flags (see matmul_kernels.h for why).
#ifndef RADIXLM_SRC_ENGINE_KERNELS_ELEMENTWISE_KERNELS_H_
#define RADIXLM_SRC_ENGINE_KERNELS_ELEMENTWISE_KERNELS_H_

#include <cstdint>

#include "src/engine/kernels/dtype.h"

namespace radixlm::engine::kernels {

struct ElementwiseKernels {
  // One row: y = x / sqrt(mean(x^2) + eps) * weight (weight f32, f16 or bf16). y may be x.
  void (*rms_norm_row)(const float* x, int64_t dim, const void* weight, DType weight_type,
                       float eps, float* y);
  // One head, rotate-half pairs (i, i + half) for i < half, in place.
  void (*rope_head)(float* head, const float* cos, const float* sin, int64_t half);
  // out[i] = silu(gate[i]) * up[i]; out may be gate or up.
  void (*silu_mul)(const float* gate, const float* up, int64_t count, float* out);
  // out[i] = a[i] + b[i]; out may be a or b.
  void (*add)(const float* a, const float* b, int64_t count, float* out);
  // out = softmax(x) over count values (count >= 1, max(x) > -inf); out may be x.
  void (*softmax)(const float* x, int64_t count, float* out);
  // Index of the first maximum, NaN ignored (0 when every value is NaN); count < 2^31.
  int64_t (*argmax)(const float* x, int64_t count);
};

const ElementwiseKernels& ScalarElementwiseKernels();
const ElementwiseKernels& Avx2ElementwiseKernels();
const ElementwiseKernels& Avx512ElementwiseKernels();

}  // namespace radixlm::engine::kernels

#endif  // RADIXLM_SRC_ENGINE_KERNELS_ELEMENTWISE_KERNELS_H_
