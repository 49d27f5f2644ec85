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
  cache.bytes_ = 2 * num_layers * pool_bytes;
  // 64-byte alignment keeps every page on its own cache lines for the AVX-512 loads.
  void* memory = std::aligned_alloc(64, static_cast<size_t>((cache.bytes_ + 63) / 64 * 64));
  if (memory == nullptr) {
    return absl::ResourceExhaustedError(StrCat("cannot allocate ", cache.bytes_,
                                               " bytes for the KV cache; lower --max-kv-tokens"));
  }
  cache.memory_.reset(static_cast<std::byte*>(memory));
  // Zeroed so that never-written slots (the scratch page) hold finite values.
  std::memset(memory, 0, static_cast<size_t>(cache.bytes_));
  for (std::int64_t layer = 0; layer < num_layers; ++layer) {
    std::byte* base = cache.memory_.get() + 2 * layer * pool_bytes;
    cache.layers_.push_back(
        {.k = base, .v = base + pool_bytes, .num_pages = num_pages, .layout = layout});
  }
  return cache;
}

}  // namespace radixlm::engine
