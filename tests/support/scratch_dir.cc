#include "tests/support/scratch_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "gtest/gtest.h"

namespace radixlm::testing {

ScratchDir::ScratchDir(std::string_view prefix) {
  std::string pattern = (std::filesystem::path(::testing::TempDir()) /
                         (std::string(prefix) + "_XXXXXX"))
                            .string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ScratchDir::PathOf(std::string_view name) const { return (path_ / name).string(); }

}  // namespace radixlm::testing
