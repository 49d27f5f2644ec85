// Portable element-wise kernels (the fallback, and the ISA the others are tested against).
#include <cmath>
#include <cstring>
#include <limits>

#include "src/engine/kernels/elementwise_kernels.h"

namespace radixlm::engine::kernels {
namespace {

float WeightAt(const void* weight, DType type, int64_t i) {
  uint16_t half = 0;
  switch (type) {
    case DType::kF16:
      std::memcpy(&half, static_cast<const uint16_t*>(weight) + i, sizeof(half));
      return F16ToF32(half);
    case DType::kBF16:
      std::memcpy(&half, static_cast<const uint16_t*>(weight) + i, sizeof(half));
      return Bf16ToF32(half);
    case DType::kF32:
    case DType::kInt8:
    case DType::kInt8Block:
      break;
  }
  return static_cast<const float*>(weight)[i];
}

void RmsNormRow(const float* x, int64_t dim, const void* weight, DType weight_type, float eps,
                float* y) {
  float sum = 0.0f;
  for (int64_t i = 0; i < dim; ++i) sum += x[i] * x[i];
  const float inverse = 1.0f / std::sqrt(sum / static_cast<float>(dim) + eps);
  for (int64_t i = 0; i < dim; ++i) y[i] = x[i] * inverse * WeightAt(weight, weight_type, i);
}

void RopeHead(float* head, const float* cos, const float* sin, int64_t half) {
  for (int64_t i = 0; i < half; ++i) {
    const float first = head[i];
    const float second = head[i + half];
    head[i] = first * cos[i] - second * sin[i];
    head[i + half] = second * cos[i] + first * sin[i];
  }
}

void SiluMul(const float* gate, const float* up, int64_t count, float* out) {
  for (int64_t i = 0; i < count; ++i) out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void Add(const float* a, const float* b, int64_t count, float* out) {
  for (int64_t i = 0; i < count; ++i) out[i] = a[i] + b[i];
}

void Softmax(const float* x, int64_t count, float* out) {
  float max = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < count; ++i) max = std::fmax(max, x[i]);
  float sum = 0.0f;
  for (int64_t i = 0; i < count; ++i) {
    out[i] = std::exp(x[i] - max);
    sum += out[i];
  }
  const float inverse = 1.0f / sum;
  for (int64_t i = 0; i < count; ++i) out[i] *= inverse;
}

int64_t Argmax(const float* x, int64_t count) {
  int64_t best = -1;
  for (int64_t i = 0; i < count; ++i) {
    if (!std::isnan(x[i]) && (best < 0 || x[i] > x[best])) best = i;
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

const ElementwiseKernels& ScalarElementwiseKernels() { return kKernels; }

}  // namespace radixlm::engine::kernels
