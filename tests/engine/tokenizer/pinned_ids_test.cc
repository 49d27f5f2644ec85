// Pins the ids of the committed test tokenizers (testdata/*/expected.json, recorded from
// @huggingface/tokenizers) without needing node.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/tokenizer/incremental_detokenizer.h"
#include "src/engine/tokenizer/tokenizer.h"
#include "src/engine/tokenizer/unicode.h"
#include "src/engine/tokenizer/utf8.h"
#include "tests/engine/tokenizer/testdata_reader.h"

namespace radixlm::engine {
namespace {

using tokenizer_fixtures::FixtureNames;
using tokenizer_fixtures::ReferenceResult;

class FixtureTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::filesystem::path dir =
        tokenizer_fixtures::TestdataDir(RADIXLM_TOKENIZER_TESTDATA) / GetParam();
    auto tokenizer = Tokenizer::FromFolder(dir);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    tokenizer_.emplace(*std::move(tokenizer));
    auto expected_text = tokenizer_fixtures::ReadTextFile(dir / "expected.json");
    ASSERT_TRUE(expected_text.ok()) << expected_text.status();
    auto expected = tokenizer_fixtures::ParseReferenceResults(*expected_text);
    ASSERT_TRUE(expected.ok()) << expected.status();
    expected_ = *std::move(expected);
    ASSERT_FALSE(expected_.empty());
  }

  std::optional<Tokenizer> tokenizer_;
  std::vector<ReferenceResult> expected_;
};

TEST_P(FixtureTest, EncodeMatchesReferenceIds) {
  for (const ReferenceResult& reference : expected_) {
    auto ids = tokenizer_->Encode(reference.text, /*add_special_tokens=*/true);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(*ids, reference.ids) << "text: \"" << reference.text << "\"";
    auto plain = tokenizer_->Encode(reference.text, /*add_special_tokens=*/false);
    ASSERT_TRUE(plain.ok()) << plain.status();
    EXPECT_EQ(*plain, reference.ids_plain) << "text: \"" << reference.text << "\"";
  }
}

TEST_P(FixtureTest, DecodeMatchesReferenceText) {
  for (const ReferenceResult& reference : expected_) {
    EXPECT_EQ(tokenizer_->Decode(reference.ids, false), reference.decoded)
        << "text: \"" << reference.text << "\"";
    EXPECT_EQ(tokenizer_->Decode(reference.ids, true), reference.decoded_skip)
        << "text: \"" << reference.text << "\"";
  }
}

// Every prefix of every reference sequence: the stream's pieces are valid UTF-8 and add up to
// Decode of that prefix.
TEST_P(FixtureTest, IncrementalDetokenizerMatchesDecodeOnEveryPrefix) {
  for (const bool skip_special : {false, true}) {
    for (const ReferenceResult& reference : expected_) {
      for (size_t length = 0; length <= reference.ids.size(); ++length) {
        IncrementalDetokenizer stream(*tokenizer_, skip_special);
        std::string streamed;
        for (size_t i = 0; i < length; ++i) {
          const std::string piece = stream.Push(reference.ids[i]);
          EXPECT_EQ(internal::FindInvalidUtf8(piece), std::string_view::npos);
          streamed += piece;
        }
        streamed += stream.Flush();
        const std::vector<int32_t> prefix(reference.ids.begin(), reference.ids.begin() + length);
        ASSERT_EQ(streamed, tokenizer_->Decode(prefix, skip_special))
            << "text: \"" << reference.text << "\", prefix of " << length << " ids";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureTest, ::testing::ValuesIn(FixtureNames()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace radixlm::engine

namespace radixlm::engine {
namespace {

// Byte-level BPE loses nothing: decoding gives back the text, or its NFC form when the
// tokenizer normalizes (Qwen2).
TEST(ByteLevelRoundTripTest, DecodeInvertsEncode) {
  auto strings = tokenizer_fixtures::ReadStringList(
      tokenizer_fixtures::TestdataDir(RADIXLM_TOKENIZER_TESTDATA) / "hard_strings.json");
  ASSERT_TRUE(strings.ok()) << strings.status();
  for (const std::string fixture : {"gpt2_style", "smollm2_style", "llama3_style", "qwen2_style"}) {
    auto tokenizer = Tokenizer::FromFolder(
        tokenizer_fixtures::TestdataDir(RADIXLM_TOKENIZER_TESTDATA) / fixture);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    for (const std::string& text : *strings) {
      auto ids = tokenizer->Encode(text, /*add_special_tokens=*/false);
      ASSERT_TRUE(ids.ok()) << ids.status();
      const std::string expected =
          fixture == "qwen2_style"
              ? internal::NormalizeUnicode(internal::NormalizationForm::kNfc, text)
              : text;
      EXPECT_EQ(tokenizer->Decode(*ids, false), expected) << fixture << ": \"" << text << "\"";
    }
  }
}

}  // namespace
}  // namespace radixlm::engine
