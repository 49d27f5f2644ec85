#include "src/engine/kernels/packed_weights.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "src/common/strings.h"

namespace radixlm::engine {
namespace {

constexpr int64_t kAlignment = 64;
// The int8 kernels' int32 dot product of (q_w + 128) * q_x stays below 2^31 up to this width.
constexpr int64_t kMaxInt8Cols = 65536;

int64_t RoundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

absl::Status ValidateMatrix(const void* src, DType src_type, int64_t rows, int64_t cols) {
  if (src == nullptr) return absl::InvalidArgumentError("weight matrix data is null");
  if (!IsFloatDType(src_type)) {
    return absl::InvalidArgumentError(
        StrCat("weights stored as ", DTypeName(src_type),
               " cannot be packed; the source must be f32, f16 or bf16"));
  }
  if (rows <= 0 || cols <= 0) {
    return absl::InvalidArgumentError(
        StrCat("weight matrix shape [", rows, ", ", cols, "] is empty or negative"));
  }
  return absl::OkStatus();
}

// Runs fn(begin, end) over [0, rows) on `pool` when there is one.
template <typename Fn>
void ForRows(ThreadPool* pool, int64_t rows, Fn&& fn) {
  if (pool == nullptr) {
    fn(int64_t{0}, rows);
  } else {
    pool->ParallelFor(rows, std::forward<Fn>(fn));
  }
}

}  // namespace

int64_t PackedWeights::StreamedBytes() const {
  return rows_ * row_bytes_ + rows_ * scales_per_row_ * static_cast<int64_t>(sizeof(float));
}

absl::StatusOr<PackedWeights> PackWeights(const void* src, DType src_type, int64_t rows,
                                          int64_t cols, DType packed_type, ThreadPool* pool) {
  if (absl::Status status = ValidateMatrix(src, src_type, rows, cols); !status.ok()) return status;
  if (!IsFloatDType(packed_type)) return QuantizeInt8(src, src_type, rows, cols, packed_type, pool);

  PackedWeights packed;
  packed.dtype_ = packed_type;
  packed.rows_ = rows;
  packed.cols_ = cols;
  packed.padded_cols_ = cols;
  packed.row_bytes_ = cols * FloatDTypeBytes(packed_type);
  absl::StatusOr<HugePageMemory> storage = HugePageMemory::Map(
      rows * packed.row_bytes_, StrCat("a ", DTypeName(packed_type), " weight matrix"));
  if (!storage.ok()) return storage.status();
  packed.storage_ = *std::move(storage);
  std::byte* dst = packed.storage_.data();
  packed.data_ = dst;
  const int64_t src_row_bytes = cols * FloatDTypeBytes(src_type);
  if (packed_type == src_type) {
    ForRows(pool, rows, [&](int64_t begin, int64_t end) {
      std::memcpy(dst + begin * packed.row_bytes_,
                  static_cast<const std::byte*>(src) + begin * src_row_bytes,
                  static_cast<size_t>((end - begin) * src_row_bytes));
    });
    return packed;
  }
  ForRows(pool, rows, [&](int64_t begin, int64_t end) {
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t r = begin; r < end; ++r) {
      ConvertToF32(static_cast<const std::byte*>(src) + r * src_row_bytes, src_type, cols,
                   row.data());
      ConvertFromF32(row.data(), cols, packed_type, dst + r * packed.row_bytes_);
    }
  });
  return packed;
}

absl::StatusOr<PackedWeights> QuantizeInt8(const void* src, DType src_type, int64_t rows,
                                           int64_t cols, DType int8_type, ThreadPool* pool) {
  if (absl::Status status = ValidateMatrix(src, src_type, rows, cols); !status.ok()) return status;
  if (int8_type != DType::kInt8 && int8_type != DType::kInt8Block) {
    return absl::InvalidArgumentError(
        StrCat("QuantizeInt8 produces int8 or int8_block, not ", DTypeName(int8_type)));
  }
  if (cols > kMaxInt8Cols) {
    return absl::InvalidArgumentError(StrCat("cannot quantize a matrix with ", cols,
                                             " columns to int8 (at most ", kMaxInt8Cols,
                                             "); keep it in its float type"));
  }
  PackedWeights packed;
  packed.dtype_ = int8_type;
  packed.rows_ = rows;
  packed.cols_ = cols;
  packed.padded_cols_ = RoundUp(cols, kInt8BlockSize);
  packed.row_bytes_ = packed.padded_cols_;
  const int64_t block = (int8_type == DType::kInt8) ? packed.padded_cols_ : kInt8BlockSize;
  packed.scales_per_row_ = packed.padded_cols_ / block;
  const int64_t data_bytes = RoundUp(rows * packed.row_bytes_, kAlignment);
  const int64_t scale_bytes = rows * packed.scales_per_row_ * static_cast<int64_t>(sizeof(float));
  absl::StatusOr<HugePageMemory> storage =
      HugePageMemory::Map(data_bytes + scale_bytes, "an int8 weight matrix");
  if (!storage.ok()) return storage.status();
  packed.storage_ = *std::move(storage);
  std::byte* data = packed.storage_.data();
  auto* scales = reinterpret_cast<float*>(data + data_bytes);
  packed.data_ = data;
  packed.scales_ = scales;

  const int64_t src_row_bytes = cols * FloatDTypeBytes(src_type);
  ForRows(pool, rows, [&](int64_t begin, int64_t end) {
    std::vector<float> row(static_cast<size_t>(packed.padded_cols_), 0.0f);
    for (int64_t r = begin; r < end; ++r) {
      ConvertToF32(static_cast<const std::byte*>(src) + r * src_row_bytes, src_type, cols,
                   row.data());
      auto* out = reinterpret_cast<uint8_t*>(data + r * packed.row_bytes_);
      for (int64_t start = 0, b = 0; start < packed.padded_cols_; start += block, ++b) {
        float absmax = 0.0f;
        for (int64_t i = start; i < start + block; ++i)
          absmax = std::fmax(absmax, std::fabs(row[i]));
        scales[r * packed.scales_per_row_ + b] = absmax / 127.0f;
        const float inverse = absmax > 0.0f ? 127.0f / absmax : 0.0f;
        for (int64_t i = start; i < start + block; ++i) {
          long q = std::lrint(row[i] * inverse);  // NOLINT(google-runtime-int): lrint's type
          q = q > 127 ? 127 : (q < -127 ? -127 : q);
          out[i] = static_cast<uint8_t>(q + 128);
        }
      }
    }
  });
  return packed;
}

void DequantizeRow(const PackedWeights& weights, int64_t row, float* out) {
  const std::byte* data = weights.data() + row * weights.row_bytes();
  if (IsFloatDType(weights.dtype())) {
    ConvertToF32(data, weights.dtype(), weights.cols(), out);
    return;
  }
  const auto* q = reinterpret_cast<const uint8_t*>(data);
  const float* scales = weights.scales() + row * weights.scales_per_row();
  const int64_t block = weights.padded_cols() / weights.scales_per_row();
  for (int64_t i = 0; i < weights.cols(); ++i) {
    out[i] = static_cast<float>(static_cast<int>(q[i]) - 128) * scales[i / block];
  }
}

}  // namespace radixlm::engine
