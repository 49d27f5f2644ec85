#include "src/engine/kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tests/engine/kernels/kernel_test_util.h"

namespace radixlm::engine {
namespace {

using testing::IsaTest;
using testing::RandomFloats;

struct SequenceSpec {
  int64_t start_position;
  int64_t num_tokens;
};

// A cache with randomly permuted pages holding random K/V for every sequence's positions
// [0, start + tokens), written with StoreKv, plus the sequences' page tables.
class PagedCache {
 public:
  PagedCache(const KvCacheLayout& layout, const std::vector<SequenceSpec>& specs, uint32_t seed)
      : layout_(layout) {
    std::vector<int64_t> pages_per_sequence;
    int64_t total_pages = 0;
    for (const SequenceSpec& spec : specs) {
      pages_per_sequence.push_back((spec.start_position + spec.num_tokens + layout.page_size - 1) /
                                   layout.page_size);
      total_pages += pages_per_sequence.back();
    }
    std::vector<int32_t> physical(static_cast<size_t>(total_pages) + 3);  // spare pages unused
    std::iota(physical.begin(), physical.end(), 0);
    std::shuffle(physical.begin(), physical.end(), std::mt19937(seed));
    k_.resize(
        static_cast<size_t>(KvCachePageBytes(layout) * static_cast<int64_t>(physical.size())));
    v_.resize(k_.size());
    layer_ = {k_.data(), v_.data(), static_cast<int64_t>(physical.size()), layout};
    size_t next = 0;
    for (size_t s = 0; s < specs.size(); ++s) {
      page_tables_.emplace_back(
          physical.begin() + static_cast<std::ptrdiff_t>(next),
          physical.begin() + static_cast<std::ptrdiff_t>(next + pages_per_sequence[s]));
      next += static_cast<size_t>(pages_per_sequence[s]);
      const int64_t positions = specs[s].start_position + specs[s].num_tokens;
      const int64_t values = positions * layout.num_kv_heads * layout.head_dim;
      keys_.push_back(RandomFloats(values, seed + 10 * static_cast<uint32_t>(s) + 1, -2, 2));
      values_.push_back(RandomFloats(values, seed + 10 * static_cast<uint32_t>(s) + 2, -2, 2));
      std::vector<int64_t> slots(static_cast<size_t>(positions));
      for (int64_t p = 0; p < positions; ++p) {
        slots[p] = page_tables_[s][p / layout.page_size] * layout.page_size + p % layout.page_size;
      }
      StoreKv(keys_[s].data(), values_[s].data(), positions, slots.data(), layer_);
    }
  }

  const KvCacheLayer& layer() const { return layer_; }
  const int32_t* page_table(size_t s) const { return page_tables_[s].data(); }

  // What the cache holds for (sequence, position, kv head, d): the stored value after rounding.
  double Key(size_t s, int64_t position, int64_t head, int64_t d) const {
    return Rounded(keys_[s][(position * layout_.num_kv_heads + head) * layout_.head_dim + d]);
  }
  double Value(size_t s, int64_t position, int64_t head, int64_t d) const {
    return Rounded(values_[s][(position * layout_.num_kv_heads + head) * layout_.head_dim + d]);
  }

 private:
  double Rounded(float value) const {
    return layout_.dtype == DType::kBF16 ? Bf16ToF32(F32ToBf16(value)) : value;
  }

  KvCacheLayout layout_;
  std::vector<std::byte> k_;
  std::vector<std::byte> v_;
  KvCacheLayer layer_;
  std::vector<std::vector<int32_t>> page_tables_;
  std::vector<std::vector<float>> keys_;
  std::vector<std::vector<float>> values_;
};

struct AttentionCase {
  int64_t num_kv_heads;
  int64_t group;
  int64_t head_dim;
  int64_t page_size;
  DType dtype;
};

// Runs Attention on a batch mixing prefill chunks and decode tokens and checks every output
// against a double-precision softmax(q k^T / sqrt(d)) v over the causal keys.
void CheckAgainstReference(const AttentionCase& c, const std::vector<SequenceSpec>& specs,
                           uint32_t seed) {
  SCOPED_TRACE(::testing::Message() << "kv_heads=" << c.num_kv_heads << " group=" << c.group
                                    << " head_dim=" << c.head_dim << " page_size=" << c.page_size
                                    << " " << DTypeName(c.dtype));
  const KvCacheLayout layout{c.num_kv_heads, c.head_dim, c.page_size, c.dtype};
  ASSERT_TRUE(ValidateKvCacheLayout(layout).ok());
  const PagedCache cache(layout, specs, seed);
  const int64_t num_heads = c.num_kv_heads * c.group;
  std::vector<AttentionSequence> sequences;
  int64_t tokens = 0;
  for (size_t s = 0; s < specs.size(); ++s) {
    sequences.push_back(
        {cache.page_table(s), specs[s].start_position, specs[s].num_tokens, tokens});
    tokens += specs[s].num_tokens;
  }
  const std::vector<float> q = RandomFloats(tokens * num_heads * c.head_dim, seed + 7, -1, 1);
  std::vector<float> out(q.size(), -9.0f);
  ThreadPool pool(2);
  Attention(q.data(), num_heads, sequences, cache.layer(), out.data(), &pool);
  std::vector<float> serial(q.size());
  Attention(q.data(), num_heads, sequences, cache.layer(), serial.data(), nullptr);
  EXPECT_EQ(0, std::memcmp(out.data(), serial.data(), out.size() * sizeof(float)));

  const double scale = 1.0 / std::sqrt(static_cast<double>(c.head_dim));
  // AVX-512 scores bf16 keys with vdpbf16ps on the scaled query rounded to bf16: the reference
  // rounds the same way (the products and their sum are then exact enough for the tolerance).
  const bool bf16_queries = c.dtype == DType::kBF16 && ActiveIsa() == Isa::kAvx512;
  const float float_scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim));
  auto query_value = [&](const float* query, int64_t d) -> double {
    if (!bf16_queries) return query[d] * scale;
    return Bf16ToF32(F32ToBf16(query[d] * float_scale));
  };
  for (size_t s = 0; s < specs.size(); ++s) {
    for (int64_t t = 0; t < specs[s].num_tokens; ++t) {
      const int64_t position = specs[s].start_position + t;
      const int64_t row = sequences[s].token_offset + t;
      for (int64_t h = 0; h < num_heads; ++h) {
        const int64_t kv_head = h / c.group;
        const float* query = q.data() + (row * num_heads + h) * c.head_dim;
        std::vector<double> weights(static_cast<size_t>(position + 1));
        double max = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j <= position; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < c.head_dim; ++d)
            dot += query_value(query, d) * cache.Key(s, j, kv_head, d);
          weights[j] = dot;
          max = std::max(max, weights[j]);
        }
        double total = 0;
        for (double& w : weights) total += (w = std::exp(w - max));
        const float* result = out.data() + (row * num_heads + h) * c.head_dim;
        for (int64_t d = 0; d < c.head_dim; ++d) {
          double expected = 0;
          for (int64_t j = 0; j <= position; ++j)
            expected += weights[j] * cache.Value(s, j, kv_head, d);
          expected /= total;
          ASSERT_NEAR(result[d], expected, 2e-5 + 2e-5 * std::fabs(expected))
              << "sequence " << s << " token " << t << " head " << h << " dim " << d;
        }
      }
    }
  }
}

class AttentionTest : public IsaTest {};

TEST_P(AttentionTest, MixedPrefillAndDecodeBatchMatchesReference) {
  // A fresh prefill, a prefill chunk after a cached prefix, decode tokens at short and long
  // contexts, and a sequence with no new tokens.
  const std::vector<SequenceSpec> specs = {{0, 70}, {100, 37}, {5, 1}, {150, 1}, {40, 0}, {0, 1}};
  uint32_t seed = 1;
  for (int64_t page_size : {1, 16, 64}) {
    for (int64_t group : {1, 3, 4}) {
      for (int64_t head_dim : {64, 128}) {
        for (DType dtype : {DType::kF32, DType::kBF16}) {
          const int64_t kv_heads = (group == 3) ? 2 : 1;
          CheckAgainstReference({kv_heads, group, head_dim, page_size, dtype}, specs, seed += 5);
        }
      }
    }
  }
}

TEST_P(AttentionTest, OddHeadDimsAndWideGroupsMatchReference) {
  const std::vector<SequenceSpec> specs = {{0, 9}, {30, 1}};
  // head_dim 16 and 96 exercise partial vector blocks; group 40 splits a kv head's query heads
  // over several work items.
  CheckAgainstReference({3, 2, 16, 16, DType::kBF16}, specs, 3);
  CheckAgainstReference({1, 3, 96, 5, DType::kF32}, specs, 4);
  CheckAgainstReference({2, 40, 64, 16, DType::kBF16}, specs, 5);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, AttentionTest, ::testing::ValuesIn(testing::AllIsas()),
                         testing::IsaTestName);

TEST(KvCacheTest, StoreKvWritesOnlyTheGivenSlots) {
  const KvCacheLayout layout{2, 16, 4, DType::kF32};
  std::vector<std::byte> k(static_cast<size_t>(KvCachePageBytes(layout) * 3));
  std::vector<std::byte> v(k.size());
  const KvCacheLayer layer{k.data(), v.data(), 3, layout};
  // 2 tokens x 2 kv heads x 16 dims.
  const std::vector<float> new_k = RandomFloats(int64_t{64}, 1);
  const std::vector<float> new_v = RandomFloats(int64_t{64}, 2);
  const int64_t slots[] = {9, 2};  // page 2 slot 1, page 0 slot 2
  StoreKv(new_k.data(), new_v.data(), 2, slots, layer);
  const auto* stored_k = reinterpret_cast<const float*>(k.data());
  const auto* stored_v = reinterpret_cast<const float*>(v.data());
  int64_t nonzero = 0;
  for (size_t i = 0; i < k.size() / sizeof(float); ++i) nonzero += (stored_k[i] != 0.0f);
  EXPECT_EQ(nonzero, 2 * 2 * 16);
  // Token 0, kv head 1, d 3 -> page 2, head 1, slot 1.
  EXPECT_EQ(stored_k[((2 * 2 + 1) * 4 + 1) * 16 + 3], new_k[(0 * 2 + 1) * 16 + 3]);
  EXPECT_EQ(stored_v[((0 * 2 + 0) * 4 + 2) * 16 + 7], new_v[(1 * 2 + 0) * 16 + 7]);
}

TEST(KvCacheTest, ValidateRejectsUnsupportedLayouts) {
  EXPECT_TRUE(ValidateKvCacheLayout({8, 64, 16, DType::kBF16}).ok());
  EXPECT_FALSE(ValidateKvCacheLayout({8, 72, 16, DType::kBF16}).ok());
  EXPECT_FALSE(ValidateKvCacheLayout({8, 512, 16, DType::kBF16}).ok());
  EXPECT_FALSE(ValidateKvCacheLayout({8, 64, 0, DType::kBF16}).ok());
  EXPECT_FALSE(ValidateKvCacheLayout({0, 64, 16, DType::kBF16}).ok());
  EXPECT_FALSE(ValidateKvCacheLayout({8, 64, 16, DType::kInt8}).ok());
}

}  // namespace
}  // namespace radixlm::engine
