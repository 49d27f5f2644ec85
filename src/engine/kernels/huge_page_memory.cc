#include "src/engine/kernels/huge_page_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "src/common/strings.h"

namespace radixlm::engine {
namespace {

constexpr std::uintptr_t kHugePageBytes = std::uintptr_t{2} << 20;
constexpr std::uintptr_t kPageBytes = 4096;

std::uintptr_t RoundUp(std::uintptr_t value, std::uintptr_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

}  // namespace

void HugePageMemory::Unmapper::operator()(std::byte* memory) const {
  if (memory != nullptr) munmap(memory, mapped_bytes);
}

absl::StatusOr<HugePageMemory> HugePageMemory::Map(std::int64_t bytes, std::string_view what) {
  if (bytes <= 0) {
    return absl::InvalidArgumentError(StrCat("cannot map ", bytes, " bytes for ", what));
  }
  const bool huge = static_cast<std::uintptr_t>(bytes) >= kHugePageBytes;
  const std::uintptr_t size =
      RoundUp(static_cast<std::uintptr_t>(bytes), huge ? kHugePageBytes : kPageBytes);
  // A huge-page buffer maps one huge page more than it needs, then returns the unaligned head
  // and the rest of the tail: mmap only promises 4 KB alignment.
  const std::uintptr_t reserved = huge ? size + kHugePageBytes : size;
  void* mapping = mmap(nullptr, reserved, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) {
    return absl::ResourceExhaustedError(
        StrCat("cannot map ", bytes, " bytes for ", what, " (", std::strerror(errno), ")"));
  }
  auto begin = reinterpret_cast<std::uintptr_t>(mapping);
  if (huge) {
    const std::uintptr_t aligned = RoundUp(begin, kHugePageBytes);
    if (aligned > begin) munmap(mapping, aligned - begin);
    const std::uintptr_t tail = begin + reserved - (aligned + size);
    if (tail > 0) munmap(reinterpret_cast<void*>(aligned + size), tail);
    begin = aligned;
    (void)madvise(reinterpret_cast<void*>(begin), size, MADV_HUGEPAGE);
  }
  HugePageMemory memory;
  memory.memory_ =
      std::unique_ptr<std::byte[], Unmapper>(reinterpret_cast<std::byte*>(begin), Unmapper{size});
  memory.size_ = bytes;
  return memory;
}

}  // namespace radixlm::engine
