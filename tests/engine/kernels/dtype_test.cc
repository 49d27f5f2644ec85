#include "src/engine/kernels/dtype.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace radixlm::engine {
namespace {

uint32_t Bits(float value) { return std::bit_cast<uint32_t>(value); }
float FromBits(uint32_t bits) { return std::bit_cast<float>(bits); }

// The nearest bf16 by direct comparison in double (ties to the even encoding): an implementation
// independent of F32ToBf16's bit trick.
uint16_t NearestBf16(float value) {
  const auto low = static_cast<uint16_t>(Bits(value) >> 16);
  const auto high = static_cast<uint16_t>(low + 1);
  const double low_error = std::fabs(static_cast<double>(value) - Bf16ToF32(low));
  // Past the largest finite bf16, IEEE rounding treats infinity as 2^128.
  const double high_value = std::isinf(Bf16ToF32(high))
                                ? std::copysign(std::ldexp(1.0, 128), static_cast<double>(value))
                                : static_cast<double>(Bf16ToF32(high));
  const double high_error = std::fabs(static_cast<double>(value) - high_value);
  if (low_error < high_error) return low;
  if (high_error < low_error) return high;
  return (low & 1) == 0 ? low : high;
}

TEST(DTypeTest, Bf16RoundsToNearestEvenOnTies) {
  EXPECT_EQ(F32ToBf16(FromBits(0x3f808000u)), 0x3f80u);  // tie, even below
  EXPECT_EQ(F32ToBf16(FromBits(0x3f818000u)), 0x3f82u);  // tie, odd below: rounds up
  EXPECT_EQ(F32ToBf16(FromBits(0x3f808001u)), 0x3f81u);  // just above the tie
  EXPECT_EQ(F32ToBf16(FromBits(0xbf818000u)), 0xbf82u);  // negative tie
  EXPECT_EQ(F32ToBf16(1.0f), 0x3f80u);
}

TEST(DTypeTest, Bf16KeepsNanInfAndSignedZero) {
  EXPECT_EQ(F32ToBf16(std::numeric_limits<float>::infinity()), 0x7f80u);
  EXPECT_EQ(F32ToBf16(-std::numeric_limits<float>::infinity()), 0xff80u);
  EXPECT_EQ(F32ToBf16(-0.0f), 0x8000u);
  // A NaN whose payload lives only in the low 16 bits would truncate to infinity.
  const uint16_t nan = F32ToBf16(FromBits(0x7f800001u));
  EXPECT_TRUE(std::isnan(Bf16ToF32(nan)));
  EXPECT_TRUE(std::isnan(Bf16ToF32(F32ToBf16(FromBits(0xffc00000u)))));
  // The largest float is past the midpoint to 2^128: rounds to infinity like IEEE conversion.
  EXPECT_EQ(F32ToBf16(std::numeric_limits<float>::max()), 0x7f80u);
}

TEST(DTypeTest, Bf16RoundsDenormalsExactly) {
  EXPECT_EQ(F32ToBf16(FromBits(0x00000001u)), 0x0000u);  // smallest denormal: rounds to zero
  EXPECT_EQ(F32ToBf16(FromBits(0x00008000u)), 0x0000u);  // tie to even (zero)
  EXPECT_EQ(F32ToBf16(FromBits(0x00018000u)), 0x0002u);  // tie, odd below: up
  EXPECT_EQ(F32ToBf16(FromBits(0x007fffffu)),
            0x0080u);  // largest denormal rounds to the min normal
  EXPECT_EQ(Bf16ToF32(0x0001u), FromBits(0x00010000u));
}

TEST(DTypeTest, Bf16MatchesNearestOnRandomBitPatterns) {
  std::mt19937 generator(3);
  for (int i = 0; i < 200000; ++i) {
    const float value = FromBits(generator());
    if (!std::isfinite(value)) continue;
    ASSERT_EQ(F32ToBf16(value), NearestBf16(value)) << std::hex << Bits(value);
  }
}

TEST(DTypeTest, EveryBf16AndF16ValueRoundTripsThroughF32) {
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    const auto value = static_cast<uint16_t>(bits);
    const float widened_bf16 = Bf16ToF32(value);
    const float widened_f16 = F16ToF32(value);
    if (std::isnan(widened_bf16)) {
      EXPECT_TRUE(std::isnan(Bf16ToF32(F32ToBf16(widened_bf16))));
    } else {
      EXPECT_EQ(F32ToBf16(widened_bf16), value);
    }
    if (std::isnan(widened_f16)) {
      EXPECT_TRUE(std::isnan(F16ToF32(F32ToF16(widened_f16))));
    } else {
      EXPECT_EQ(F32ToF16(widened_f16), value) << std::hex << bits;
    }
  }
}

// The value of an f16 encoding, from the IEEE 754 binary16 definition.
double F16Value(uint16_t bits) {
  const double sign = (bits & 0x8000u) ? -1.0 : 1.0;
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa == 0 ? sign * INFINITY : NAN;
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

// The nearest f16 (ties to the even encoding) computed in double arithmetic: an implementation
// independent of F32ToF16's integer rounding.
uint16_t NearestF16(float value) {
  const uint16_t sign = std::signbit(value) ? 0x8000u : 0u;
  const double magnitude = std::fabs(static_cast<double>(value));
  if (magnitude >= 65520.0) return sign | 0x7c00u;  // 65520 rounds to even: infinity
  int exponent = 0;
  std::frexp(magnitude, &exponent);                // magnitude in [2^(exponent-1), 2^exponent)
  const int binade = std::max(exponent - 1, -14);  // subnormals share the spacing of 2^-14
  const double spacing = std::ldexp(1.0, binade - 10);
  const double units = std::nearbyint(magnitude / spacing);  // round half to even
  const double rounded = units * spacing;
  if (rounded < std::ldexp(1.0, -14)) return sign | static_cast<uint16_t>(std::ldexp(rounded, 24));
  std::frexp(rounded, &exponent);
  const auto mantissa = static_cast<uint16_t>(std::ldexp(rounded, 11 - exponent) - 1024);
  return sign | static_cast<uint16_t>((exponent + 14) << 10) | mantissa;
}

TEST(DTypeTest, F16WidensToTheIeeeValueOfEveryEncoding) {
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    const double expected = F16Value(static_cast<uint16_t>(bits));
    const float widened = F16ToF32(static_cast<uint16_t>(bits));
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(widened)) << std::hex << bits;
    } else {
      EXPECT_EQ(static_cast<double>(widened), expected) << std::hex << bits;
    }
  }
}

TEST(DTypeTest, F16MatchesNearestOnRandomBitPatterns) {
  std::mt19937 generator(5);
  for (int i = 0; i < 400000; ++i) {
    // Half the draws get an exponent f16 can represent (or nearly).
    uint32_t bits = generator();
    if (i % 2 == 0) bits = (bits & 0x807fffffu) | ((100u + generator() % 45u) << 23);
    const float value = FromBits(bits);
    if (std::isnan(value)) continue;
    ASSERT_EQ(F32ToF16(value), NearestF16(value)) << std::hex << bits;
  }
}

TEST(DTypeTest, F16EdgeValues) {
  EXPECT_EQ(F32ToF16(65504.0f), 0x7bffu);
  EXPECT_EQ(F32ToF16(65519.996f), 0x7bffu);
  EXPECT_EQ(F32ToF16(65520.0f), 0x7c00u);  // the midpoint to 2^16 rounds to even: infinity
  EXPECT_EQ(F32ToF16(-std::numeric_limits<float>::infinity()), 0xfc00u);
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -24)), 0x0001u);  // smallest subnormal
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -25)), 0x0000u);  // half of it: tie to even (zero)
  EXPECT_EQ(F32ToF16(std::ldexp(3.0f, -25)), 0x0002u);  // 1.5 subnormal units: tie, up to even
  EXPECT_TRUE(std::isnan(F16ToF32(F32ToF16(std::numeric_limits<float>::quiet_NaN()))));
}

TEST(DTypeTest, ParseDTypeAcceptsNamesAndRejectsOthers) {
  for (DType type : {DType::kF32, DType::kF16, DType::kBF16, DType::kInt8, DType::kInt8Block}) {
    EXPECT_EQ(ParseDType(DTypeName(type)), type);
  }
  EXPECT_EQ(ParseDType("BFloat16"), DType::kBF16);
  EXPECT_EQ(ParseDType("float32"), DType::kF32);
  EXPECT_EQ(ParseDType("q4_0"), std::nullopt);
}

}  // namespace
}  // namespace radixlm::engine
