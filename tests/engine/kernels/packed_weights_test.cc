#include "src/engine/kernels/packed_weights.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "tests/engine/kernels/kernel_test_util.h"

namespace radixlm::engine {
namespace {

using testing::RandomFloats;
using testing::StoreAs;

TEST(PackedWeightsTest, SameTypeIsAnExactCopyThatOutlivesTheSource) {
  std::vector<std::byte> bf16 = StoreAs(RandomFloats(6 * 10, 1), DType::kBF16);
  const std::vector<std::byte> original = bf16;
  absl::StatusOr<PackedWeights> packed =
      PackWeights(bf16.data(), DType::kBF16, 6, 10, DType::kBF16);
  ASSERT_TRUE(packed.ok());
  EXPECT_NE(packed->data(), bf16.data());
  bf16.assign(bf16.size(), std::byte{0});
  EXPECT_EQ(std::memcmp(packed->data(), original.data(), original.size()), 0);
  EXPECT_EQ(packed->row_bytes(), 20);
  EXPECT_EQ(packed->StreamedBytes(), 120);
}

TEST(PackedWeightsTest, LargeMatricesAreAlignedForHugePages) {
  const std::vector<std::byte> bf16(std::size_t{2048} * 1024 * 2, std::byte{1});
  absl::StatusOr<PackedWeights> packed =
      PackWeights(bf16.data(), DType::kBF16, 2048, 1024, DType::kBF16);
  ASSERT_TRUE(packed.ok());
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(packed->data()) % (std::uintptr_t{2} << 20), 0u);
}

TEST(PackedWeightsTest, ConversionRoundsEveryValueToNearestEven) {
  const std::vector<float> values = RandomFloats(5 * 33, 2, -100, 100);
  absl::StatusOr<PackedWeights> packed =
      PackWeights(values.data(), DType::kF32, 5, 33, DType::kBF16);
  ASSERT_TRUE(packed.ok());
  std::vector<float> row(33);
  for (int64_t r = 0; r < 5; ++r) {
    DequantizeRow(*packed, r, row.data());
    for (int64_t i = 0; i < 33; ++i) {
      ASSERT_EQ(row[i], Bf16ToF32(F32ToBf16(values[r * 33 + i])));
    }
  }
}

// Every dequantized value is within half a quantization step of the original, and the step is
// absmax / 127 of the value's block.
void ExpectWithinHalfStep(DType type, int64_t rows, int64_t cols,
                          const std::vector<float>& values) {
  ThreadPool pool(2);
  absl::StatusOr<PackedWeights> packed =
      QuantizeInt8(values.data(), DType::kF32, rows, cols, type, &pool);
  ASSERT_TRUE(packed.ok()) << packed.status();
  const int64_t block = type == DType::kInt8 ? packed->padded_cols() : kInt8BlockSize;
  EXPECT_EQ(packed->padded_cols() % kInt8BlockSize, 0);
  EXPECT_EQ(packed->scales_per_row(), packed->padded_cols() / block);
  std::vector<float> row(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    DequantizeRow(*packed, r, row.data());
    for (int64_t start = 0; start < cols; start += block) {
      const int64_t end = std::min(cols, start + block);
      float absmax = 0;
      for (int64_t i = start; i < end; ++i)
        absmax = std::max(absmax, std::fabs(values[r * cols + i]));
      const float scale = packed->scales()[r * packed->scales_per_row() + start / block];
      EXPECT_FLOAT_EQ(scale, absmax / 127.0f);
      for (int64_t i = start; i < end; ++i) {
        ASSERT_LE(std::fabs(row[i] - values[r * cols + i]), scale / 2 * 1.0001f + 1e-30f)
            << "row " << r << " col " << i;
      }
    }
    // The padding past cols holds q = 0 (stored as 128).
    const auto* stored = reinterpret_cast<const uint8_t*>(packed->data() + r * packed->row_bytes());
    for (int64_t i = cols; i < packed->padded_cols(); ++i) ASSERT_EQ(stored[i], 128);
  }
}

TEST(PackedWeightsTest, Int8ErrorIsAtMostHalfAStep) {
  std::vector<float> values = RandomFloats(7 * 150, 3, -2, 2);
  std::fill(values.begin() + 150, values.begin() + 300, 0.0f);  // an all-zero row
  values[5] = 40.0f;                                            // an outlier in row 0
  ExpectWithinHalfStep(DType::kInt8, 7, 150, values);
  ExpectWithinHalfStep(DType::kInt8Block, 7, 150, values);
}

TEST(PackedWeightsTest, RejectsBadShapesAndTypes) {
  const std::vector<float> values(64, 1.0f);
  EXPECT_FALSE(PackWeights(nullptr, DType::kF32, 1, 1, DType::kF32).ok());
  EXPECT_FALSE(PackWeights(values.data(), DType::kF32, 0, 64, DType::kF32).ok());
  EXPECT_FALSE(PackWeights(values.data(), DType::kF32, 1, -1, DType::kBF16).ok());
  EXPECT_FALSE(PackWeights(values.data(), DType::kInt8, 1, 64, DType::kF32).ok());
  EXPECT_FALSE(QuantizeInt8(values.data(), DType::kF32, 1, 64, DType::kBF16).ok());
  EXPECT_FALSE(QuantizeInt8(values.data(), DType::kF32, 1, 65537, DType::kInt8).ok());
}

}  // namespace
}  // namespace radixlm::engine
