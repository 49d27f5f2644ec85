#include "src/engine/kernels/elementwise.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "tests/engine/kernels/kernel_test_util.h"

namespace radixlm::engine {
namespace {

using testing::IsaTest;
using testing::RandomFloats;
using testing::RoundTrip;
using testing::StoreAs;

constexpr float kInf = std::numeric_limits<float>::infinity();

class ElementwiseTest : public IsaTest {};

TEST_P(ElementwiseTest, RmsNormMatchesReferenceForEveryWeightType) {
  ThreadPool pool(2);
  for (DType type : {DType::kF32, DType::kF16, DType::kBF16}) {
    for (int64_t dim : {1, 7, 16, 33, 576, 2048}) {
      for (int64_t rows : {1, 3, 70}) {
        SCOPED_TRACE(::testing::Message() << DTypeName(type) << " dim=" << dim << " rows=" << rows);
        const std::vector<float> x =
            RandomFloats(rows * dim, static_cast<uint32_t>(dim + rows), -3, 3);
        const std::vector<float> weight = RandomFloats(dim, 17, 0.5f, 1.5f);
        const std::vector<std::byte> stored = StoreAs(weight, type);
        const std::vector<float> weight_exact = RoundTrip(weight, type);
        std::vector<float> y(x.size());
        RmsNorm(x.data(), rows, dim, stored.data(), type, 1e-5f, y.data(), &pool);
        std::vector<float> in_place = x;
        RmsNorm(in_place.data(), rows, dim, stored.data(), type, 1e-5f, in_place.data(), &pool);
        EXPECT_EQ(in_place, y);
        for (int64_t r = 0; r < rows; ++r) {
          double sum = 0;
          for (int64_t i = 0; i < dim; ++i)
            sum += static_cast<double>(x[r * dim + i]) * x[r * dim + i];
          const double inverse = 1.0 / std::sqrt(sum / static_cast<double>(dim) + 1e-5);
          for (int64_t i = 0; i < dim; ++i) {
            const double expected = x[r * dim + i] * inverse * weight_exact[i];
            ASSERT_NEAR(y[r * dim + i], expected, 1e-5 * std::fabs(expected) + 1e-6);
          }
        }
      }
    }
  }
}

TEST_P(ElementwiseTest, RopeRotatesHalvesLikeHuggingFace) {
  ThreadPool pool(2);
  // {head_dim, rotary pairs}: full rotary for 64/128, partial rotary, and an odd half.
  const int64_t cases[][2] = {{64, 32}, {128, 64}, {64, 16}, {6, 3}, {80, 40}};
  for (const auto& [head_dim, half] : cases) {
    SCOPED_TRACE(::testing::Message() << "head_dim=" << head_dim << " half=" << half);
    std::vector<float> inv_freq(static_cast<size_t>(half));
    for (int64_t i = 0; i < half; ++i) {
      inv_freq[i] = static_cast<float>(
          std::pow(500000.0, -2.0 * static_cast<double>(i) / (2.0 * static_cast<double>(half))));
    }
    absl::StatusOr<RopeTable> table = RopeTable::Create(inv_freq, 4096);
    ASSERT_TRUE(table.ok());
    const int64_t tokens = 37, heads = 5;
    std::vector<int32_t> positions(tokens);
    for (int64_t t = 0; t < tokens; ++t) positions[t] = static_cast<int32_t>((t * 997) % 4096);
    const std::vector<float> x = RandomFloats(tokens * heads * head_dim, 3);
    std::vector<float> y = x;
    ApplyRope(y.data(), tokens, heads, head_dim, positions.data(), *table, &pool);
    for (int64_t t = 0; t < tokens; ++t) {
      for (int64_t h = 0; h < heads; ++h) {
        const float* in = x.data() + (t * heads + h) * head_dim;
        const float* out = y.data() + (t * heads + h) * head_dim;
        for (int64_t i = 0; i < half; ++i) {
          const double angle = static_cast<double>(static_cast<float>(positions[t]) * inv_freq[i]);
          const double c = std::cos(angle), s = std::sin(angle);
          ASSERT_NEAR(out[i], in[i] * c - in[i + half] * s, 2e-6);
          ASSERT_NEAR(out[i + half], in[i + half] * c + in[i] * s, 2e-6);
        }
        for (int64_t i = 2 * half; i < head_dim; ++i) ASSERT_EQ(out[i], in[i]);
      }
    }
  }
}

TEST_P(ElementwiseTest, SiluMulMatchesReferenceIncludingExtremes) {
  std::vector<float> gate = RandomFloats(1000, 5, -12, 12);
  gate[0] = 0.0f;
  gate[1] = -100.0f;
  gate[2] = 100.0f;
  gate[3] = -88.0f;
  const std::vector<float> up = RandomFloats(1000, 6, -2, 2);
  for (int64_t count : {1, 5, 16, 17, 1000}) {
    std::vector<float> out(static_cast<size_t>(count));
    SiluMul(gate.data(), up.data(), count, out.data());
    for (int64_t i = 0; i < count; ++i) {
      const double g = gate[i];
      const double expected = g / (1.0 + std::exp(-g)) * up[i];
      ASSERT_NEAR(out[i], expected, 2e-6 * std::fabs(expected) + 1e-30) << "gate " << g;
    }
  }
  std::vector<float> in_place(gate.begin(), gate.end());
  std::vector<float> separate(gate.size());
  SiluMul(gate.data(), up.data(), 1000, separate.data());
  SiluMul(in_place.data(), up.data(), 1000, in_place.data());
  EXPECT_EQ(in_place, separate);
}

TEST_P(ElementwiseTest, AddIsExactAndSplitsLargeInputsOverThePool) {
  ThreadPool pool(2);
  for (int64_t count : {1, 15, 100, 300001}) {
    const std::vector<float> a = RandomFloats(count, 1), b = RandomFloats(count, 2);
    std::vector<float> out(static_cast<size_t>(count));
    Add(a.data(), b.data(), count, out.data(), &pool);
    for (int64_t i = 0; i < count; ++i) ASSERT_EQ(out[i], a[i] + b[i]);
  }
}

TEST_P(ElementwiseTest, SoftmaxMatchesReferenceAndZeroesMinusInfinity) {
  for (int64_t count : {1, 3, 16, 31, 50000}) {
    std::vector<float> x = RandomFloats(count, static_cast<uint32_t>(count), -30, 30);
    if (count > 2) x[1] = -kInf;
    x[0] = 1000.0f;  // exp(1000) overflows unless the max is subtracted first
    std::vector<float> out(x.size());
    Softmax(x.data(), count, out.data());
    double total = 0;
    for (float v : x) total += std::exp(static_cast<double>(v) - 1000.0);
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) {
      const double expected = std::exp(static_cast<double>(x[i]) - 1000.0) / total;
      ASSERT_NEAR(out[i], expected, 1e-6 * expected + 1e-37) << i;
      sum += out[i];
    }
    if (count > 2) {
      EXPECT_EQ(out[1], 0.0f);
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

TEST_P(ElementwiseTest, ArgmaxReturnsFirstMaximumAndIgnoresNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = RandomFloats(1001, 9);
  x[500] = 7.0f;
  x[900] = 7.0f;
  x[3] = nan;
  EXPECT_EQ(Argmax(x.data(), 1001), 500);
  x[1000] = 8.0f;
  EXPECT_EQ(Argmax(x.data(), 1001), 1000);
  int64_t first_17 = 0;
  for (int64_t i = 0; i < 17; ++i) {
    if (!std::isnan(x[i]) && (std::isnan(x[first_17]) || x[i] > x[first_17])) first_17 = i;
  }
  EXPECT_EQ(Argmax(x.data(), 17), first_17);
  const std::vector<float> nans = {nan, nan, nan};
  EXPECT_EQ(Argmax(nans.data(), 3), 0);
  const std::vector<float> nan_then_inf = {nan, -kInf, -kInf};
  EXPECT_EQ(Argmax(nan_then_inf.data(), 3), 1);
  const std::vector<float> single = {-2.0f};
  EXPECT_EQ(Argmax(single.data(), 1), 0);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, ElementwiseTest, ::testing::ValuesIn(testing::AllIsas()),
                         testing::IsaTestName);

TEST(RopeTableTest, RejectsEmptyInputs) {
  EXPECT_FALSE(RopeTable::Create({}, 10).ok());
  const std::vector<float> inv_freq = {1.0f};
  EXPECT_FALSE(RopeTable::Create(inv_freq, 0).ok());
}

TEST(RopeTableTest, AttentionScalingMultipliesCosAndSin) {
  const std::vector<float> inv_freq = {0.5f, 0.25f};
  absl::StatusOr<RopeTable> table = RopeTable::Create(inv_freq, 8, 1.5f);
  ASSERT_TRUE(table.ok());
  EXPECT_FLOAT_EQ(table->cos(3)[1], static_cast<float>(1.5 * std::cos(0.75)));
  EXPECT_FLOAT_EQ(table->sin(3)[0], static_cast<float>(1.5 * std::sin(1.5)));
}

}  // namespace
}  // namespace radixlm::engine
