#include "src/engine/tokenizer/incremental_detokenizer.h"

#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/tokenizer/tokenizer.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine {
namespace {

Tokenizer LoadFixture(const std::string& name) {
  auto tokenizer = Tokenizer::FromFolder(std::filesystem::path(RADIXLM_TOKENIZER_TESTDATA) / name);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status();
  return *std::move(tokenizer);
}

std::vector<std::string> Stream(IncrementalDetokenizer* stream, const std::vector<int32_t>& ids) {
  std::vector<std::string> pieces;
  for (const int32_t id : ids) pieces.push_back(stream->Push(id));
  return pieces;
}

// An emoji is four bytes, each its own byte-level token here: nothing is emitted until the
// character is complete.
TEST(IncrementalDetokenizerTest, ByteLevelHoldsPartialCharacters) {
  const Tokenizer tokenizer = LoadFixture("llama3_style");
  auto ids = tokenizer.Encode("\xF0\x9F\x98\x80!", false);
  ASSERT_TRUE(ids.ok());
  ASSERT_GE(ids->size(), 2u);
  IncrementalDetokenizer stream(tokenizer, true);
  const std::vector<std::string> pieces = Stream(&stream, *ids);
  std::string joined;
  for (size_t i = 0; i < pieces.size(); ++i) {
    EXPECT_EQ(internal::FindInvalidUtf8(pieces[i]), std::string_view::npos);
    if (i + 2 < pieces.size()) {
      EXPECT_EQ(pieces[i], "") << i;
    }
    joined += pieces[i];
  }
  EXPECT_EQ(joined + stream.Flush(), "\xF0\x9F\x98\x80!");
}

// Byte-fallback tokens are held until the run ends, because a later invalid byte turns the
// whole run into U+FFFD.
TEST(IncrementalDetokenizerTest, ByteFallbackRunsAreHeldUntilTheyEnd) {
  const Tokenizer tokenizer = LoadFixture("llama2_style");
  const int32_t e4 = *tokenizer.TokenToId("<0xE4>");
  const int32_t b8 = *tokenizer.TokenToId("<0xB8>");
  const int32_t ad = *tokenizer.TokenToId("<0xAD>");
  const int32_t x80 = *tokenizer.TokenToId("<0x80>");
  const int32_t word = *tokenizer.TokenToId("\xE2\x96\x81the");
  IncrementalDetokenizer stream(tokenizer, true);
  EXPECT_EQ(stream.Push(e4), "");
  EXPECT_EQ(stream.Push(b8), "");
  EXPECT_EQ(stream.Push(ad), "");
  EXPECT_EQ(stream.Push(word), "\xE4\xB8\xAD the");
  EXPECT_EQ(stream.Flush(), "");

  EXPECT_EQ(stream.Push(e4), "");
  EXPECT_EQ(stream.Push(x80), "");
  const std::string rest = stream.Flush();
  EXPECT_EQ(rest, tokenizer.Decode(std::vector<int32_t>{e4, x80}, true));
  EXPECT_EQ(rest, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

// SentencePiece drops the space of the sequence's first word only; Flush starts a new
// sequence.
TEST(IncrementalDetokenizerTest, LeadingSpaceRuleAppliesPerSequence) {
  for (const char* fixture : {"llama2_style", "mistral_style"}) {
    const Tokenizer tokenizer = LoadFixture(fixture);
    const int32_t the = *tokenizer.TokenToId("\xE2\x96\x81the");
    IncrementalDetokenizer stream(tokenizer, true);
    EXPECT_EQ(stream.Push(1), "") << fixture;  // <s>, skipped
    EXPECT_EQ(stream.Push(the), "the") << fixture;
    EXPECT_EQ(stream.Push(the), " the") << fixture;
    EXPECT_EQ(stream.Flush(), "") << fixture;
    EXPECT_EQ(stream.Push(the), "the") << fixture;
    EXPECT_EQ(stream.Flush(), "") << fixture;
  }
}

TEST(IncrementalDetokenizerTest, SpecialTokensFollowSkipFlag) {
  const Tokenizer tokenizer = LoadFixture("qwen2_style");
  auto ids = tokenizer.Encode("<|im_start|>assistant\nHello<|im_end|>", false);
  ASSERT_TRUE(ids.ok());
  for (const bool skip : {true, false}) {
    IncrementalDetokenizer stream(tokenizer, skip);
    std::string joined;
    for (const std::string& piece : Stream(&stream, *ids)) joined += piece;
    joined += stream.Flush();
    EXPECT_EQ(joined, tokenizer.Decode(*ids, skip));
  }
}

}  // namespace
}  // namespace radixlm::engine
