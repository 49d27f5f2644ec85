#include "src/engine/model/rope.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "gtest/gtest.h"

namespace radixlm::engine {
namespace {

ModelConfig ConfigWithRope(std::int64_t head_dim, RopeParameters rope) {
  ModelConfig config;
  config.head_dim = head_dim;
  config.rope = rope;
  return config;
}

// The reference formulas, written independently in double precision from the definitions in
// transformers' modeling_rope_utils and the Llama 3.1 paper's RoPE scaling.
std::vector<double> ReferenceDefault(double theta, int dim) {
  std::vector<double> values;
  for (int i = 0; i < dim; i += 2) values.push_back(std::pow(theta, -static_cast<double>(i) / dim));
  return values;
}

double ReferenceLlama3(double inv_freq, const RopeParameters& rope) {
  const double wavelen = 2 * std::numbers::pi / inv_freq;
  const double low_wavelen = rope.original_max_position_embeddings / rope.low_freq_factor;
  const double high_wavelen = rope.original_max_position_embeddings / rope.high_freq_factor;
  if (wavelen < high_wavelen) return inv_freq;               // high frequencies: unchanged
  if (wavelen > low_wavelen) return inv_freq / rope.factor;  // low frequencies: interpolated
  const double smooth = (rope.original_max_position_embeddings / wavelen - rope.low_freq_factor) /
                        (rope.high_freq_factor - rope.low_freq_factor);
  return (1 - smooth) * inv_freq / rope.factor + smooth * inv_freq;
}

void ExpectClose(const std::vector<float>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], std::fabs(expected[i]) * 2e-6) << "index " << i;
  }
}

TEST(RopeTest, DefaultFrequenciesFollowThetaPowers) {
  const std::vector<float> values = ComputeRopeInverseFrequencies(
      ConfigWithRope(64, RopeParameters{RopeType::kDefault, 10000.0}));
  ASSERT_EQ(values.size(), 32u);
  EXPECT_EQ(values[0], 1.0f);
  ExpectClose(values, ReferenceDefault(10000.0, 64));
}

TEST(RopeTest, LinearScalingDividesEveryFrequency) {
  const std::vector<float> values = ComputeRopeInverseFrequencies(
      ConfigWithRope(128, RopeParameters{RopeType::kLinear, 10000.0, 4.0}));
  std::vector<double> expected = ReferenceDefault(10000.0, 128);
  for (double& value : expected) value /= 4.0;
  ExpectClose(values, expected);
}

TEST(RopeTest, Llama3ScalingMatchesTheFormulaInAllThreeBands) {
  const RopeParameters rope{RopeType::kLlama3, 500000.0, 32.0, 1.0, 4.0, 8192};
  const std::vector<float> values = ComputeRopeInverseFrequencies(ConfigWithRope(64, rope));
  const std::vector<double> unscaled = ReferenceDefault(500000.0, 64);
  std::vector<double> expected;
  int high = 0, low = 0, medium = 0;
  for (double inv_freq : unscaled) {
    expected.push_back(ReferenceLlama3(inv_freq, rope));
    const double wavelen = 2 * std::numbers::pi / inv_freq;
    if (wavelen < 2048) {
      ++high;
    } else if (wavelen > 8192) {
      ++low;
    } else {
      ++medium;
    }
  }
  // The test is only meaningful if head_dim 64 at θ 500000 exercises every band.
  EXPECT_GT(high, 0);
  EXPECT_GT(low, 0);
  EXPECT_GT(medium, 0);
  ExpectClose(values, expected);
  EXPECT_EQ(values[0], 1.0f);                         // highest frequency untouched
  EXPECT_NEAR(values[31], unscaled[31] / 32, 1e-12);  // lowest divided by the factor
}

TEST(RopeTest, Llama3EqualsDefaultWhenFactorIsOne) {
  const std::vector<float> scaled = ComputeRopeInverseFrequencies(
      ConfigWithRope(128, RopeParameters{RopeType::kLlama3, 500000.0, 1.0, 1.0, 4.0, 8192}));
  const std::vector<float> plain = ComputeRopeInverseFrequencies(
      ConfigWithRope(128, RopeParameters{RopeType::kDefault, 500000.0}));
  ASSERT_EQ(scaled.size(), plain.size());
  for (std::size_t i = 0; i < plain.size(); ++i) EXPECT_NEAR(scaled[i], plain[i], plain[i] * 1e-6);
}

}  // namespace
}  // namespace radixlm::engine
