// Helpers shared by the model-layer tests: scratch folders, raw file bytes, test data paths.
#ifndef RADIXLM_TESTS_ENGINE_MODEL_MODEL_TEST_UTIL_H_
#define RADIXLM_TESTS_ENGINE_MODEL_MODEL_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace radixlm::engine::model_test {

// ScopedTempDir is a fresh folder under the test temp dir, removed with everything in it.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  ~ScopedTempDir();

  const std::string& path() const { return path_; }
  // File() is path()/name.
  std::string File(std::string_view name) const;

 private:
  std::string path_;
};

// TestDataPath() is tests/engine/model/testdata/<relative>.
std::string TestDataPath(std::string_view relative);

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, std::string_view contents);

// SafetensorsBytes() assembles a file from a header text and data bytes, with the header length
// prefix computed from the text unless `declared_header_bytes` overrides it.
std::string SafetensorsBytes(std::string_view header, std::string_view data,
                             std::int64_t declared_header_bytes = -1);

// AsBytes() views a string's bytes.
std::vector<std::byte> AsBytes(std::string_view text);

}  // namespace radixlm::engine::model_test

#endif  // RADIXLM_TESTS_ENGINE_MODEL_MODEL_TEST_UTIL_H_
