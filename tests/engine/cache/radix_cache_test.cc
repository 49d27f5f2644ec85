#include "src/engine/cache/radix_cache.h"

#include <map>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace radixlm::engine {
namespace {

std::vector<PageId> Take(PagePool& pool, std::int32_t count) {
  std::optional<std::vector<PageId>> pages = pool.Allocate(count);
  EXPECT_TRUE(pages.has_value());
  return pages.value_or(std::vector<PageId>{});
}

TEST(PagePoolTest, AllocatesWholePagesAndReservesPageZero) {
  PagePool pool(5, 16);
  EXPECT_EQ(pool.capacity(), 4);
  EXPECT_EQ(pool.PagesFor(33), 3);
  std::vector<PageId> pages = Take(pool, 4);
  EXPECT_EQ(std::count(pages.begin(), pages.end(), 0), 0);
  EXPECT_FALSE(pool.Allocate(1).has_value());
  pool.Free(pages);
  EXPECT_EQ(pool.free_pages(), 4);
}

TEST(PagePoolDeathTest, DoubleFreeAborts) {
  PagePool pool(3, 1);
  std::vector<PageId> pages = Take(pool, 1);
  pool.Free(pages);
  EXPECT_DEATH(pool.Free(pages), "not allocated");
}

TEST(RadixCacheTest, MatchesInsertedPrefixAndSplitsNodes) {
  PagePool pool(64, 1);
  RadixCache cache(&pool);
  const std::vector<std::int32_t> first = {1, 2, 3, 4, 5};
  EXPECT_EQ(cache.Insert(first, Take(pool, 5)), 0);
  RadixCache::Match match = cache.MatchPrefix(std::vector<std::int32_t>{1, 2, 3, 9});
  EXPECT_EQ(match.tokens, 3);
  EXPECT_EQ(match.pages.size(), 3u);
  EXPECT_EQ(cache.stats().nodes, 2) << "the match ended inside the edge, so it was split";
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();
  // The second sequence shares 3 tokens: only its own 2 tokens are new.
  std::vector<PageId> pages = match.pages;
  std::vector<PageId> fresh = Take(pool, 2);
  pages.insert(pages.end(), fresh.begin(), fresh.end());
  EXPECT_EQ(cache.Insert(std::vector<std::int32_t>{1, 2, 3, 9, 9}, pages), 3);
  EXPECT_EQ(cache.stats().cached_tokens, 7);
  EXPECT_EQ(cache.MatchPrefix(std::vector<std::int32_t>{1, 2, 3, 9, 9, 7}).tokens, 5);
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();
}

TEST(RadixCacheTest, InsertReportsDuplicatesForTheCallerToFree) {
  PagePool pool(16, 1);
  RadixCache cache(&pool);
  EXPECT_EQ(cache.Insert(std::vector<std::int32_t>{1, 2, 3}, Take(pool, 3)), 0);
  // A second request computed the same three tokens in pages of its own, plus one more.
  std::vector<PageId> duplicate = Take(pool, 4);
  EXPECT_EQ(cache.Insert(std::vector<std::int32_t>{1, 2, 3, 4}, duplicate), 3);
  pool.Free(std::span(duplicate).first(3));
  EXPECT_EQ(pool.used_pages(), 4);
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();
}

TEST(RadixCacheTest, PageAlignedMatching) {
  PagePool pool(16, 4);
  RadixCache cache(&pool);
  const std::vector<std::int32_t> tokens = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  // Only the first two whole pages (8 tokens) can be cached; the tail page stays private.
  EXPECT_EQ(cache.Insert(std::span(tokens).first(8), Take(pool, 2)), 0);
  EXPECT_EQ(cache.MatchPrefix(tokens).tokens, 8);
  EXPECT_EQ(cache.MatchPrefix(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6, 7, 99}).tokens, 4);
  EXPECT_EQ(cache.MatchPrefix(std::vector<std::int32_t>{1, 2, 3}).tokens, 0);
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();
}

TEST(RadixCacheTest, EvictsLeastRecentlyUsedUnlockedLeavesOnly) {
  PagePool pool(16, 1);
  RadixCache cache(&pool);
  cache.Insert(std::vector<std::int32_t>{1, 1}, Take(pool, 2));
  cache.Insert(std::vector<std::int32_t>{2, 2}, Take(pool, 2));
  cache.Insert(std::vector<std::int32_t>{3, 3}, Take(pool, 2));
  RadixCache::Match locked = cache.MatchPrefix(std::vector<std::int32_t>{1, 1});
  cache.Lock(locked.node);
  cache.MatchPrefix(std::vector<std::int32_t>{2, 2});  // now {3,3} is the least recently used
  EXPECT_EQ(cache.Evict(2), 2);
  EXPECT_EQ(cache.MatchPrefix(std::vector<std::int32_t>{3, 3}).tokens, 0);
  EXPECT_EQ(cache.MatchPrefix(std::vector<std::int32_t>{2, 2}).tokens, 2);
  // Asking for more than is evictable frees what it can and never the locked prefix.
  EXPECT_EQ(cache.Evict(100), 2);
  EXPECT_EQ(cache.MatchPrefix(std::vector<std::int32_t>{1, 1}).tokens, 2);
  EXPECT_EQ(cache.stats().evicted_tokens, 4);
  EXPECT_FALSE(cache.Flush().ok()) << "a locked node blocks Flush";
  cache.Unlock(locked.node);
  ASSERT_TRUE(cache.Flush().ok());
  EXPECT_EQ(pool.used_pages(), 0);
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();
}

TEST(RadixCacheTest, SplitKeepsLocksOnBothHalves) {
  PagePool pool(16, 1);
  RadixCache cache(&pool);
  cache.Insert(std::vector<std::int32_t>{1, 2, 3, 4}, Take(pool, 4));
  RadixCache::Match whole = cache.MatchPrefix(std::vector<std::int32_t>{1, 2, 3, 4});
  cache.Lock(whole.node);
  cache.MatchPrefix(std::vector<std::int32_t>{1, 2, 7});  // splits the locked edge
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();
  EXPECT_EQ(cache.Evict(4), 0);
  cache.Unlock(whole.node);
  EXPECT_EQ(cache.Evict(4), 4);
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();
}

// Thousands of random insert/match/lock/unlock/evict/flush steps against a naive model: a map from
// every cached page-aligned prefix to the page holding its last page.
class RadixCachePropertyTest : public ::testing::TestWithParam<std::int32_t> {};

TEST_P(RadixCachePropertyTest, AgreesWithNaiveModel) {
  const std::int32_t page_size = GetParam();
  PagePool pool(200, page_size);
  RadixCache cache(&pool);
  std::map<std::vector<std::int32_t>, PageId> model;
  struct Holder {
    std::vector<std::int32_t> tokens;
    RadixNode* node;
    std::vector<PageId> pages;
  };
  std::vector<Holder> locked;
  std::mt19937 random(1234 + page_size);
  std::vector<std::vector<std::int32_t>> bases;
  for (int b = 0; b < 6; ++b) {
    std::vector<std::int32_t> base;
    for (int i = 0; i < 40; ++i) base.push_back(static_cast<std::int32_t>(random() % 3));
    bases.push_back(base);
  }
  auto random_tokens = [&] {
    std::vector<std::int32_t> tokens = bases[random() % bases.size()];
    tokens.resize(random() % (tokens.size() + 1));
    const int extra = static_cast<int>(random() % 12);
    for (int i = 0; i < extra; ++i) tokens.push_back(static_cast<std::int32_t>(random() % 4));
    return tokens;
  };
  auto naive_match = [&](const std::vector<std::int32_t>& tokens) {
    std::int64_t matched = 0;
    std::vector<PageId> pages;
    for (size_t end = page_size; end <= tokens.size(); end += page_size) {
      auto it = model.find(std::vector<std::int32_t>(tokens.begin(), tokens.begin() + end));
      if (it == model.end()) break;
      matched = static_cast<std::int64_t>(end);
      pages.push_back(it->second);
    }
    return std::make_pair(matched, pages);
  };
  auto forget_freed_pages = [&] {
    for (auto it = model.begin(); it != model.end();) {
      it = pool.IsAllocated(it->second) ? std::next(it) : model.erase(it);
    }
  };

  for (int step = 0; step < 4000; ++step) {
    const int action = static_cast<int>(random() % 10);
    if (action < 4) {  // a request: match, compute the rest, insert
      const std::vector<std::int32_t> tokens = random_tokens();
      RadixCache::Match match = cache.MatchPrefix(tokens);
      const auto [expected_tokens, expected_pages] = naive_match(tokens);
      ASSERT_EQ(match.tokens, expected_tokens) << "step " << step;
      ASSERT_EQ(match.pages, expected_pages) << "step " << step;
      cache.Lock(match.node);
      const std::int64_t aligned = static_cast<std::int64_t>(tokens.size()) / page_size * page_size;
      const auto needed = static_cast<std::int32_t>((aligned - match.tokens) / page_size);
      if (pool.free_pages() < needed) {
        cache.Evict(needed - pool.free_pages());
        forget_freed_pages();
      }
      std::optional<std::vector<PageId>> fresh = pool.Allocate(needed);
      if (fresh.has_value()) {
        std::vector<PageId> pages = match.pages;
        pages.insert(pages.end(), fresh->begin(), fresh->end());
        const std::span<const std::int32_t> key(tokens.data(), static_cast<size_t>(aligned));
        const std::int64_t already = cache.Insert(key, pages);
        ASSERT_EQ(already, match.tokens) << "the locked match cannot have shrunk or grown";
        for (std::int64_t end = already + page_size; end <= aligned; end += page_size) {
          model[std::vector<std::int32_t>(tokens.begin(), tokens.begin() + end)] =
              pages[static_cast<size_t>(end / page_size - 1)];
        }
      }
      if (random() % 2 == 0) {
        locked.push_back({tokens, match.node, match.pages});
      } else {
        cache.Unlock(match.node);
      }
    } else if (action < 6 && !locked.empty()) {
      const size_t index = random() % locked.size();
      cache.Unlock(locked[index].node);
      locked.erase(locked.begin() + static_cast<long>(index));
    } else if (action < 9) {
      cache.Evict(static_cast<std::int32_t>(random() % 20));
      forget_freed_pages();
    } else if (locked.empty() && random() % 8 == 0) {
      ASSERT_TRUE(cache.Flush().ok());
      model.clear();
    }
    ASSERT_TRUE(cache.Validate().ok()) << "step " << step << ": " << cache.Validate();
    // Locked prefixes are never evicted.
    for (const Holder& holder : locked) {
      for (PageId page : holder.pages) ASSERT_TRUE(pool.IsAllocated(page)) << "step " << step;
    }
    // The model is closed under prefixes (eviction removes leaves only), and the tree holds
    // exactly the model's pages: no page leaks.
    for (const auto& [prefix, page] : model) {
      if (prefix.size() > static_cast<size_t>(page_size)) {
        ASSERT_TRUE(model.count(std::vector<std::int32_t>(prefix.begin(), prefix.end() - page_size)))
            << "step " << step;
      }
    }
    ASSERT_EQ(cache.stats().cached_tokens, static_cast<std::int64_t>(model.size()) * page_size);
    ASSERT_EQ(pool.used_pages(), static_cast<std::int32_t>(model.size())) << "step " << step;
  }
  for (const Holder& holder : locked) cache.Unlock(holder.node);
  ASSERT_TRUE(cache.Flush().ok());
  EXPECT_EQ(pool.used_pages(), 0);
}

INSTANTIATE_TEST_SUITE_P(PageSizes, RadixCachePropertyTest, ::testing::Values(1, 2, 4, 16));

}  // namespace
}  // namespace radixlm::engine
