#include "src/engine/model/safetensors_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/model/file_util.h"

namespace radixlm::engine {

absl::StatusOr<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return internal::ErrnoError(errno, "cannot open safetensors file", path);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error_number = errno;
    ::close(fd);
    return internal::ErrnoError(error_number, "cannot stat", path);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(StrCat(path, " is not a regular file"));
  }
  const auto size = static_cast<std::size_t>(info.st_size);
  if (size == 0) {  // mmap cannot map nothing; the parser explains the empty file
    ::close(fd);
    return ParseSafetensors({}, path).status();
  }
  void* mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_error = errno;
  ::close(fd);  // the mapping keeps the file alive
  if (mapping == MAP_FAILED) return internal::ErrnoError(map_error, "cannot mmap", path);

  absl::StatusOr<SafetensorsLayout> layout =
      ParseSafetensors({static_cast<const std::byte*>(mapping), size}, path);
  if (!layout.ok()) {
    ::munmap(mapping, size);
    return layout.status();
  }
  return std::unique_ptr<SafetensorsFile>(
      new SafetensorsFile(path, mapping, size, *std::move(layout)));
}

SafetensorsFile::SafetensorsFile(std::string path, void* mapping, std::size_t mapping_bytes,
                                 SafetensorsLayout layout)
    : path_(std::move(path)),
      mapping_(mapping),
      mapping_bytes_(mapping_bytes),
      layout_(std::move(layout)) {
  for (std::size_t i = 0; i < layout_.tensors.size(); ++i) {
    index_by_name_.emplace(layout_.tensors[i].name, i);
  }
}

SafetensorsFile::~SafetensorsFile() { ::munmap(mapping_, mapping_bytes_); }

bool SafetensorsFile::ReleasePages(const std::byte* data, std::size_t bytes) const {
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const auto mapping = reinterpret_cast<std::uintptr_t>(mapping_);
  if (begin < mapping || begin + bytes > mapping + mapping_bytes_) return false;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  // Only pages wholly inside the range: a neighbour tensor may share the edge pages.
  const std::uintptr_t first = (begin + page - 1) / page * page;
  const std::uintptr_t last = (begin + bytes) / page * page;
  // The mapping is private and read-only, so dropped pages come back from the file unchanged.
  if (first < last) {
    (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
  }
  return true;
}

const TensorView* SafetensorsFile::Find(std::string_view name) const {
  auto it = index_by_name_.find(name);
  return it == index_by_name_.end() ? nullptr : &layout_.tensors[it->second];
}

}  // namespace radixlm::engine
