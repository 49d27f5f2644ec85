// ScratchDir: a fresh folder for one test (mkdtemp under gtest's temp dir), removed with all it
// holds when the ScratchDir goes away.
#ifndef RADIXLM_TESTS_SUPPORT_SCRATCH_DIR_H_
#define RADIXLM_TESTS_SUPPORT_SCRATCH_DIR_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace radixlm::testing {

class ScratchDir {
 public:
  // `prefix` starts the folder's name, e.g. "radixlm_session_db".
  explicit ScratchDir(std::string_view prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the folder.
  std::string PathOf(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

}  // namespace radixlm::testing

#endif  // RADIXLM_TESTS_SUPPORT_SCRATCH_DIR_H_
