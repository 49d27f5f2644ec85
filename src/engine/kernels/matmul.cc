#include "src/engine/kernels/matmul.h"

#include <algorithm>
#include <cassert>

#include "src/engine/kernels/cpu_features.h"
#include "src/engine/kernels/matmul_kernels.h"

namespace radixlm::engine {
namespace {

constexpr int64_t kAlignment = 64;
// bf16 activation rows are padded to whole vdpbf16ps steps.
constexpr int64_t kBf16RowMultiple = 32;
// Weight rows computed together per tile in the decode schedule, and the unit of work splits.
constexpr int64_t kRowsPerTile = 4;
// Prefill schedule: a block of W rows sized to stay in the L2 cache while a block of X rows
// streams past it.
constexpr int64_t kWeightBlockBytes = int64_t{192} * 1024;
constexpr int64_t kActivationBlockRows = 256;

int64_t RoundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

int64_t CeilDiv(int64_t value, int64_t divisor) { return (value + divisor - 1) / divisor; }

const kernels::MatmulKernels& KernelsFor(Isa isa) {
#if defined(RADIXLM_KERNELS_X86)
  switch (isa) {
    case Isa::kAvx512:
      return kernels::Avx512MatmulKernels();
    case Isa::kAvx2:
      return kernels::Avx2MatmulKernels();
    case Isa::kScalar:
      break;
  }
#endif
  static_cast<void>(isa);
  return kernels::ScalarMatmulKernels();
}

bool IsInt8(DType type) { return type == DType::kInt8 || type == DType::kInt8Block; }

// Bump allocator over the caller's scratch.
class ScratchCursor {
 public:
  explicit ScratchCursor(std::span<std::byte> scratch) : scratch_(scratch) {}
  template <typename T>
  T* Take(int64_t count) {
    const auto address = reinterpret_cast<uintptr_t>(scratch_.data() + used_);
    used_ += static_cast<size_t>(RoundUp(static_cast<int64_t>(address), kAlignment) -
                                 static_cast<int64_t>(address));
    T* result = reinterpret_cast<T*>(scratch_.data() + used_);
    used_ += static_cast<size_t>(count) * sizeof(T);
    assert(used_ <= scratch_.size() && "Matmul scratch smaller than MatmulScratchBytes()");
    return result;
  }

 private:
  std::span<std::byte> scratch_;
  size_t used_ = 0;
};

// Runs fn(begin, end) over [0, count) rows, in parallel when the work is large enough to pay.
template <typename Fn>
void ForRows(ThreadPool* pool, int64_t count, int64_t work_per_row, Fn&& fn) {
  if (pool == nullptr || count * work_per_row < (int64_t{1} << 16)) {
    fn(int64_t{0}, count);
  } else {
    pool->ParallelFor(count, std::forward<Fn>(fn));
  }
}

}  // namespace

size_t MatmulScratchBytes(const PackedWeights& weights, int64_t m) {
  int64_t bytes = 0;
  if (weights.dtype() == DType::kBF16) {
    bytes = m * RoundUp(weights.cols(), kBf16RowMultiple) * 2 + kAlignment;
  } else if (IsInt8(weights.dtype())) {
    const int64_t scales = m * weights.scales_per_row();
    bytes = m * weights.padded_cols() + scales * 8 + 3 * kAlignment;
  }
  return static_cast<size_t>(bytes);
}

void Matmul(const float* x, int64_t m, const PackedWeights& weights, const float* bias, float* y,
            std::span<std::byte> scratch, ThreadPool* pool) {
  const int64_t n = weights.rows();
  const int64_t k = weights.cols();
  if (m <= 0 || n <= 0) return;
  const kernels::MatmulKernels& kernels = KernelsFor(ActiveIsa());

  kernels::MatmulProblem problem;
  problem.m = m;
  problem.n = n;
  problem.k = k;
  problem.w_type = weights.dtype();
  problem.w = weights.data();
  problem.w_row_bytes = weights.row_bytes();
  problem.w_scales = weights.scales();
  problem.k_padded = weights.padded_cols();
  problem.scales_per_row = weights.scales_per_row();
  problem.x = x;
  problem.x_stride = k;
  problem.bias = bias;
  problem.y = y;
  problem.y_stride = n;
  problem.stream_weights = m <= kDecodeRows;

  ScratchCursor cursor(scratch);
  if (weights.dtype() == DType::kBF16 && kernels.bf16_activations) {
    const int64_t stride = RoundUp(k, kBf16RowMultiple);
    uint16_t* x_bf16 = cursor.Take<uint16_t>(m * stride);
    problem.x_bf16 = x_bf16;
    problem.x_bf16_stride = stride;
    ForRows(pool, m, k, [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        kernels.convert_row_to_bf16(x + row * k, k, stride, x_bf16 + row * stride);
      }
    });
  } else if (IsInt8(weights.dtype())) {
    const int64_t padded = weights.padded_cols();
    const int64_t blocks = weights.scales_per_row();
    auto* x_q = cursor.Take<int8_t>(m * padded);
    auto* x_scales = cursor.Take<float>(m * blocks);
    auto* x_sums = cursor.Take<int32_t>(m * blocks);
    problem.x_q = x_q;
    problem.x_scales = x_scales;
    problem.x_sums = x_sums;
    ForRows(pool, m, k, [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        kernels.quantize_row(x + row * k, k, padded, padded / blocks, x_q + row * padded,
                             x_scales + row * blocks, x_sums + row * blocks);
      }
    });
  }

  const int threads = pool == nullptr ? 1 : pool->num_threads();
  if (m <= kDecodeRows) {
    // Memory bound: every weight row is read once, 4 rows at a time, for all m activation rows.
    // About eight chunks per thread keep the split even when a thread is slowed down.
    const int64_t chunk = RoundUp(CeilDiv(n, int64_t{8} * threads), kRowsPerTile);
    if (pool == nullptr) {
      kernels.gemm(problem, 0, m, 0, n);
    } else {
      pool->ParallelFor(
          n, chunk, [&](int64_t begin, int64_t end) { kernels.gemm(problem, 0, m, begin, end); });
    }
    return;
  }
  // Compute bound: (block of W rows that fits in L2) x (block of X rows) rectangles, which the
  // kernels sweep in cache-sized K blocks.
  int64_t n_block =
      RoundUp(std::max<int64_t>(kWeightBlockBytes / weights.row_bytes(), 1), kRowsPerTile);
  n_block = std::min(n_block, RoundUp(CeilDiv(n, int64_t{2} * threads), kRowsPerTile));
  const int64_t m_block = kActivationBlockRows;
  const int64_t n_blocks = CeilDiv(n, n_block);
  const int64_t m_blocks = CeilDiv(m, m_block);
  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      const int64_t n0 = (item / m_blocks) * n_block;
      const int64_t m0 = (item % m_blocks) * m_block;
      kernels.gemm(problem, m0, std::min(m, m0 + m_block), n0, std::min(n, n0 + n_block));
    }
  };
  if (pool == nullptr) {
    run(0, n_blocks * m_blocks);
  } else {
    pool->ParallelFor(n_blocks * m_blocks, 1, run);
  }
}

}  // namespace radixlm::engine
