#include "src/engine/model/dtype.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace radixlm::engine {
namespace {

TEST(DTypeTest, SizesAndCheckpointNames) {
  EXPECT_EQ(ElementBytes(DType::kF32), 4u);
  EXPECT_EQ(ElementBytes(DType::kF16), 2u);
  EXPECT_EQ(ElementBytes(DType::kBF16), 2u);
  EXPECT_EQ(SafetensorsDTypeName(DType::kBF16), "BF16");
  EXPECT_EQ(SafetensorsDTypeName(DType::kF16), "F16");
  EXPECT_EQ(TorchDTypeName(DType::kF16), "float16");
  EXPECT_EQ(TorchDTypeName(DType::kBF16), "bfloat16");
}

TEST(DTypeTest, BFloat16RoundsToNearestEven) {
  EXPECT_EQ(F32ToBf16(1.0f), 0x3F80);
  // 1 + 2^-8 is exactly halfway between bf16 1.0 and 1.0078125: ties go to the even (1.0).
  EXPECT_EQ(F32ToBf16(1.0f + 0x1p-8f), 0x3F80);
  // 1.0078125 + 2^-8 is halfway between an odd and an even mantissa: goes up to even.
  EXPECT_EQ(F32ToBf16(1.0078125f + 0x1p-8f), 0x3F82);
  EXPECT_EQ(F32ToBf16(1.0f + 0x1p-8f + 0x1p-20f), 0x3F81);
  EXPECT_EQ(F32ToBf16(-2.0f), 0xC000);
  EXPECT_EQ(F32ToBf16(std::numeric_limits<float>::infinity()), 0x7F80);
  EXPECT_EQ(F32ToBf16(std::numeric_limits<float>::quiet_NaN()), 0x7FC0);
  // The largest float rounds past the largest bf16 to infinity, as torch does.
  EXPECT_EQ(F32ToBf16(std::numeric_limits<float>::max()), 0x7F80);
}

TEST(DTypeTest, EveryBFloat16RoundTripsThroughFloat) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const float value = Bf16ToF32(static_cast<std::uint16_t>(bits));
    if (std::isnan(value)) continue;
    ASSERT_EQ(F32ToBf16(value), bits) << "bits " << bits;
  }
}

TEST(DTypeTest, EveryHalfRoundTripsThroughFloat) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const float value = F16ToF32(static_cast<std::uint16_t>(bits));
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(F16ToF32(F32ToF16(value))));
      continue;
    }
    ASSERT_EQ(F32ToF16(value), bits) << "bits " << bits;
  }
}

TEST(DTypeTest, HalfDecodesKnownValues) {
  EXPECT_EQ(F16ToF32(0x3C00), 1.0f);
  EXPECT_EQ(F16ToF32(0xC000), -2.0f);
  EXPECT_EQ(F16ToF32(0x7BFF), 65504.0f);
  EXPECT_EQ(F16ToF32(0x0001), 0x1p-24f);  // smallest subnormal
  EXPECT_EQ(F16ToF32(0x03FF), 1023 * 0x1p-24f);
  EXPECT_TRUE(std::signbit(F16ToF32(0x8000)));
  EXPECT_EQ(F16ToF32(0xFC00), -std::numeric_limits<float>::infinity());
}

TEST(DTypeTest, HalfRoundsToNearestEvenIncludingOverflowAndSubnormals) {
  EXPECT_EQ(F32ToF16(65504.0f), 0x7BFF);
  EXPECT_EQ(F32ToF16(65519.99f), 0x7BFF);
  EXPECT_EQ(F32ToF16(65520.0f), 0x7C00);  // halfway to 2^16 rounds to even: infinity
  EXPECT_EQ(F32ToF16(-1e9f), 0xFC00);
  // 1 + 2^-11 is halfway between 1.0 and the next half: ties to even (1.0).
  EXPECT_EQ(F32ToF16(1.0f + 0x1p-11f), 0x3C00);
  EXPECT_EQ(F32ToF16(1.0f + 0x1p-11f + 0x1p-20f), 0x3C01);
  // Subnormal range: 1.5 × 2^-24 is halfway between subnormals 1 and 2: ties to even (2).
  EXPECT_EQ(F32ToF16(1.5f * 0x1p-24f), 0x0002);
  EXPECT_EQ(F32ToF16(0.5f * 0x1p-24f), 0x0000);  // halfway to zero: even is zero
  EXPECT_EQ(F32ToF16(0.51f * 0x1p-24f), 0x0001);
  EXPECT_EQ(F32ToF16(-0x1p-30f), 0x8000);  // underflows to negative zero
  EXPECT_EQ(F32ToF16(std::numeric_limits<float>::quiet_NaN()) & 0x7E00, 0x7E00);
}

}  // namespace
}  // namespace radixlm::engine
