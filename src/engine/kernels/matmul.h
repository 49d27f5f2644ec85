// Matmul() computes a linear layer: Y[m, n] = X[m, k] * W[n, k]^T (+ bias[n]).
//
// X and Y are f32 row-major (m = tokens in the batch); W is a PackedWeights in its stored float
// type or int8. The kernels compute each Y[i][j] as one dot product whose arithmetic does not
// depend on m or on how rows were grouped, so a token's output is the same whether it was computed
// alone or in a batch (on a given ISA). Precision by weight type:
//   f32, f16     products of f32 activations and exact f32 weights, f32 accumulation
//   bf16         AVX-512: activations rounded to bf16 (like llama.cpp), vdpbf16ps; other ISAs
//                multiply f32 activations
//   int8         activations quantized per row to int8, exact integer dot, scaled in f32
//   int8_block   activations quantized per 64-value block, each block's dot scaled in f32
//
// Decode-sized batches (m <= kDecodeRows) stream each weight row once for all m rows and split the
// rows of W across threads; larger batches are tiled for the caches and split over (row block of
// W, row block of X).
//
// Example:
//   std::vector<std::byte> scratch(MatmulScratchBytes(w, tokens));
//   Matmul(x.data(), tokens, w, bias, y.data(), scratch, &pool);
//
// Thread safety: Matmul() may run concurrently with other Matmul() calls that use different
// scratch and output buffers (and different pools, or the same pool: calls are serialized there).
#ifndef RADIXLM_SRC_ENGINE_KERNELS_MATMUL_H_
#define RADIXLM_SRC_ENGINE_KERNELS_MATMUL_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "src/engine/kernels/packed_weights.h"
#include "src/engine/kernels/thread_pool.h"

namespace radixlm::engine {

// Batches up to this many rows use the weight-streaming (decode) schedule.
inline constexpr int64_t kDecodeRows = 16;

// MatmulScratchBytes() returns the scratch Matmul() needs for `m` rows times `weights` (the same on
// every ISA). Allocate it once for the largest m and reuse it.
size_t MatmulScratchBytes(const PackedWeights& weights, int64_t m);

// Matmul() writes y[m, weights.rows()] = x[m, weights.cols()] * W^T (+ bias when not null).
// Preconditions: y does not overlap x or scratch; scratch.size() >= MatmulScratchBytes(weights, m).
// pool may be null (runs on the calling thread). Allocates nothing.
void Matmul(const float* x, int64_t m, const PackedWeights& weights, const float* bias, float* y,
            std::span<std::byte> scratch, ThreadPool* pool);

// One linear layer of several that read the same X (Q, K and V; gate and up).
struct MatmulOutput {
  const PackedWeights* weights = nullptr;
  const float* bias = nullptr;  // [weights->rows()] or null
  float* y = nullptr;           // [m][weights->rows()]
};

// The most outputs one MatmulShared() call takes together.
inline constexpr size_t kMaxSharedOutputs = 4;

// MatmulShared() computes every output's Matmul() of the same x, bit-identical to separate calls:
// X is converted for the kernels once, and decode-sized batches split the weight rows of all
// outputs across the threads in one loop (one hand-off instead of one per output). Outputs with
// different weight types or widths, or more than kMaxSharedOutputs, are computed one by one.
// scratch must hold MatmulScratchBytes() of each output's weights; otherwise Matmul()'s
// preconditions hold for every output.
void MatmulShared(const float* x, int64_t m, std::span<const MatmulOutput> outputs,
                  std::span<std::byte> scratch, ThreadPool* pool);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_KERNELS_MATMUL_H_
