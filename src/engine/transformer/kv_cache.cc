#include "src/engine/transformer/kv_cache.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "src/common/strings.h"

namespace radixlm::engine {

void KvCache::Unmapper::operator()(std::byte* memory) const {
  if (memory != nullptr) munmap(memory, bytes);
}

std::int64_t KvCache::BytesPerPage(std::int64_t num_layers, const KvCacheLayout& layout) {
  return 2 * num_layers * KvCachePageBytes(layout);
}

absl::StatusOr<KvCache> KvCache::Create(std::int64_t num_layers, std::int64_t num_pages,
                                        const KvCacheLayout& layout) {
  if (absl::Status valid = ValidateKvCacheLayout(layout); !valid.ok()) return valid;
  if (num_pages < 2) {
    return absl::InvalidArgumentError(
        StrCat("the KV cache needs at least 2 pages (one is reserved), got ", num_pages,
               "; raise --max-kv-tokens"));
  }
  KvCache cache;
  cache.layout_ = layout;
  cache.num_pages_ = num_pages;
  const std::int64_t pool_bytes = num_pages * KvCachePageBytes(layout);
  cache.bytes_ = 2 * num_layers * pool_bytes;
  // An anonymous mapping: page-aligned (so every KV page starts on its own cache lines for the
  // AVX-512 loads) and zero-filled by the kernel on first touch, so never-written slots (the
  // scratch page, the tails of partial pages) hold finite values while a large pool costs neither
  // start-up time nor resident memory until requests use it.
  void* memory = mmap(nullptr, static_cast<size_t>(cache.bytes_), PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) {
    return absl::ResourceExhaustedError(StrCat("cannot map ", cache.bytes_, " bytes for the KV cache (",
                                               std::strerror(errno), "); lower --max-kv-tokens"));
  }
  // Transparent huge pages: attention reads every sequence's pages scattered over the pool, which
  // 4 KB pages turn into TLB misses, and a growing batch would fault in a 4 KB page for every
  // few tokens of every layer (measured: batch-16 decode 10-15% slower on a fresh pool). Resident
  // memory still grows only with use, 2 MB at a time.
  (void)madvise(memory, static_cast<size_t>(cache.bytes_), MADV_HUGEPAGE);
  cache.memory_ = std::unique_ptr<std::byte[], Unmapper>(static_cast<std::byte*>(memory),
                                                          Unmapper{static_cast<size_t>(cache.bytes_)});
  for (std::int64_t layer = 0; layer < num_layers; ++layer) {
    std::byte* base = cache.memory_.get() + 2 * layer * pool_bytes;
    cache.layers_.push_back(
        {.k = base, .v = base + pool_bytes, .num_pages = num_pages, .layout = layout});
  }
  return cache;
}

void KvCache::CopySlots(std::int64_t from, std::int64_t to, std::int64_t slots) {
  const std::int64_t page_bytes = KvCachePageBytes(layout_);
  // A head's slots are contiguous within a page: (kv_head, slot, d).
  const std::int64_t head_stride = page_bytes / layout_.num_kv_heads;
  const auto bytes = static_cast<size_t>(head_stride / layout_.page_size * slots);
  for (const KvCacheLayer& layer : layers_) {
    for (std::byte* pool : {layer.k, layer.v}) {
      for (std::int64_t head = 0; head < layout_.num_kv_heads; ++head) {
        std::memcpy(pool + to * page_bytes + head * head_stride,
                    pool + from * page_bytes + head * head_stride, bytes);
      }
    }
  }
}

}  // namespace radixlm::engine
