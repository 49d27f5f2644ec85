// Compares our ids and decodings with @huggingface/tokenizers (run by node) on every test
// tokenizer, for the hard strings and for a batch of generated mixed-script strings.
//
// Never skipped: without node or tests/npm/node_modules the test fails and says how to fix it.
// Labelled `reference` (ctest -L reference).
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/engine/tokenizer/tokenizer.h"
#include "src/engine/tokenizer/utf8.h"
#include "tests/engine/tokenizer/testdata_reader.h"

namespace radixlm::engine {
namespace {

using tokenizer_fixtures::ReferenceResult;

const std::filesystem::path kTestdata = RADIXLM_TOKENIZER_TESTDATA;

// Runs `command`, returning its stdout and setting `exit_code`.
std::string RunCommand(const std::string& command, int* exit_code) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *exit_code = -1;
    return output;
  }
  std::array<char, 65536> buffer;
  size_t read;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), read);
  *exit_code = pclose(pipe);
  return output;
}

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// Strings mixing scripts, spaces, digits, punctuation, emoji parts and special-token text.
// (Not the llama2_style tokens "xyzzy" (single_word) and "yesterday" (normalized): the JS
// reference ignores single_word and decodes normalized added tokens by their content, unlike
// tokenizers 0.23; components_test pins tokenizers' behavior for them.)
std::vector<std::string> GeneratedStrings() {
  const std::vector<std::string> pieces = {"the",
                                           " The",
                                           "  ",
                                           " ",
                                           "\n",
                                           "\r\n",
                                           "\t",
                                           "'s",
                                           "'LL",
                                           "don't",
                                           "123",
                                           "4567",
                                           "3.5",
                                           "!?",
                                           "...",
                                           "(",
                                           ")",
                                           "\xE4\xB8\xAD\xE6\x96\x87",
                                           "\xD8\xB9\xD8\xB1\xD8\xA8",
                                           "\xF0\x9F\x98\x80",
                                           "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
                                           "\xE2\x80\x8D",
                                           "e\xCC\x81",
                                           "\xC3\xA9",
                                           "<s>",
                                           "</s>",
                                           "<|eot_id|>",
                                           "<|im_start|>",
                                           "<|endoftext|>",
                                           "[INST]",
                                           "\xE2\x96\x81",
                                           "caf\xC3\xA9",
                                           "supercalifragilistic",
                                           "hello",
                                           "world",
                                           "x",
                                           "\xC2\xA0",
                                           "\xE3\x80\x80",
                                           "<tool>",
                                           "-",
                                           "_",
                                           "#",
                                           "$"};
  std::mt19937 random(20240611);
  std::vector<std::string> strings;
  // Mostly short strings, and some longer than 256 bytes (merged in chunks, not cached).
  for (int i = 0; i < 330; ++i) {
    std::string text;
    const int count =
        i < 300 ? 1 + static_cast<int>(random() % 12) : 60 + static_cast<int>(random() % 100);
    for (int j = 0; j < count; ++j) text += pieces[random() % pieces.size()];
    strings.push_back(text);
  }
  return strings;
}

absl::StatusOr<std::vector<ReferenceResult>> RunReference(const std::filesystem::path& dir,
                                                          const std::filesystem::path& strings) {
  const std::string node = RADIXLM_NODE_EXECUTABLE;
  if (node.empty() || node.ends_with("NOTFOUND")) {
    return absl::FailedPreconditionError(
        "node was not found when CMake ran; install Node.js (apt-get install nodejs npm), run "
        "`npm ci --prefix tests/npm`, and re-run CMake");
  }
  if (!std::filesystem::exists(std::filesystem::path(RADIXLM_NPM_DIR) / "node_modules" /
                               "@huggingface" / "tokenizers")) {
    return absl::FailedPreconditionError(
        "tests/npm/node_modules is missing the reference tokenizer; run `npm ci --prefix "
        "tests/npm` from the repository root");
  }
  int exit_code = 0;
  const std::string output = RunCommand(Quote(node) + " " + Quote(RADIXLM_REFERENCE_SCRIPT) + " " +
                                            Quote(dir.string()) + " " + Quote(strings.string()),
                                        &exit_code);
  if (exit_code != 0) {
    return absl::InternalError("reference/encode.mjs failed (see its message above)");
  }
  return tokenizer_fixtures::ParseReferenceResults(output);
}

class ReferenceTest : public ::testing::TestWithParam<std::string> {};

void CompareWithReference(const Tokenizer& tokenizer,
                          const std::vector<ReferenceResult>& references) {
  for (const ReferenceResult& reference : references) {
    auto ids = tokenizer.Encode(reference.text, true);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(*ids, reference.ids) << "text: \"" << reference.text << "\"";
    auto plain = tokenizer.Encode(reference.text, false);
    ASSERT_TRUE(plain.ok()) << plain.status();
    EXPECT_EQ(*plain, reference.ids_plain) << "text: \"" << reference.text << "\"";
    EXPECT_EQ(tokenizer.Decode(reference.ids, false), reference.decoded)
        << "text: \"" << reference.text << "\"";
    EXPECT_EQ(tokenizer.Decode(reference.ids, true), reference.decoded_skip)
        << "text: \"" << reference.text << "\"";
  }
}

TEST_P(ReferenceTest, HardStringsMatchReference) {
  auto tokenizer = Tokenizer::FromFolder(kTestdata / GetParam());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  auto references = RunReference(kTestdata / GetParam(), kTestdata / "hard_strings.json");
  ASSERT_TRUE(references.ok()) << references.status();
  auto strings = tokenizer_fixtures::ReadStringList(kTestdata / "hard_strings.json");
  ASSERT_TRUE(strings.ok()) << strings.status();
  ASSERT_EQ(references->size(), strings->size());
  CompareWithReference(*tokenizer, *references);
}

TEST_P(ReferenceTest, GeneratedStringsMatchReference) {
  auto tokenizer = Tokenizer::FromFolder(kTestdata / GetParam());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  const std::filesystem::path strings_path =
      std::filesystem::temp_directory_path() /
      ("radixlm_reference_strings_" + GetParam() + "_" + std::to_string(getpid()) + ".json");
  const std::vector<std::string> strings = GeneratedStrings();
  std::ofstream(strings_path) << nlohmann::json(strings).dump();
  auto references = RunReference(kTestdata / GetParam(), strings_path);
  std::filesystem::remove(strings_path);
  ASSERT_TRUE(references.ok()) << references.status();
  ASSERT_EQ(references->size(), strings.size());
  CompareWithReference(*tokenizer, *references);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ReferenceTest,
                         ::testing::ValuesIn(tokenizer_fixtures::FixtureNames()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace radixlm::engine
