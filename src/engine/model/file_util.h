// Whole-file reads and atomic writes for the model layer's small JSON files and weight files.
//
// Thread safety: the functions are thread-compatible (they touch only the paths they are given).
#ifndef RADIXLM_SRC_ENGINE_MODEL_FILE_UTIL_H_
#define RADIXLM_SRC_ENGINE_MODEL_FILE_UTIL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace radixlm::engine::internal {

// ReadSmallFile() returns the contents of the regular file at `path`. NotFound when it does not
// exist, InvalidArgument when it is not a regular file or is larger than `max_bytes`, other codes
// as errno maps them. Every message names the path.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path, std::size_t max_bytes);

// ErrnoError() builds a status from `error_number` whose message is "<what> <path>: <strerror>".
absl::Status ErrnoError(int error_number, std::string_view what, const std::string& path);

// WriteFileAtomically() writes `contents` to a temporary file next to `path` and renames it over
// `path`, so a reader never sees a half-written file.
absl::Status WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_MODEL_FILE_UTIL_H_
