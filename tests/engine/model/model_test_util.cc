#include "tests/engine/model/model_test_util.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "src/common/strings.h"

namespace radixlm::engine::model_test {

ScopedTempDir::ScopedTempDir() {
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  path_ = StrCat(::testing::TempDir(), "radixlm_model_", test != nullptr ? test->name() : "global",
                 "_", ::getpid(), "_", counter++);
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScopedTempDir::~ScopedTempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ScopedTempDir::File(std::string_view name) const {
  return (std::filesystem::path(path_) / name).string();
}

std::string TestDataPath(std::string_view relative) {
  return StrCat(RADIXLM_MODEL_TESTDATA, "/", relative);
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

void WriteFileOrDie(const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

std::string SafetensorsBytes(std::string_view header, std::string_view data,
                             std::int64_t declared_header_bytes) {
  const std::uint64_t length = declared_header_bytes >= 0
                                   ? static_cast<std::uint64_t>(declared_header_bytes)
                                   : header.size();
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
  bytes.append(header);
  bytes.append(data);
  return bytes;
}

std::vector<std::byte> AsBytes(std::string_view text) {
  const auto* begin = reinterpret_cast<const std::byte*>(text.data());
  return {begin, begin + text.size()};
}

}  // namespace radixlm::engine::model_test
