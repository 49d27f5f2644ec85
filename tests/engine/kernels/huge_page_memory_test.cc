#include "src/engine/kernels/huge_page_memory.h"

#include <cstdint>
#include <cstring>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace radixlm::engine {
namespace {

using ::testing::HasSubstr;

bool AllZero(const std::byte* data, std::int64_t bytes) {
  for (std::int64_t i = 0; i < bytes; ++i) {
    if (data[i] != std::byte{0}) return false;
  }
  return true;
}

TEST(HugePageMemoryTest, SmallBuffersArePageAlignedZerosAndWritable) {
  absl::StatusOr<HugePageMemory> memory = HugePageMemory::Map(10000, "a test buffer");
  ASSERT_TRUE(memory.ok()) << memory.status();
  EXPECT_EQ(memory->size(), 10000);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(memory->data()) % 4096, 0u);
  EXPECT_TRUE(AllZero(memory->data(), 10000));
  std::memset(memory->data(), 0xab, 10000);
  EXPECT_EQ(memory->data()[9999], std::byte{0xab});
}

TEST(HugePageMemoryTest, LargeBuffersAreAlignedToTwoMegabytes) {
  const std::int64_t bytes = (std::int64_t{5} << 20) + 123;  // not a multiple of 2 MB
  for (int i = 0; i < 4; ++i) {  // several, so that mmap's placement varies
    absl::StatusOr<HugePageMemory> memory = HugePageMemory::Map(bytes, "a test buffer");
    ASSERT_TRUE(memory.ok()) << memory.status();
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(memory->data()) % (std::uintptr_t{2} << 20), 0u);
    EXPECT_TRUE(AllZero(memory->data(), bytes));
    std::memset(memory->data(), 1, static_cast<std::size_t>(bytes));  // every byte is mapped
    EXPECT_EQ(memory->data()[bytes - 1], std::byte{1});
  }
}

TEST(HugePageMemoryTest, MovesOwnership) {
  absl::StatusOr<HugePageMemory> memory = HugePageMemory::Map(4096, "a test buffer");
  ASSERT_TRUE(memory.ok());
  std::byte* data = memory->data();
  HugePageMemory moved = *std::move(memory);
  EXPECT_EQ(moved.data(), data);
  EXPECT_EQ(moved.size(), 4096);
  HugePageMemory empty;
  EXPECT_EQ(empty.data(), nullptr);
  EXPECT_EQ(empty.size(), 0);
  empty = std::move(moved);
  EXPECT_EQ(empty.data(), data);
}

TEST(HugePageMemoryTest, ImpossibleSizesAreClearErrors) {
  absl::StatusOr<HugePageMemory> empty = HugePageMemory::Map(0, "a test buffer");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr("a test buffer"));
  // More than the address space can hold.
  absl::StatusOr<HugePageMemory> huge = HugePageMemory::Map(std::int64_t{1} << 62, "the KV cache");
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(huge.status().message(), HasSubstr("bytes for the KV cache"));
}

}  // namespace
}  // namespace radixlm::engine
