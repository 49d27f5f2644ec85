// Portable matmul kernels: the fallback for CPUs without AVX2, and the ISA every other path is
// compared against in tests. One dot product per output, summed in index order.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "src/engine/kernels/dtype.h"
#include "src/engine/kernels/matmul_kernels.h"

namespace radixlm::engine::kernels {
namespace {

float WeightValue(const MatmulProblem& p, const std::byte* row, int64_t i) {
  uint16_t half = 0;
  switch (p.w_type) {
    case DType::kF32: {
      float value = 0;
      std::memcpy(&value, row + i * 4, sizeof(value));
      return value;
    }
    case DType::kF16:
      std::memcpy(&half, row + i * 2, sizeof(half));
      return F16ToF32(half);
    case DType::kBF16:
      std::memcpy(&half, row + i * 2, sizeof(half));
      return Bf16ToF32(half);
    case DType::kInt8:
    case DType::kInt8Block:
      break;
  }
  return 0.0f;
}

float FloatDot(const MatmulProblem& p, int64_t m, int64_t n) {
  const float* x = p.x + m * p.x_stride;
  const std::byte* row = p.w + n * p.w_row_bytes;
  float sum = 0.0f;
  for (int64_t i = 0; i < p.k; ++i) sum += x[i] * WeightValue(p, row, i);
  return sum;
}

// Sum over [begin, end) of q_x * q_w, with W stored as q_w + 128.
int32_t Int8Dot(const int8_t* x, const uint8_t* w, int64_t begin, int64_t end) {
  int32_t sum = 0;
  for (int64_t i = begin; i < end; ++i) sum += static_cast<int32_t>(x[i]) * (w[i] - 128);
  return sum;
}

float Int8RowDot(const MatmulProblem& p, int64_t m, int64_t n) {
  const int8_t* x = p.x_q + m * p.k_padded;
  const auto* w = reinterpret_cast<const uint8_t*>(p.w + n * p.w_row_bytes);
  return static_cast<float>(Int8Dot(x, w, 0, p.k_padded)) * p.x_scales[m] * p.w_scales[n];
}

float Int8BlockDot(const MatmulProblem& p, int64_t m, int64_t n) {
  const int8_t* x = p.x_q + m * p.k_padded;
  const auto* w = reinterpret_cast<const uint8_t*>(p.w + n * p.w_row_bytes);
  const float* x_scales = p.x_scales + m * p.scales_per_row;
  const float* w_scales = p.w_scales + n * p.scales_per_row;
  float sum = 0.0f;
  for (int64_t block = 0; block < p.scales_per_row; ++block) {
    const int32_t dot = Int8Dot(x, w, block * kInt8BlockSize, (block + 1) * kInt8BlockSize);
    sum += static_cast<float>(dot) * x_scales[block] * w_scales[block];
  }
  return sum;
}

void Gemm(const MatmulProblem& p, int64_t m_begin, int64_t m_end, int64_t n_begin, int64_t n_end) {
  // Weight rows outer: each is read from memory once for all activation rows.
  for (int64_t n = n_begin; n < n_end; ++n) {
    for (int64_t m = m_begin; m < m_end; ++m) {
      float* y = p.y + m * p.y_stride;
      float value = 0.0f;
      switch (p.w_type) {
        case DType::kF32:
        case DType::kF16:
        case DType::kBF16:
          value = FloatDot(p, m, n);
          break;
        case DType::kInt8:
          value = Int8RowDot(p, m, n);
          break;
        case DType::kInt8Block:
          value = Int8BlockDot(p, m, n);
          break;
      }
      y[n] = (p.bias == nullptr) ? value : value + p.bias[n];
    }
  }
}

void QuantizeRow(const float* x, int64_t cols, int64_t padded_cols, int64_t block, int8_t* q,
                 float* scales, int32_t* sums) {
  for (int64_t start = 0, b = 0; start < padded_cols; start += block, ++b) {
    const int64_t end = start + block;
    float absmax = 0.0f;
    for (int64_t i = start; i < end && i < cols; ++i) absmax = std::fmax(absmax, std::fabs(x[i]));
    scales[b] = absmax / 127.0f;
    const float inverse = absmax > 0.0f ? 127.0f / absmax : 0.0f;
    int32_t sum = 0;
    for (int64_t i = start; i < end; ++i) {
      long rounded = (i < cols) ? std::lrint(x[i] * inverse) : 0;  // NOLINT(google-runtime-int)
      rounded = rounded > 127 ? 127 : (rounded < -127 ? -127 : rounded);
      q[i] = static_cast<int8_t>(rounded);
      sum += static_cast<int32_t>(rounded);
    }
    sums[b] = sum;
  }
}

constexpr MatmulKernels kKernels{
    .bf16_activations = false,
    .convert_row_to_bf16 = nullptr,
    .quantize_row = &QuantizeRow,
    .gemm = &Gemm,
};

}  // namespace

const MatmulKernels& ScalarMatmulKernels() { return kKernels; }

}  // namespace radixlm::engine::kernels
