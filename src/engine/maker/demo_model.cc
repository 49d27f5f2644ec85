#include "src/engine/maker/demo_model.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <system_error>

#include "absl/status/status.h"
#include "src/common/strings.h"
#include "src/engine/maker/model_maker.h"

namespace radixlm::engine {
namespace {

namespace fs = std::filesystem;

// A folder being written is named "<DemoModelDir()>.partial-<pid of the writer>".
constexpr std::string_view kPartialInfix = ".partial-";

// Whether `dir` holds a finished model; its config.json appears only with the final rename.
bool HasConfig(const fs::path& dir) {
  std::error_code error;
  return fs::exists(dir / "config.json", error);
}

absl::Status FilesystemError(const std::error_code& error, std::string_view what,
                             const fs::path& path) {
  return absl::ErrnoToStatus(error.value(), StrCat(what, " ", path.string()));
}

// Removes the temporary folders of writers that no longer run (killed mid-write), which would
// otherwise keep about 270 MB each. A folder whose writer still runs is left alone.
void RemoveAbandonedPartials(const fs::path& dir) {
  const std::string prefix = StrCat(dir.filename().string(), kPartialInfix);
  std::error_code error;
  for (fs::directory_iterator it(dir.parent_path(), error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    pid_t writer = 0;
    const char* const digits_end = name.data() + name.size();
    const auto [parsed_end, parse_error] =
        std::from_chars(name.data() + prefix.size(), digits_end, writer);
    if (parse_error != std::errc() || parsed_end != digits_end || writer <= 0) continue;
    if (writer == ::getpid() || ::kill(writer, 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

absl::Status SyncPath(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, StrCat("cannot open ", path.string()));
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (synced != 0) return absl::ErrnoToStatus(sync_errno, StrCat("cannot sync ", path.string()));
  return absl::OkStatus();
}

// Flushes every file in `dir`, and `dir` itself, to disk. Without it, a power loss soon after the
// rename could leave the final folder complete-looking but holding empty weight files.
absl::Status SyncTree(const fs::path& dir) {
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    if (absl::Status synced = SyncPath(it->path()); !synced.ok()) return synced;
  }
  if (error) return FilesystemError(error, "cannot list", dir);
  return SyncPath(dir);
}

// Moves the finished folder `partial` to `dir`. When `dir` exists, either another process has
// just finished the model (kept; `partial` is dropped) or it is a half folder without config.json
// left by an older radixlm that wrote in place (replaced).
absl::Status MoveIntoPlace(const fs::path& partial, const fs::path& dir) {
  std::error_code error;
  fs::rename(partial, dir, error);
  if (error && HasConfig(dir)) {
    fs::remove_all(partial, error);
    return absl::OkStatus();
  }
  if (error) {
    // Moved aside first so that the half folder is never removed in place while it has our name.
    fs::path stale = dir;
    stale += StrCat(kPartialInfix, ::getpid(), ".stale");
    std::error_code ignored;
    fs::rename(dir, stale, ignored);
    fs::remove_all(stale, ignored);
    error.clear();
    fs::rename(partial, dir, error);
  }
  if (error) {
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    return FilesystemError(error, "cannot move the demo model into", dir);
  }
  // Makes the rename itself survive a power loss.
  return SyncPath(dir.parent_path());
}

}  // namespace

fs::path DemoModelDir() {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  fs::path root;
  if (cache != nullptr && *cache != '\0') {
    root = cache;
  } else {
    const char* home = std::getenv("HOME");
    root = fs::path(home != nullptr ? home : ".") / ".cache";
  }
  return root / "radixlm" / "demo-model";
}

absl::StatusOr<std::string> EnsureDemoModel(const WriteProgressCallback& progress) {
  const fs::path dir = DemoModelDir();
  if (HasConfig(dir)) return dir.string();
  std::error_code error;
  fs::create_directories(dir.parent_path(), error);
  if (error) return FilesystemError(error, "cannot create", dir.parent_path());
  RemoveAbandonedPartials(dir);

  fs::path partial = dir;
  partial += StrCat(kPartialInfix, ::getpid());
  // Left by an earlier process with our pid, or an earlier failed call of this one.
  fs::remove_all(partial, error);
  absl::Status made = MakeModelFolder({.shape = std::string(kDemoModelShape),
                                       .dtype = DType::kBF16,
                                       .seed = kDemoModelSeed,
                                       .overwrite = false},
                                      partial, progress);
  if (made.ok()) made = SyncTree(partial);
  if (!made.ok()) {
    fs::remove_all(partial, error);
    return absl::Status(
        made.code(), StrCat("cannot make the demo model in ", dir.string(), ": ", made.message()));
  }
  if (absl::Status moved = MoveIntoPlace(partial, dir); !moved.ok()) return moved;
  return dir.string();
}

}  // namespace radixlm::engine
