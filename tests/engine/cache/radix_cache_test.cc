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

TEST(RadixCacheTest, PartialPagesOfFinishedSequencesAreOfferedForCopying) {
  PagePool pool(16, 4);
  RadixCache cache(&pool);
  // A finished turn of 10 tokens: two whole pages and a partial one with 2 slots.
  const std::vector<std::int32_t> turn = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::vector<PageId> pages = Take(pool, 3);
  EXPECT_EQ(cache.Insert(turn, pages), 0);
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();
  EXPECT_EQ(cache.stats().cached_tokens, 10);
  EXPECT_EQ(cache.evictable_pages(), 3);

  // The next turn: the whole pages match, the partial page's 2 slots are offered.
  RadixCache::Match next = cache.MatchPrefix(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                                       10, 11, 12, 13});
  EXPECT_EQ(next.tokens, 8);
  EXPECT_EQ(next.partial_tokens, 2);
  EXPECT_EQ(next.partial_page, pages[2]);
  ASSERT_NE(next.partial_node, nullptr);
  // Divergence inside a whole page: its agreeing slots are offered too.
  RadixCache::Match diverging = cache.MatchPrefix(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6, 0});
  EXPECT_EQ(diverging.tokens, 4);
  EXPECT_EQ(diverging.partial_tokens, 2);
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();

  // Inserting the same finished sequence again reports all of it cached (the caller's pages are
  // duplicates); a longer one splits the partial page off as a leaf of its own.
  EXPECT_EQ(cache.Insert(turn, pages), 10);
  const std::vector<std::int32_t> longer = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  std::vector<PageId> longer_pages = next.pages;
  for (PageId page : Take(pool, 2)) longer_pages.push_back(page);
  EXPECT_EQ(cache.Insert(longer, longer_pages), 8);
  ASSERT_TRUE(cache.Validate().ok()) << cache.Validate();
  EXPECT_EQ(cache.MatchPrefix(longer).tokens, 12);
  EXPECT_EQ(cache.stats().cached_tokens, 8 + 2 + 5);
  // Evicting everything returns every page, partial ones included.
  EXPECT_EQ(cache.Evict(100), 5);
  EXPECT_EQ(pool.used_pages(), 0);
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
  // The most slots of one cached page (a child edge's first page past the match) that agree with
  // tokens[matched...].
  auto naive_partial = [&](const std::vector<std::int32_t>& tokens, std::int64_t matched) {
    std::int64_t best = 0;
    for (const auto& [key, page] : model) {
      const auto length = static_cast<std::int64_t>(key.size());
      if (length <= matched || length > matched + page_size) continue;
      if (!std::equal(key.begin(), key.begin() + matched, tokens.begin())) continue;
      std::int64_t same = 0;
      while (matched + same < length && matched + same < static_cast<std::int64_t>(tokens.size()) &&
             key[static_cast<size_t>(matched + same)] == tokens[static_cast<size_t>(matched + same)]) {
        ++same;
      }
      best = std::max(best, same);
    }
    return best;
  };
  auto pages_for = [&](std::int64_t tokens) { return (tokens + page_size - 1) / page_size; };
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
      ASSERT_EQ(match.partial_tokens, naive_partial(tokens, match.tokens)) << "step " << step;
      if (match.partial_tokens > 0) {
        const std::int64_t end = match.tokens + match.partial_tokens;
        const bool found = std::any_of(model.begin(), model.end(), [&](const auto& entry) {
          return entry.second == match.partial_page && entry.first.size() >= size_t(end) &&
                 std::equal(tokens.begin(), tokens.begin() + end, entry.first.begin());
        });
        ASSERT_TRUE(found) << "step " << step << ": the partial page holds other tokens";
      }
      cache.Lock(match.node);
      // A finished request inserts its partial last page too; a prefill only whole pages.
      const auto size = static_cast<std::int64_t>(tokens.size());
      const std::int64_t aligned = size / page_size * page_size;
      const std::int64_t length = (random() % 2 == 0) ? size : aligned;
      const auto needed =
          static_cast<std::int32_t>(pages_for(length) - static_cast<std::int64_t>(match.pages.size()));
      if (pool.free_pages() < needed) {
        cache.Evict(needed - pool.free_pages());
        forget_freed_pages();
      }
      std::optional<std::vector<PageId>> fresh = pool.Allocate(needed);
      if (fresh.has_value()) {
        std::vector<PageId> pages = match.pages;
        pages.insert(pages.end(), fresh->begin(), fresh->end());
        const std::vector<std::int32_t> key(tokens.begin(), tokens.begin() + length);
        const bool tail_cached = length != aligned && model.count(key) > 0;
        const std::int64_t already = cache.Insert(key, pages);
        ASSERT_EQ(already, tail_cached ? length : match.tokens)
            << "step " << step << ": the locked match cannot have shrunk or grown";
        if (tail_cached) {
          pool.Free(*fresh);  // every page was a duplicate
        } else {
          for (std::int64_t end = already + page_size; end <= aligned; end += page_size) {
            model[std::vector<std::int32_t>(tokens.begin(), tokens.begin() + end)] =
                pages[static_cast<size_t>(end / page_size - 1)];
          }
          if (length != aligned) model[key] = pages.back();
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
    std::int64_t model_tokens = 0;
    for (const auto& [prefix, page] : model) {
      const size_t last_page = prefix.size() % static_cast<size_t>(page_size) == 0
                                   ? static_cast<size_t>(page_size)
                                   : prefix.size() % static_cast<size_t>(page_size);
      model_tokens += static_cast<std::int64_t>(last_page);
      if (prefix.size() > last_page) {
        ASSERT_TRUE(model.count(std::vector<std::int32_t>(prefix.begin(), prefix.end() - last_page)))
            << "step " << step;
      }
    }
    ASSERT_EQ(cache.stats().cached_tokens, model_tokens) << "step " << step;
    ASSERT_EQ(pool.used_pages(), static_cast<std::int32_t>(model.size())) << "step " << step;
  }
  for (const Holder& holder : locked) cache.Unlock(holder.node);
  ASSERT_TRUE(cache.Flush().ok());
  EXPECT_EQ(pool.used_pages(), 0);
}

INSTANTIATE_TEST_SUITE_P(PageSizes, RadixCachePropertyTest, ::testing::Values(1, 2, 4, 16));

}  // namespace
}  // namespace radixlm::engine
