// Making the demo model writes about 270 MB, so these tests cover where it lives and that an
// existing one is reused; MakeModelFolder itself is exercised by the scheduler and engine tests.
#include "src/engine/maker/demo_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace radixlm::engine {
namespace {

namespace fs = std::filesystem;

// Points XDG_CACHE_HOME and HOME at a fresh temporary folder per test and restores both after.
class DemoModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"XDG_CACHE_HOME", "HOME"}) {
      const char* value = std::getenv(name);
      saved_.push_back(value != nullptr ? std::optional<std::string>(value) : std::nullopt);
    }
    root_ = fs::path(::testing::TempDir()) /
            ("radixlm_demo_model_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }

  void TearDown() override {
    const char* names[] = {"XDG_CACHE_HOME", "HOME"};
    for (std::size_t i = 0; i < saved_.size(); ++i) {
      if (saved_[i].has_value()) {
        setenv(names[i], saved_[i]->c_str(), /*overwrite=*/1);
      } else {
        unsetenv(names[i]);
      }
    }
    fs::remove_all(root_);
  }

  fs::path root_;

 private:
  std::vector<std::optional<std::string>> saved_;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

TEST_F(DemoModelTest, DirIsUnderXdgCacheHome) {
  setenv("XDG_CACHE_HOME", (root_ / "xdg").c_str(), 1);
  setenv("HOME", (root_ / "home").c_str(), 1);
  EXPECT_EQ(DemoModelDir(), root_ / "xdg" / "radixlm" / "demo-model");
}

TEST_F(DemoModelTest, DirFallsBackToHomeCacheWhenXdgCacheHomeIsUnsetOrEmpty) {
  setenv("HOME", (root_ / "home").c_str(), 1);
  unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(DemoModelDir(), root_ / "home" / ".cache" / "radixlm" / "demo-model");
  setenv("XDG_CACHE_HOME", "", 1);
  EXPECT_EQ(DemoModelDir(), root_ / "home" / ".cache" / "radixlm" / "demo-model");
}

TEST_F(DemoModelTest, DirIsUnderTheWorkingFolderWithoutHome) {
  unsetenv("XDG_CACHE_HOME");
  unsetenv("HOME");
  EXPECT_EQ(DemoModelDir(), fs::path(".") / ".cache" / "radixlm" / "demo-model");
}

TEST_F(DemoModelTest, EnsureReturnsAnExistingModelWithoutRewritingIt) {
  setenv("XDG_CACHE_HOME", root_.c_str(), 1);
  const fs::path dir = root_ / "radixlm" / "demo-model";
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << "{\"sentinel\": true}";
  int progress_calls = 0;

  const absl::StatusOr<std::string> made =
      EnsureDemoModel([&progress_calls](const WriteProgress&) { ++progress_calls; });

  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(fs::path(*made), DemoModelDir());
  EXPECT_EQ(fs::path(*made), dir);
  EXPECT_EQ(progress_calls, 0);
  EXPECT_EQ(ReadFile(dir / "config.json"), "{\"sentinel\": true}");
  // Nothing was written beside it: no weights in the folder, no temporary sibling folder.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.parent_path()), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace radixlm::engine
