// HugePageMemory: an anonymous memory mapping for the engine's large, long-lived buffers that the
// kernels stream (packed weights, the KV cache). From 2 MB up it is aligned to 2 MB and advised
// for transparent huge pages: decode reads every weight once per token and attention reads KV
// pages scattered over the pool, and with 4 KB pages the page walks and the prefetcher stopping
// at every page boundary cost a quarter of the bandwidth (docs/KERNELS.md). Where THP is off the
// advice is a no-op. Smaller buffers are page-aligned (4 KB).
//
// The memory reads as zeros until written, and costs resident memory only once touched (2 MB at
// a time where huge pages are used): a large KV pool starts at once and grows with use.
//
// Thread safety: a HugePageMemory is a plain owner; what is stored in it is the owner's business.
#ifndef RADIXLM_SRC_ENGINE_KERNELS_HUGE_PAGE_MEMORY_H_
#define RADIXLM_SRC_ENGINE_KERNELS_HUGE_PAGE_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"

namespace radixlm::engine {

class HugePageMemory {
 public:
  // Maps `bytes` (> 0) bytes. An error is kResourceExhausted and names `what` (e.g. "the KV
  // cache"), the size and the system's reason.
  static absl::StatusOr<HugePageMemory> Map(std::int64_t bytes, std::string_view what);

  HugePageMemory() = default;
  HugePageMemory(HugePageMemory&&) noexcept = default;
  HugePageMemory& operator=(HugePageMemory&&) noexcept = default;
  HugePageMemory(const HugePageMemory&) = delete;
  HugePageMemory& operator=(const HugePageMemory&) = delete;

  std::byte* data() const { return memory_.get(); }
  // The bytes asked for (the mapping may be larger, up to the next 2 MB).
  std::int64_t size() const { return size_; }

 private:
  struct Unmapper {
    std::size_t mapped_bytes;
    void operator()(std::byte* memory) const;
  };
  std::unique_ptr<std::byte[], Unmapper> memory_{nullptr, Unmapper{0}};
  std::int64_t size_ = 0;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_KERNELS_HUGE_PAGE_MEMORY_H_
