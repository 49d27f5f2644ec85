#include "src/engine/transformer/kv_cache.h"

#include <cstring>

#include "src/common/strings.h"

namespace radixlm::engine {

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
  // HugePageMemory: 4 KB-aligned at least (so every KV page starts on its own cache lines for the
  // AVX-512 loads), huge pages against the TLB misses of attention's scattered page reads and
  // against faulting in a 4 KB page for every few tokens of every layer as a batch grows
  // (measured: batch-16 decode 10-15% slower on a fresh pool), and zeros until written, so
  // never-written slots (the scratch page, the tails of partial pages) hold finite values while a
  // large pool costs neither start-up time nor resident memory until requests use it.
  absl::StatusOr<HugePageMemory> memory =
      HugePageMemory::Map(2 * num_layers * pool_bytes, "the KV cache");
  if (!memory.ok()) {
    return absl::ResourceExhaustedError(
        StrCat(memory.status().message(), "; lower --max-kv-tokens"));
  }
  cache.memory_ = *std::move(memory);
  for (std::int64_t layer = 0; layer < num_layers; ++layer) {
    std::byte* base = cache.memory_.data() + 2 * layer * pool_bytes;
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
