#include "src/engine/kernels/matmul.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/kernels/packed_weights.h"
#include "tests/engine/kernels/kernel_test_util.h"

namespace radixlm::engine {
namespace {

using testing::IsaTest;
using testing::RandomFloats;
using testing::RoundTrip;
using testing::StoreAs;

struct Shape {
  int64_t m;
  int64_t n;
  int64_t k;
};

// Shapes with every remainder the kernels handle: K not a multiple of 16/32/64, N not a multiple
// of 4, M from 1 (decode) past the decode/prefill threshold.
// The last shapes have K long enough for the prefill schedule to split K into blocks.
const Shape kShapes[] = {{1, 1, 1},    {1, 5, 7},     {2, 3, 16},    {3, 4, 33},
                         {4, 9, 64},   {5, 8, 100},   {7, 13, 129},  {8, 1, 31},
                         {16, 17, 65}, {17, 6, 200},  {1, 64, 576},  {13, 21, 577},
                         {40, 37, 96}, {33, 70, 257}, {20, 9, 4500}, {37, 13, 2500}};

// A quantized operand: value = q * scale with |q| <= 127, per block.
struct Quantized {
  std::vector<double> values;
  std::vector<double> block_absmax;  // per element: the absmax of its block
};

Quantized QuantizeReference(const std::vector<float>& row, int64_t block) {
  Quantized out;
  out.values.resize(row.size());
  out.block_absmax.resize(row.size());
  for (size_t start = 0; start < row.size(); start += static_cast<size_t>(block)) {
    const size_t end = std::min(row.size(), start + static_cast<size_t>(block));
    float absmax = 0.0f;
    for (size_t i = start; i < end; ++i) absmax = std::max(absmax, std::fabs(row[i]));
    for (size_t i = start; i < end; ++i) out.block_absmax[i] = absmax;
  }
  return out;
}

struct Reference {
  double value;
  double tolerance;
};

// Double-precision Y[i][j] with the error bound the kernel must meet for `type` on this ISA.
Reference ReferenceDot(const std::vector<float>& x_row, const std::vector<float>& w_row, DType type,
                       double bias) {
  double exact = bias;
  double magnitude = std::fabs(bias);
  for (size_t i = 0; i < x_row.size(); ++i) {
    exact += static_cast<double>(x_row[i]) * w_row[i];
    magnitude += std::fabs(static_cast<double>(x_row[i]) * w_row[i]);
  }
  double tolerance = 2e-5 * magnitude + 1e-6;
  if (type == DType::kBF16 && ActiveIsa() == Isa::kAvx512) {
    tolerance = 4e-3 * magnitude + 1e-6;  // activations rounded to bf16: relative error <= 2^-9
  }
  if (type == DType::kInt8 || type == DType::kInt8Block) {
    // |x w - x' w'| <= |x| |dw| + |w| |dx| + |dx| |dw| with |dv| <= absmax(v's block) / 254.
    const int64_t block =
        type == DType::kInt8 ? static_cast<int64_t>(x_row.size()) : kInt8BlockSize;
    const Quantized x = QuantizeReference(x_row, block);
    const Quantized w = QuantizeReference(w_row, block);
    double bound = 0.0;
    for (size_t i = 0; i < x_row.size(); ++i) {
      const double dx = x.block_absmax[i] / 254.0;
      const double dw = w.block_absmax[i] / 254.0;
      bound += std::fabs(x_row[i]) * dw + std::fabs(w_row[i]) * dx + dx * dw;
    }
    tolerance = bound * 1.001 + 2e-5 * magnitude + 1e-6;
  }
  return {exact, tolerance};
}

struct MatmulCase {
  std::vector<float> x;        // [m, k]
  std::vector<float> w;        // [n, k] as given to PackWeights (f32)
  std::vector<float> w_exact;  // what the stored type holds (the reference multiplies these)
  std::vector<std::byte> w_stored;
  std::vector<float> bias;
};

MatmulCase MakeCase(const Shape& shape, DType type, uint32_t seed) {
  MatmulCase c;
  c.x = RandomFloats(shape.m * shape.k, seed);
  c.w = RandomFloats(shape.n * shape.k, seed + 1);
  c.bias = RandomFloats(shape.n, seed + 2);
  const DType stored =
      (type == DType::kF16) ? DType::kF16 : (type == DType::kF32 ? DType::kF32 : DType::kBF16);
  c.w_stored = StoreAs(c.w, stored);
  c.w_exact = RoundTrip(c.w, stored);
  return c;
}

std::vector<float> RunMatmul(const MatmulCase& c, const Shape& shape, const PackedWeights& packed,
                             bool with_bias, ThreadPool* pool) {
  std::vector<float> y(static_cast<size_t>(shape.m * shape.n), -7.0f);
  std::vector<std::byte> scratch(MatmulScratchBytes(packed, shape.m));
  Matmul(c.x.data(), shape.m, packed, with_bias ? c.bias.data() : nullptr, y.data(), scratch, pool);
  return y;
}

DType StoredTypeFor(DType type) {
  return (type == DType::kF32 || type == DType::kF16) ? type : DType::kBF16;
}

class MatmulTest : public IsaTest {};

TEST_P(MatmulTest, EveryTypeMatchesDoublePrecisionReference) {
  ThreadPool pool(2);
  uint32_t seed = 1;
  for (DType type : {DType::kF32, DType::kF16, DType::kBF16, DType::kInt8, DType::kInt8Block}) {
    for (const Shape& shape : kShapes) {
      SCOPED_TRACE(::testing::Message()
                   << DTypeName(type) << " m=" << shape.m << " n=" << shape.n << " k=" << shape.k);
      const MatmulCase c = MakeCase(shape, type, seed += 3);
      absl::StatusOr<PackedWeights> packed =
          PackWeights(c.w_stored.data(), StoredTypeFor(type), shape.n, shape.k, type);
      ASSERT_TRUE(packed.ok()) << packed.status();
      const bool with_bias = (seed % 2) == 0;
      const std::vector<float> y = RunMatmul(c, shape, *packed, with_bias, &pool);
      for (int64_t i = 0; i < shape.m; ++i) {
        const std::vector<float> x_row(c.x.begin() + i * shape.k, c.x.begin() + (i + 1) * shape.k);
        for (int64_t j = 0; j < shape.n; ++j) {
          const std::vector<float> w_row(c.w_exact.begin() + j * shape.k,
                                         c.w_exact.begin() + (j + 1) * shape.k);
          const Reference ref = ReferenceDot(x_row, w_row, type, with_bias ? c.bias[j] : 0.0);
          ASSERT_NEAR(y[i * shape.n + j], ref.value, ref.tolerance)
              << "at y[" << i << "][" << j << "]";
        }
      }
    }
  }
}

TEST_P(MatmulTest, RowsAreBitIdenticalWhateverTheBatchAndThreads) {
  // Decode-sized batches, prefill-sized ones with K in one pass (150) and in blocks (4500).
  ThreadPool pool(2);
  for (const Shape& shape : {Shape{19, 23, 150}, Shape{19, 11, 4500}, Shape{9, 5, 300}}) {
    for (DType type : {DType::kF32, DType::kF16, DType::kBF16, DType::kInt8, DType::kInt8Block}) {
      SCOPED_TRACE(::testing::Message() << DTypeName(type) << " k=" << shape.k);
      const MatmulCase c = MakeCase(shape, type, 99);
      absl::StatusOr<PackedWeights> packed =
          PackWeights(c.w_stored.data(), StoredTypeFor(type), shape.n, shape.k, type);
      ASSERT_TRUE(packed.ok());
      const std::vector<float> batched = RunMatmul(c, shape, *packed, true, &pool);
      const std::vector<float> serial = RunMatmul(c, shape, *packed, true, nullptr);
      EXPECT_EQ(0, std::memcmp(batched.data(), serial.data(), batched.size() * sizeof(float)));
      for (int64_t i = 0; i < shape.m; ++i) {
        MatmulCase single = c;
        single.x.assign(c.x.begin() + i * shape.k, c.x.begin() + (i + 1) * shape.k);
        const std::vector<float> alone =
            RunMatmul(single, {1, shape.n, shape.k}, *packed, true, &pool);
        EXPECT_EQ(0, std::memcmp(alone.data(), batched.data() + i * shape.n,
                                 alone.size() * sizeof(float)))
            << "row " << i;
      }
    }
  }
}

TEST_P(MatmulTest, SharedInputOutputsEqualSeparateCalls) {
  // Three projections of one X (widths like Q, K and V), decode- and prefill-sized batches, on a
  // pool and serially; a mixed-type group (computed one by one) too.
  ThreadPool pool(2);
  for (int64_t m : {int64_t{1}, int64_t{3}, int64_t{16}, int64_t{21}}) {
    for (DType type : {DType::kF32, DType::kF16, DType::kBF16, DType::kInt8, DType::kInt8Block}) {
      for (ThreadPool* threads : {&pool, static_cast<ThreadPool*>(nullptr)}) {
        SCOPED_TRACE(::testing::Message() << DTypeName(type) << " m=" << m);
        const int64_t k = 200;
        const int64_t widths[] = {36, 13, 13};
        const DType types[] = {type, type, type == DType::kF32 ? DType::kBF16 : type};
        std::vector<MatmulCase> cases;
        std::vector<PackedWeights> packed;
        for (int i = 0; i < 3; ++i) {
          cases.push_back(MakeCase({m, widths[i], k}, types[i], 40 + static_cast<uint32_t>(i)));
          absl::StatusOr<PackedWeights> weights = PackWeights(
              cases[i].w_stored.data(), StoredTypeFor(types[i]), widths[i], k, types[i]);
          ASSERT_TRUE(weights.ok());
          packed.push_back(*std::move(weights));
        }
        const std::vector<float>& x = cases[0].x;
        size_t scratch_bytes = 0;
        for (const PackedWeights& weights : packed)
          scratch_bytes = std::max(scratch_bytes, MatmulScratchBytes(weights, m));
        std::vector<std::byte> scratch(scratch_bytes);
        std::vector<std::vector<float>> shared(3), separate(3);
        std::vector<MatmulOutput> outputs;
        for (int i = 0; i < 3; ++i) {
          shared[i].assign(static_cast<size_t>(m * widths[i]), -7.0f);
          separate[i] = shared[i];
          outputs.push_back({&packed[i], i == 1 ? nullptr : cases[i].bias.data(), shared[i].data()});
          Matmul(x.data(), m, packed[i], outputs[i].bias, separate[i].data(), scratch, threads);
        }
        MatmulShared(x.data(), m, outputs, scratch, threads);
        for (int i = 0; i < 3; ++i) {
          EXPECT_EQ(0, std::memcmp(shared[i].data(), separate[i].data(),
                                   shared[i].size() * sizeof(float)))
              << "output " << i;
        }
      }
    }
  }
}

TEST_P(MatmulTest, EmptyWeightsComputeNothing) {
  ThreadPool pool(2);
  const PackedWeights empty;
  for (int64_t m : {int64_t{1}, int64_t{16}, int64_t{40}}) {
    const std::vector<float> x(static_cast<size_t>(m * 8), 1.0f);
    std::vector<float> y(4, -7.0f);
    Matmul(x.data(), m, empty, nullptr, y.data(), {}, &pool);
    const MatmulOutput outputs[] = {{&empty, nullptr, y.data()}, {&empty, nullptr, y.data()}};
    MatmulShared(x.data(), m, outputs, {}, &pool);
    EXPECT_EQ(y, std::vector<float>(4, -7.0f)) << "m=" << m;
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, MatmulTest, ::testing::ValuesIn(testing::AllIsas()),
                         testing::IsaTestName);

TEST(MatmulInt8Test, PerRowInt8GivesBitIdenticalResultsOnEveryIsa) {
  const Shape shape{9, 11, 300};
  const MatmulCase c = MakeCase(shape, DType::kInt8, 7);
  absl::StatusOr<PackedWeights> packed =
      PackWeights(c.w_stored.data(), DType::kBF16, shape.n, shape.k, DType::kInt8);
  ASSERT_TRUE(packed.ok());
  std::vector<float> expected;
  for (Isa isa : testing::AllIsas()) {
    if (isa > DetectedIsa()) continue;
    ScopedIsa scoped(isa);
    const std::vector<float> y = RunMatmul(c, shape, *packed, true, nullptr);
    if (expected.empty()) {
      expected = y;
    } else {
      EXPECT_EQ(0, std::memcmp(expected.data(), y.data(), y.size() * sizeof(float)))
          << IsaName(isa) << " differs from scalar";
    }
  }
}

TEST(MatmulInt8Test, BlockQuantizationContainsAnActivationOutlier) {
  // One activation channel 200x larger than the rest (as Llama's massive activations are): with
  // one scale per row every channel loses most of its bits; with per-block scales only the 63
  // channels sharing the outlier's block do.
  const Shape shape{1, 32, 4096};
  MatmulCase c = MakeCase(shape, DType::kInt8, 11);
  c.x[5] = 200.0f;
  std::vector<double> error(2);
  int index = 0;
  for (DType type : {DType::kInt8, DType::kInt8Block}) {
    absl::StatusOr<PackedWeights> packed =
        PackWeights(c.w_stored.data(), DType::kBF16, shape.n, shape.k, type);
    ASSERT_TRUE(packed.ok());
    const std::vector<float> y = RunMatmul(c, shape, *packed, false, nullptr);
    for (int64_t j = 0; j < shape.n; ++j) {
      const std::vector<float> w_row(c.w_exact.begin() + j * shape.k,
                                     c.w_exact.begin() + (j + 1) * shape.k);
      error[index] += std::fabs(y[j] - ReferenceDot(c.x, w_row, DType::kF32, 0.0).value);
    }
    ++index;
  }
  EXPECT_LT(error[1] * 3, error[0]) << "int8 " << error[0] << " int8_block " << error[1];
}

}  // namespace
}  // namespace radixlm::engine
