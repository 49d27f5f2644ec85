// PagePool: the KV-cache memory of the engine, as a fixed number of fixed-size pages.
//
// A page holds the keys and values of `page_size` consecutive tokens of one sequence, for every
// layer (the tensor storage itself belongs to the KV cache; the pool only hands out page indices).
// Pages are allocated whole and freed whole; there is no per-token allocation. Page 0 is reserved as
// a scratch target (padding writes never corrupt a live page), so `num_pages` includes it and at
// most num_pages - 1 pages are ever handed out.
//
// Ownership: at any time a page is free, owned by exactly one request (its private tail), or owned
// by exactly one RadixCache node. Callers move ownership explicitly; the pool only counts.
//
// Thread safety: none; the scheduler loop owns the pool.
#ifndef RADIXLM_SRC_ENGINE_CACHE_PAGE_POOL_H_
#define RADIXLM_SRC_ENGINE_CACHE_PAGE_POOL_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace radixlm::engine {

using PageId = std::int32_t;

class PagePool {
 public:
  // `num_pages` includes the reserved page 0; page_size is in tokens (1..64 in practice).
  PagePool(std::int32_t num_pages, std::int32_t page_size);

  // Takes `count` pages, or returns nullopt (taking none) when fewer are free.
  std::optional<std::vector<PageId>> Allocate(std::int32_t count);
  // Returns pages to the pool. Each must be allocated and not yet freed.
  void Free(std::span<const PageId> pages);

  std::int32_t page_size() const { return page_size_; }
  // Pages that can ever be allocated (num_pages - 1).
  std::int32_t capacity() const { return static_cast<std::int32_t>(allocated_.size()) - 1; }
  std::int32_t free_pages() const { return static_cast<std::int32_t>(free_.size()); }
  std::int32_t used_pages() const { return capacity() - free_pages(); }
  // Pages needed for `tokens` tokens.
  std::int32_t PagesFor(std::int64_t tokens) const {
    return static_cast<std::int32_t>((tokens + page_size_ - 1) / page_size_);
  }
  bool IsAllocated(PageId page) const { return allocated_[page]; }

 private:
  const std::int32_t page_size_;
  std::vector<PageId> free_;
  std::vector<bool> allocated_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_CACHE_PAGE_POOL_H_
