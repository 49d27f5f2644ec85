#include "src/engine/model/safetensors_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

const TensorView* SafetensorsFile::Find(std::string_view name) const {
  auto it = index_by_name_.find(name);
  return it == index_by_name_.end() ? nullptr : &layout_.tensors[it->second];
}

}  // namespace radixlm::engine
