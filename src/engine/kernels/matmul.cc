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

namespace {

kernels::MatmulProblem MakeProblem(const float* x, int64_t m, const MatmulOutput& output) {
  const PackedWeights& weights = *output.weights;
  kernels::MatmulProblem problem;
  problem.m = m;
  problem.n = weights.rows();
  problem.k = weights.cols();
  problem.w_type = weights.dtype();
  problem.w = weights.data();
  problem.w_row_bytes = weights.row_bytes();
  problem.w_scales = weights.scales();
  problem.k_padded = weights.padded_cols();
  problem.scales_per_row = weights.scales_per_row();
  problem.x = x;
  problem.x_stride = problem.k;
  problem.bias = output.bias;
  problem.y = output.y;
  problem.y_stride = problem.n;
  problem.stream_weights = m <= kDecodeRows;
  return problem;
}

// Converts X into the form the kernels read for `problem`'s weight type (bf16 or int8, in
// scratch) and sets problem's x_* fields; f32 and f16 weights read X as it is.
void PrepareActivations(const kernels::MatmulKernels& kernels, const PackedWeights& weights,
                        std::span<std::byte> scratch, ThreadPool* pool,
                        kernels::MatmulProblem& problem) {
  const float* x = problem.x;
  const int64_t m = problem.m;
  const int64_t k = problem.k;
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
}

// Decode schedule (memory bound): every weight row is read once, 4 rows at a time, for all m
// activation rows. The weight rows of all problems are split across threads as one range, about
// eight chunks per thread, so that the split stays even when a thread is slowed down and several
// projections of one input cost one hand-off.
void RunStreaming(const kernels::MatmulKernels& kernels,
                  std::span<const kernels::MatmulProblem> problems, ThreadPool* pool) {
  int64_t total_rows = 0;
  for (const kernels::MatmulProblem& problem : problems) total_rows += problem.n;
  auto run = [&](int64_t begin, int64_t end) {
    int64_t first_row = 0;  // of problems[index] in the joint range
    for (const kernels::MatmulProblem& problem : problems) {
      const int64_t from = std::max(begin, first_row);
      const int64_t to = std::min(end, first_row + problem.n);
      if (from < to) kernels.gemm(problem, 0, problem.m, from - first_row, to - first_row);
      first_row += problem.n;
    }
  };
  if (pool == nullptr) {
    run(0, total_rows);
    return;
  }
  const int64_t chunk =
      RoundUp(CeilDiv(total_rows, int64_t{8} * pool->num_threads()), kRowsPerTile);
  pool->ParallelFor(total_rows, chunk, run);
}

// Prefill schedule (compute bound): (block of W rows that fits in L2) x (block of X rows)
// rectangles, which the kernels sweep in cache-sized K blocks.
void RunBlocked(const kernels::MatmulKernels& kernels, const kernels::MatmulProblem& problem,
                ThreadPool* pool) {
  const int64_t m = problem.m;
  const int64_t n = problem.n;
  const int threads = pool == nullptr ? 1 : pool->num_threads();
  int64_t n_block =
      RoundUp(std::max<int64_t>(kWeightBlockBytes / problem.w_row_bytes, 1), kRowsPerTile);
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

// Whether X converts the same way for every output (so one conversion serves them all).
bool ShareActivations(std::span<const MatmulOutput> outputs) {
  const PackedWeights& first = *outputs.front().weights;
  return std::all_of(outputs.begin(), outputs.end(), [&](const MatmulOutput& output) {
    return output.weights->dtype() == first.dtype() && output.weights->cols() == first.cols() &&
           output.weights->padded_cols() == first.padded_cols() &&
           output.weights->scales_per_row() == first.scales_per_row();
  });
}

}  // namespace

void MatmulShared(const float* x, int64_t m, std::span<const MatmulOutput> outputs,
                  std::span<std::byte> scratch, ThreadPool* pool) {
  if (m <= 0 || outputs.empty()) return;
  if (std::any_of(outputs.begin(), outputs.end(),
                  [](const MatmulOutput& output) { return output.weights->rows() <= 0; })) {
    // An empty (default-constructed) matrix has nothing to compute; the schedules divide by N.
    for (const MatmulOutput& output : outputs) {
      if (output.weights->rows() > 0) MatmulShared(x, m, {&output, 1}, scratch, pool);
    }
    return;
  }
  if (outputs.size() > kMaxSharedOutputs || !ShareActivations(outputs)) {
    for (const MatmulOutput& output : outputs) MatmulShared(x, m, {&output, 1}, scratch, pool);
    return;
  }
  const kernels::MatmulKernels& kernels = KernelsFor(ActiveIsa());
  kernels::MatmulProblem problems[kMaxSharedOutputs];
  for (size_t i = 0; i < outputs.size(); ++i) problems[i] = MakeProblem(x, m, outputs[i]);
  PrepareActivations(kernels, *outputs.front().weights, scratch, pool, problems[0]);
  for (size_t i = 1; i < outputs.size(); ++i) {
    problems[i].x_bf16 = problems[0].x_bf16;
    problems[i].x_bf16_stride = problems[0].x_bf16_stride;
    problems[i].x_q = problems[0].x_q;
    problems[i].x_scales = problems[0].x_scales;
    problems[i].x_sums = problems[0].x_sums;
  }
  const std::span<const kernels::MatmulProblem> all(problems, outputs.size());
  if (m <= kDecodeRows) {
    RunStreaming(kernels, all, pool);
  } else {
    for (const kernels::MatmulProblem& problem : all) RunBlocked(kernels, problem, pool);
  }
}

void Matmul(const float* x, int64_t m, const PackedWeights& weights, const float* bias, float* y,
            std::span<std::byte> scratch, ThreadPool* pool) {
  const MatmulOutput output{&weights, bias, y};
  MatmulShared(x, m, {&output, 1}, scratch, pool);
}

}  // namespace radixlm::engine
