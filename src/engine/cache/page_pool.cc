#include "src/engine/cache/page_pool.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>

namespace radixlm::engine {

PagePool::PagePool(std::int32_t num_pages, std::int32_t page_size)
    : page_size_(page_size), allocated_(static_cast<size_t>(num_pages), false) {
  free_.reserve(static_cast<size_t>(num_pages));
  // Hand out low page numbers first (LIFO on a reversed list): neighbouring tokens land in
  // neighbouring memory, which is kinder to the prefetcher.
  for (PageId page = num_pages - 1; page >= 1; --page) free_.push_back(page);
  allocated_[0] = true;  // the reserved scratch page
}

std::optional<std::vector<PageId>> PagePool::Allocate(std::int32_t count) {
  if (count < 0 || count > free_pages()) return std::nullopt;
  std::vector<PageId> pages(free_.end() - count, free_.end());
  free_.resize(free_.size() - static_cast<size_t>(count));
  for (PageId page : pages) allocated_[page] = true;
  return pages;
}

void PagePool::Free(std::span<const PageId> pages) {
  for (PageId page : pages) {
    if (page <= 0 || page >= static_cast<PageId>(allocated_.size()) || !allocated_[page]) {
      // A double free means two owners believed they held the page: continuing would hand the
      // same KV memory to two sequences and silently corrupt generations.
      std::fprintf(stderr, "radixlm: PagePool::Free of page %d that is not allocated\n", page);
      std::abort();
    }
    allocated_[page] = false;
    free_.push_back(page);
  }
}

}  // namespace radixlm::engine
