#include "src/engine/kernels/elementwise.h"

#include <algorithm>
#include <cmath>

#include "src/common/strings.h"
#include "src/engine/kernels/cpu_features.h"
#include "src/engine/kernels/elementwise_kernels.h"

namespace radixlm::engine {
namespace {

// Below this many values a call runs on the calling thread: a pool dispatch (~1-2 us) would cost
// more than it saves.
constexpr int64_t kParallelValues = int64_t{1} << 16;

const kernels::ElementwiseKernels& Kernels() {
#if defined(RADIXLM_KERNELS_X86)
  switch (ActiveIsa()) {
    case Isa::kAvx512:
      return kernels::Avx512ElementwiseKernels();
    case Isa::kAvx2:
      return kernels::Avx2ElementwiseKernels();
    case Isa::kScalar:
      break;
  }
#endif
  return kernels::ScalarElementwiseKernels();
}

// Runs fn(begin, end) over [0, count) items of `values_per_item` values each.
template <typename Fn>
void ForItems(ThreadPool* pool, int64_t count, int64_t values_per_item, Fn&& fn) {
  if (pool == nullptr || pool->num_threads() == 1 || count * values_per_item < kParallelValues) {
    fn(int64_t{0}, count);
  } else {
    pool->ParallelFor(count, std::forward<Fn>(fn));
  }
}

// Element-wise loops split into cache-line multiples.
constexpr int64_t kChunkValues = 4096;

}  // namespace

void RmsNorm(const float* x, int64_t rows, int64_t dim, const void* weight, DType weight_type,
             float eps, float* y, ThreadPool* pool) {
  const kernels::ElementwiseKernels& k = Kernels();
  ForItems(pool, rows, dim, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      k.rms_norm_row(x + row * dim, dim, weight, weight_type, eps, y + row * dim);
    }
  });
}

absl::StatusOr<RopeTable> RopeTable::Create(std::span<const float> inv_freq, int64_t max_positions,
                                            float attention_scaling) {
  if (inv_freq.empty() || max_positions <= 0) {
    return absl::InvalidArgumentError(StrCat("RoPE table needs inv_freq values and positions; got ",
                                             inv_freq.size(), " frequencies and ", max_positions,
                                             " positions"));
  }
  RopeTable table;
  table.half_ = static_cast<int64_t>(inv_freq.size());
  table.max_positions_ = max_positions;
  table.cos_.resize(static_cast<size_t>(max_positions * table.half_));
  table.sin_.resize(table.cos_.size());
  for (int64_t position = 0; position < max_positions; ++position) {
    for (int64_t i = 0; i < table.half_; ++i) {
      const float angle = static_cast<float>(position) * inv_freq[static_cast<size_t>(i)];
      const auto index = static_cast<size_t>(position * table.half_ + i);
      table.cos_[index] =
          static_cast<float>(std::cos(static_cast<double>(angle)) * attention_scaling);
      table.sin_[index] =
          static_cast<float>(std::sin(static_cast<double>(angle)) * attention_scaling);
    }
  }
  return table;
}

void ApplyRope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, const int32_t* positions,
               const RopeTable& table, ThreadPool* pool) {
  const kernels::ElementwiseKernels& k = Kernels();
  ForItems(pool, tokens, heads * head_dim, [&](int64_t begin, int64_t end) {
    for (int64_t token = begin; token < end; ++token) {
      const float* cos = table.cos(positions[token]);
      const float* sin = table.sin(positions[token]);
      for (int64_t head = 0; head < heads; ++head) {
        k.rope_head(x + (token * heads + head) * head_dim, cos, sin, table.half());
      }
    }
  });
}

void SiluMul(const float* gate, const float* up, int64_t count, float* out, ThreadPool* pool) {
  const kernels::ElementwiseKernels& k = Kernels();
  ForItems(pool, (count + kChunkValues - 1) / kChunkValues, kChunkValues,
           [&](int64_t begin, int64_t end) {
             const int64_t first = begin * kChunkValues;
             const int64_t last = std::min(count, end * kChunkValues);
             k.silu_mul(gate + first, up + first, last - first, out + first);
           });
}

void Add(const float* a, const float* b, int64_t count, float* out, ThreadPool* pool) {
  const kernels::ElementwiseKernels& k = Kernels();
  ForItems(pool, (count + kChunkValues - 1) / kChunkValues, kChunkValues,
           [&](int64_t begin, int64_t end) {
             const int64_t first = begin * kChunkValues;
             const int64_t last = std::min(count, end * kChunkValues);
             k.add(a + first, b + first, last - first, out + first);
           });
}

void Softmax(const float* x, int64_t count, float* out) { Kernels().softmax(x, count, out); }

int64_t Argmax(const float* x, int64_t count) { return Kernels().argmax(x, count); }

}  // namespace radixlm::engine
