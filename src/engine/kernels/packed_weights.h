// PackedWeights holds a weight matrix W[rows, cols] (rows = output features, cols = input
// features, as stored in a Hugging Face checkpoint) in the layout Matmul() reads.
//
// Float types (f32, f16, bf16) use the checkpoint's own row-major layout. Every PackedWeights owns
// its storage in HugePageMemory, a copy even of a matrix already in the packed type, not a view of
// the mmap'd file: decode reads every weight once per token, and the file's 4 KB pages cost a
// quarter of the bandwidth. The int8 types:
//   data    rows of padded_cols() bytes (cols rounded up to kInt8BlockSize, 64-byte aligned), each
//           value stored as q + 128 with q = round_half_even(w * 127 / absmax) in [-127, 127]
//           (unsigned, the operand order vpdpbusd needs); the padding holds q = 0.
//   scales  f32, scales()[row * scales_per_row() + block] = absmax / 127 of that block
//           (kInt8: one block per row, scales_per_row() == 1; kInt8Block: kInt8BlockSize values).
//
// Thread safety: a PackedWeights is immutable after construction and may be read concurrently.
#ifndef RADIXLM_SRC_ENGINE_KERNELS_PACKED_WEIGHTS_H_
#define RADIXLM_SRC_ENGINE_KERNELS_PACKED_WEIGHTS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "src/engine/kernels/dtype.h"
#include "src/engine/kernels/huge_page_memory.h"
#include "src/engine/kernels/thread_pool.h"

namespace radixlm::engine {

class PackedWeights {
 public:
  PackedWeights() = default;
  PackedWeights(PackedWeights&&) noexcept = default;
  PackedWeights& operator=(PackedWeights&&) noexcept = default;
  PackedWeights(const PackedWeights&) = delete;
  PackedWeights& operator=(const PackedWeights&) = delete;

  DType dtype() const { return dtype_; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  // Row r starts at data() + r * row_bytes().
  const std::byte* data() const { return data_; }
  int64_t row_bytes() const { return row_bytes_; }
  // cols() for float types; cols() rounded up to kInt8BlockSize for the int8 types.
  int64_t padded_cols() const { return padded_cols_; }
  // int8 types only (null otherwise).
  const float* scales() const { return scales_; }
  int64_t scales_per_row() const { return scales_per_row_; }
  // Bytes the kernels read per full pass over the matrix (data plus scales).
  int64_t StreamedBytes() const;

 private:
  friend absl::StatusOr<PackedWeights> PackWeights(const void*, DType, int64_t, int64_t, DType,
                                                   ThreadPool*);
  friend absl::StatusOr<PackedWeights> QuantizeInt8(const void*, DType, int64_t, int64_t, DType,
                                                    ThreadPool*);

  DType dtype_ = DType::kF32;
  int64_t rows_ = 0;
  int64_t cols_ = 0;
  const std::byte* data_ = nullptr;
  int64_t row_bytes_ = 0;
  int64_t padded_cols_ = 0;
  const float* scales_ = nullptr;
  int64_t scales_per_row_ = 0;
  HugePageMemory storage_;
};

// PackWeights() prepares a row-major [rows, cols] matrix of `src_type` (f32, f16 or bf16) for
// Matmul() as `packed_type`: the same type is copied; another float type is converted (round to
// nearest even); kInt8/kInt8Block quantize (see QuantizeInt8). Called once per matrix at load time;
// `pool` (optional) spreads the work over threads. `src` is not needed afterwards.
absl::StatusOr<PackedWeights> PackWeights(const void* src, DType src_type, int64_t rows,
                                          int64_t cols, DType packed_type,
                                          ThreadPool* pool = nullptr);

// QuantizeInt8() quantizes a row-major [rows, cols] float matrix to `int8_type` (kInt8: one scale
// per row; kInt8Block: one per kInt8BlockSize values). cols must be at most 65536 so that the
// kernels' int32 dot products cannot overflow.
absl::StatusOr<PackedWeights> QuantizeInt8(const void* src, DType src_type, int64_t rows,
                                           int64_t cols, DType int8_type,
                                           ThreadPool* pool = nullptr);

// DequantizeRow() writes row `row` of `weights` as cols() floats (an embedding lookup in a tied
// embedding/lm_head matrix, or a test reading back what was packed).
void DequantizeRow(const PackedWeights& weights, int64_t row, float* out);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_KERNELS_PACKED_WEIGHTS_H_
