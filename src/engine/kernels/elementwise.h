// Element-wise and row-wise kernels of a Llama-family forward pass, on f32 activations:
// RMSNorm, rotary position embedding (Hugging Face rotate-half layout), SwiGLU's silu(gate) * up,
// residual add, softmax and argmax.
//
// Calls that take a ThreadPool split large inputs over it (pool may be null); small inputs run
// on the calling thread, so a decode step pays no dispatch for them. None allocates.
//
// Thread safety: all functions are reentrant; RopeTable is immutable after Create().
#ifndef RADIXLM_SRC_ENGINE_KERNELS_ELEMENTWISE_H_
#define RADIXLM_SRC_ENGINE_KERNELS_ELEMENTWISE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/kernels/dtype.h"
#include "src/engine/kernels/thread_pool.h"

namespace radixlm::engine {

// RmsNorm() normalizes each of `rows` rows of `dim` values:
//   y = x / sqrt(mean(x^2) + eps) * weight,  weight[dim] in f32, f16 or bf16.
// y may equal x (in place). Also serves Qwen3's per-head Q/K norm (rows = tokens * heads).
void RmsNorm(const float* x, int64_t rows, int64_t dim, const void* weight, DType weight_type,
             float eps, float* y, ThreadPool* pool = nullptr);

// RopeTable holds cos/sin of position * inv_freq[i] for positions [0, max_positions), computed once
// at load. inv_freq (rotary_dim / 2 values) comes from the model config, with any rope_scaling
// (Llama-3, linear, dynamic...) already applied; attention_scaling multiplies cos and sin (the
// "mscale" of YaRN-style scalings; 1 otherwise). Angles are float(position) * inv_freq[i]
// rounded to f32 as Hugging Face computes them, then cos/sin in double.
class RopeTable {
 public:
  static absl::StatusOr<RopeTable> Create(std::span<const float> inv_freq, int64_t max_positions,
                                          float attention_scaling = 1.0f);

  // Number of rotated pairs (rotary_dim / 2).
  int64_t half() const { return half_; }
  int64_t max_positions() const { return max_positions_; }
  const float* cos(int64_t position) const { return cos_.data() + position * half_; }
  const float* sin(int64_t position) const { return sin_.data() + position * half_; }

 private:
  int64_t half_ = 0;
  int64_t max_positions_ = 0;
  std::vector<float> cos_;
  std::vector<float> sin_;
};

// ApplyRope() rotates x[tokens][heads][head_dim] in place; token t is at positions[t] (which must
// be < table.max_positions()). Pairs are (i, i + half) for i < half = table.half() (the
// rotate_half convention of Hugging Face Llama, not interleaved pairs); dims past 2 * half are
// left as they are (partial rotary). Requires 2 * table.half() <= head_dim.
void ApplyRope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, const int32_t* positions,
               const RopeTable& table, ThreadPool* pool = nullptr);

// SiluMul() writes out[i] = silu(gate[i]) * up[i] (SwiGLU); out may equal gate or up.
void SiluMul(const float* gate, const float* up, int64_t count, float* out,
             ThreadPool* pool = nullptr);

// Add() writes out[i] = a[i] + b[i] (the residual connection); out may equal a or b.
void Add(const float* a, const float* b, int64_t count, float* out, ThreadPool* pool = nullptr);

// Softmax() writes out = exp(x - max) / sum over `count` values; out may equal x. Requires
// count >= 1 and at least one value above -inf.
void Softmax(const float* x, int64_t count, float* out);

// Argmax() returns the index of the first largest value, ignoring NaN (0 if all are NaN).
// Requires 1 <= count < 2^31.
int64_t Argmax(const float* x, int64_t count);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_KERNELS_ELEMENTWISE_H_
