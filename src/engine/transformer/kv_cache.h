// KvCache: the key/value memory of every layer, as `num_pages` pages per layer in the layout the
// attention kernel reads (src/engine/kernels/attention.h). Page indices are shared by all layers:
// page p of a sequence means page p in every layer's K and V pool, so one PagePool index names the
// whole stack. Page 0 is the PagePool's reserved scratch page.
//
// Thread safety: the memory is written by the forward pass only; the scheduler loop owns it.
#ifndef RADIXLM_SRC_ENGINE_TRANSFORMER_KV_CACHE_H_
#define RADIXLM_SRC_ENGINE_TRANSFORMER_KV_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/kernels/attention.h"
#include "src/engine/kernels/huge_page_memory.h"

namespace radixlm::engine {

class KvCache {
 public:
  static absl::StatusOr<KvCache> Create(std::int64_t num_layers, std::int64_t num_pages,
                                        const KvCacheLayout& layout);

  // Bytes one page costs across all layers, K and V.
  static std::int64_t BytesPerPage(std::int64_t num_layers, const KvCacheLayout& layout);

  const KvCacheLayer& layer(std::int64_t index) const {
    return layers_[static_cast<size_t>(index)];
  }
  std::int64_t num_pages() const { return num_pages_; }
  const KvCacheLayout& layout() const { return layout_; }
  std::int64_t bytes() const { return memory_.size(); }

  // CopySlots() copies the keys and values of the first `slots` slots of page `from` into page
  // `to`, in every layer: a request continuing a cached partial page gets those tokens without
  // recomputing them (pages are never shared partly).
  void CopySlots(std::int64_t from, std::int64_t to, std::int64_t slots);

 private:
  HugePageMemory memory_;
  std::vector<KvCacheLayer> layers_;
  std::int64_t num_pages_ = 0;
  KvCacheLayout layout_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_TRANSFORMER_KV_CACHE_H_
