// Access to the committed test tokenizers and their reference ids (testdata/).
#ifndef RADIXLM_TESTS_ENGINE_TOKENIZER_TESTDATA_READER_H_
#define RADIXLM_TESTS_ENGINE_TOKENIZER_TESTDATA_READER_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/tokenizer/tokenizer.h"

namespace radixlm::engine::tokenizer_fixtures {

// What the reference produced for one string (see reference/encode.mjs).
struct ReferenceResult {
  std::string text;
  std::vector<int32_t> ids;        // add_special_tokens = true
  std::vector<int32_t> ids_plain;  // add_special_tokens = false
  std::string decoded;             // Decode(ids, skip_special_tokens = false)
  std::string decoded_skip;        // Decode(ids, skip_special_tokens = true)
};

// The fixture folders, in a fixed order.
const std::vector<std::string>& FixtureNames();
// Whether the fixture's decoder is byte-level, so Decode(Encode(s)) == s for any s.
bool IsByteLevel(const std::string& fixture);

std::filesystem::path TestdataDir(const char* configured_dir);
absl::StatusOr<std::string> ReadTextFile(const std::filesystem::path& path);
absl::StatusOr<std::vector<std::string>> ReadStringList(const std::filesystem::path& path);
// Parses the output of reference/encode.mjs.
absl::StatusOr<std::vector<ReferenceResult>> ParseReferenceResults(const std::string& json_text);

}  // namespace radixlm::engine::tokenizer_fixtures

#endif  // RADIXLM_TESTS_ENGINE_TOKENIZER_TESTDATA_READER_H_
