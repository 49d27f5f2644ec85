#include "src/engine/model/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/common/strings.h"

namespace radixlm::engine::internal {

absl::Status ErrnoError(int error_number, std::string_view what, const std::string& path) {
  return absl::Status(absl::ErrnoToStatusCode(error_number),
                      StrCat(what, " ", path, ": ", std::strerror(error_number)));
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "cannot open", path);
  std::string contents;
  absl::Status status;
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    status = ErrnoError(errno, "cannot stat", path);
  } else if (!S_ISREG(info.st_mode)) {
    status = absl::InvalidArgumentError(StrCat(path, " is not a regular file"));
  } else if (static_cast<std::size_t>(info.st_size) > max_bytes) {
    status = absl::InvalidArgumentError(StrCat(path, " is ", info.st_size,
                                               " bytes; files of this kind are at most ", max_bytes,
                                               " bytes"));
  } else {
    contents.resize(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    while (done < contents.size()) {
      const ssize_t got = ::read(fd, contents.data() + done, contents.size() - done);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        status = ErrnoError(errno, "cannot read", path);
        break;
      }
      if (got == 0) {
        status = absl::DataLossError(StrCat(path, " shrank while being read"));
        break;
      }
      done += static_cast<std::size_t>(got);
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return contents;
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  const std::string temporary = StrCat(path, ".tmp.", ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, "cannot create", temporary);
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t wrote = ::write(fd, contents.data() + done, contents.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) {
      const int error_number = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      return ErrnoError(error_number, "cannot write", temporary);
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (::close(fd) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    return ErrnoError(error_number, "cannot write", temporary);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    return ErrnoError(error_number, "cannot rename the temporary file onto", path);
  }
  return absl::OkStatus();
}

}  // namespace radixlm::engine::internal
