// RadixCache: a radix tree over token ids whose nodes own the KV-cache pages of their edge —
// SGLang's RadixAttention prefix cache (shared/protocol/SGLANG_API.md §2), page-granular.
//
// A request asks MatchPrefix() for the longest cached prefix of its prompt and reuses those pages
// instead of recomputing them; after its prefill (and again when it finishes) it Insert()s its
// tokens so that later requests sharing the prefix hit. Nodes that an in-flight request depends on
// are Lock()ed and never evicted; when the page pool runs short, Evict() frees the least recently
// used unlocked leaves.
//
// Pages are never shared partly: a match is rounded down to whole pages, and a request writes only
// pages of its own. What a request can take from a partial page — the slots of the longest child
// edge that agrees with its tokens past the match, e.g. the previous turn's unfinished last page —
// MatchPrefix() reports as a partial page for the caller to copy into its own page. A finished
// request's sequence may be Insert()ed with a partial last page (a leaf's last page), so that the
// next turn finds its whole history.
//
// Node handles: MatchPrefix() returns the deepest matched node. A handle stays valid while the node
// is locked (splits keep the original node as the deeper half, so a handle keeps meaning "this whole
// prefix"). Lock the node before calling anything that may evict.
//
// Thread safety: none; the scheduler loop owns the cache.
#ifndef RADIXLM_SRC_ENGINE_CACHE_RADIX_CACHE_H_
#define RADIXLM_SRC_ENGINE_CACHE_RADIX_CACHE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "src/engine/cache/page_pool.h"

namespace radixlm::engine {

struct RadixNode;

class RadixCache {
 public:
  struct Match {
    // Page-aligned number of leading tokens found in the cache.
    std::int64_t tokens = 0;
    // The cache's pages for those tokens (tokens / page_size of them), owned by the cache.
    std::vector<PageId> pages;
    // Deepest matched node (the root when nothing matched); Lock() it to keep the pages.
    RadixNode* node = nullptr;
    // The next partial_tokens (< page_size) tokens are the first slots of partial_page, held by
    // partial_node (a child of `node`; Lock() it until the slots are copied). 0 when none agree.
    std::int64_t partial_tokens = 0;
    PageId partial_page = 0;
    RadixNode* partial_node = nullptr;
  };

  struct Stats {
    std::int64_t nodes = 0;            // excluding the root
    std::int64_t cached_tokens = 0;    // tokens held by the tree
    std::int64_t cached_pages = 0;     // pages held by the tree (partial last pages included)
    std::int64_t evictable_tokens = 0; // in unlocked nodes
    std::int64_t protected_tokens = 0; // in locked nodes
    std::int64_t evicted_tokens = 0;   // total since construction or Flush()
  };

  // `pool` must outlive the cache; the cache returns its pages to it on eviction, Flush and
  // destruction.
  explicit RadixCache(PagePool* pool);
  ~RadixCache();
  RadixCache(const RadixCache&) = delete;
  RadixCache& operator=(const RadixCache&) = delete;

  // Longest cached page-aligned prefix of `tokens`, and the partial page that continues it furthest.
  // May split a node (the tree changes shape, not content) and marks the matched path as recently
  // used.
  Match MatchPrefix(std::span<const std::int32_t> tokens);

  // Inserts `tokens` with their `pages` (one per page, the last one partial when tokens.size() is
  // not a page multiple: only a finished sequence, whose page nobody writes any more, may be
  // inserted so). Returns how many leading tokens were already cached: a page multiple, or
  // tokens.size() when all of them were. The cache takes ownership of pages[returned / page_size
  // ...] unless all were cached; the other pages stay with the caller (those the caller owns are
  // now duplicates of the cache's and should be freed).
  std::int64_t Insert(std::span<const std::int32_t> tokens, std::span<const PageId> pages);

  // Lock() pins `node` and its ancestors against eviction; Unlock() undoes one Lock().
  void Lock(RadixNode* node);
  void Unlock(RadixNode* node);

  // Frees at least `pages` pages from unlocked leaves, least recently used first (a freed leaf may
  // expose its parent as the next candidate). Returns the number of pages actually freed (fewer
  // when not enough are evictable).
  std::int32_t Evict(std::int32_t pages);

  // Drops every cached prefix. kFailedPrecondition while any node is locked.
  absl::Status Flush();

  Stats stats() const;
  std::int32_t page_size() const { return pool_->page_size(); }
  std::int64_t evictable_pages() const { return evictable_pages_; }

  // Checks every invariant listed in radix_cache.cc; kInternal naming the first one broken.
  absl::Status Validate() const;

 private:
  RadixNode* SplitNode(RadixNode* node, std::int64_t prefix_tokens);
  void DeleteSubtreePages(RadixNode* node);

  PagePool* const pool_;
  std::unique_ptr<RadixNode> root_;
  std::uint64_t clock_ = 0;  // logical time for LRU
  std::int64_t nodes_ = 0;
  std::int64_t evictable_tokens_ = 0;
  std::int64_t evictable_pages_ = 0;
  std::int64_t cached_pages_ = 0;
  std::int64_t protected_tokens_ = 0;
  std::int64_t evicted_tokens_ = 0;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_CACHE_RADIX_CACHE_H_
