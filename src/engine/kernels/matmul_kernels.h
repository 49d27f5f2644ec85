// Internal interface between the Matmul() driver (matmul.cc) and the per-ISA matmul kernels
// (matmul_{scalar,avx2,avx512}.cc). Plain structs of pointers: this header is included by files
// compiled with AVX-512 flags, so it must not define inline functions (an out-of-line copy built
// with AVX-512 instructions could be picked by the linker for code that runs on older CPUs).
#ifndef RADIXLM_SRC_ENGINE_KERNELS_MATMUL_KERNELS_H_
#define RADIXLM_SRC_ENGINE_KERNELS_MATMUL_KERNELS_H_

#include <cstddef>
#include <cstdint>

#include "src/engine/kernels/dtype.h"

namespace radixlm::engine::kernels {

// The operands of Y[m, n] = X[m, k] * W[n, k]^T (+ bias) after the activations were prepared.
struct MatmulProblem {
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;

  DType w_type = DType::kF32;
  const std::byte* w = nullptr;  // row r at w + r * w_row_bytes
  int64_t w_row_bytes = 0;
  // int8 types: rows are k_padded bytes of (q + 128), q in [-127, 127]; scales are
  // w_scales[r * scales_per_row + block] with scales_per_row = 1 (kInt8) or k_padded / 64.
  const float* w_scales = nullptr;
  int64_t k_padded = 0;
  int64_t scales_per_row = 0;

  // f32 activations (always set).
  const float* x = nullptr;
  int64_t x_stride = 0;
  // kBF16 weights on an ISA with MatmulKernels::bf16_activations: X rounded to bf16, rows of
  // x_bf16_stride elements (a multiple of 32) with zeros after column k.
  const uint16_t* x_bf16 = nullptr;
  int64_t x_bf16_stride = 0;
  // int8 weights: X quantized like W (per row for kInt8, per block for kInt8Block), rows of
  // k_padded values; x_scales and x_sums (the sum of a block's quantized values) are
  // [row * scales_per_row + block].
  const int8_t* x_q = nullptr;
  const float* x_scales = nullptr;
  const int32_t* x_sums = nullptr;

  const float* bias = nullptr;  // [n] or null
  float* y = nullptr;
  int64_t y_stride = 0;

  // The decode schedule: each weight row is read once from memory, so the kernels prefetch the
  // next rows ahead; otherwise (prefill) weight blocks are reused from cache.
  bool stream_weights = false;
};

struct MatmulKernels {
  // Whether gemm reads x_bf16 (instead of x) for kBF16 weights.
  bool bf16_activations;
  // Rounds one row of `cols` floats to bf16 and zeroes out[cols, padded_cols).
  void (*convert_row_to_bf16)(const float* x, int64_t cols, int64_t padded_cols, uint16_t* out);
  // Quantizes one row of `cols` floats in blocks of `block` values (padded_cols / block blocks;
  // values past `cols` count as 0): scale = absmax / 127, q = round_half_even(x * (127 / absmax)).
  void (*quantize_row)(const float* x, int64_t cols, int64_t padded_cols, int64_t block, int8_t* q,
                       float* scales, int32_t* sums);
  // Computes Y[m_begin:m_end, n_begin:n_end].
  void (*gemm)(const MatmulProblem& problem, int64_t m_begin, int64_t m_end, int64_t n_begin,
               int64_t n_end);
};

const MatmulKernels& ScalarMatmulKernels();
const MatmulKernels& Avx2MatmulKernels();
const MatmulKernels& Avx512MatmulKernels();

}  // namespace radixlm::engine::kernels

#endif  // RADIXLM_SRC_ENGINE_KERNELS_MATMUL_KERNELS_H_
