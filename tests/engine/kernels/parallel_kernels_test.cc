// The kernels that split work over a ThreadPool give bit-identical results with and without it
// (this binary also runs under ThreadSanitizer, label `concurrency`).
#include <cstring>
#include <numeric>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/kernels/attention.h"
#include "src/engine/kernels/elementwise.h"
#include "src/engine/kernels/matmul.h"
#include "tests/engine/kernels/kernel_test_util.h"

namespace radixlm::engine {
namespace {

using testing::RandomFloats;

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(ParallelKernelsTest, MatmulOnAPoolMatchesSerial) {
  ThreadPool pool(3);
  for (DType type : {DType::kF32, DType::kBF16, DType::kInt8Block}) {
    for (int64_t m : {1, 5, 40}) {  // decode and prefill schedules
      const int64_t n = 37, k = 300;
      const std::vector<float> w = RandomFloats(n * k, 1), x = RandomFloats(m * k, 2);
      const std::vector<std::byte> stored = testing::StoreAs(w, DType::kF32);
      absl::StatusOr<PackedWeights> packed = PackWeights(stored.data(), DType::kF32, n, k, type);
      ASSERT_TRUE(packed.ok());
      std::vector<std::byte> scratch(MatmulScratchBytes(*packed, m));
      std::vector<float> parallel(static_cast<size_t>(m * n)), serial(parallel.size());
      Matmul(x.data(), m, *packed, nullptr, parallel.data(), scratch, &pool);
      Matmul(x.data(), m, *packed, nullptr, serial.data(), scratch, nullptr);
      EXPECT_TRUE(SameBits(parallel, serial)) << DTypeName(type) << " m=" << m;
    }
  }
}

TEST(ParallelKernelsTest, AttentionAndStoreKvOnAPoolMatchSerial) {
  ThreadPool pool(3);
  const KvCacheLayout layout{2, 64, 16, DType::kBF16};
  const int64_t tokens = 300, heads = 8;
  const int64_t pages = (tokens + 15) / 16;
  std::vector<std::byte> k(static_cast<size_t>(KvCachePageBytes(layout) * pages)), v(k.size());
  const KvCacheLayer cache{k.data(), v.data(), pages, layout};
  std::vector<int32_t> page_table(static_cast<size_t>(pages));
  std::iota(page_table.begin(), page_table.end(), 0);
  std::vector<int64_t> slots(tokens);
  std::iota(slots.begin(), slots.end(), 0);
  const std::vector<float> new_k = RandomFloats(tokens * 2 * 64, 3),
                           new_v = RandomFloats(tokens * 2 * 64, 4);
  StoreKv(new_k.data(), new_v.data(), tokens, slots.data(), cache, &pool);
  const std::vector<float> q = RandomFloats(tokens * heads * 64, 5);
  // One prefill of 250 tokens and two decode rows against its cache.
  const AttentionSequence sequences[] = {{page_table.data(), 0, 250, 0},
                                         {page_table.data(), 250, 1, 250},
                                         {page_table.data(), 299, 1, 251}};
  std::vector<float> parallel(static_cast<size_t>(252 * heads * 64)), serial(parallel.size());
  Attention(q.data(), heads, sequences, cache, parallel.data(), &pool);
  Attention(q.data(), heads, sequences, cache, serial.data(), nullptr);
  EXPECT_TRUE(SameBits(parallel, serial));
}

TEST(ParallelKernelsTest, ElementwiseKernelsOnAPoolMatchSerial) {
  ThreadPool pool(3);
  const int64_t rows = 64, dim = 2048;
  const std::vector<float> x = RandomFloats(rows * dim, 6), weight = RandomFloats(dim, 7);
  std::vector<float> parallel(x.size()), serial(x.size());
  RmsNorm(x.data(), rows, dim, weight.data(), DType::kF32, 1e-6f, parallel.data(), &pool);
  RmsNorm(x.data(), rows, dim, weight.data(), DType::kF32, 1e-6f, serial.data(), nullptr);
  EXPECT_TRUE(SameBits(parallel, serial));
  SiluMul(x.data(), x.data(), rows * dim, parallel.data(), &pool);
  SiluMul(x.data(), x.data(), rows * dim, serial.data(), nullptr);
  EXPECT_TRUE(SameBits(parallel, serial));
}

}  // namespace
}  // namespace radixlm::engine
