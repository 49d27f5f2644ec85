#include "src/engine/tokenizer/utf8.h"

#include "gtest/gtest.h"

namespace radixlm::engine::internal {
namespace {

TEST(Utf8Test, FindsFirstInvalidSequence) {
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("caf\xC3\xA9 \xF0\x9F\x98\x80"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("ab\xC3"), 2u);            // truncated
  EXPECT_EQ(FindInvalidUtf8("a\xC0\x80"), 1u);         // overlong
  EXPECT_EQ(FindInvalidUtf8("a\xED\xA0\x80"), 1u);     // surrogate
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ok\x80"), 2u);            // lone continuation
}

TEST(Utf8Test, LossyReplacesMaximalSubparts) {
  // Unicode's "U+FFFD substitution of maximal subparts" example (Table 3-8).
  EXPECT_EQ(Utf8Lossy("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
            "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xEF\xBF\xBD\xEF\xBF\xBD"
            "d");
  EXPECT_EQ(Utf8Lossy("\xE4\xB8\xAD"), "\xE4\xB8\xAD");
}

TEST(Utf8Test, IncompleteSuffixOnlyCountsCompletablePrefixes) {
  EXPECT_EQ(IncompleteUtf8Suffix("ab\xE4\xB8"), 2u);
  EXPECT_EQ(IncompleteUtf8Suffix("ab\xF0"), 1u);
  EXPECT_EQ(IncompleteUtf8Suffix("ab\xE4\xB8\xAD"), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("ab\x80"), 0u);      // can never complete
  EXPECT_EQ(IncompleteUtf8Suffix("ab\xE0\x80"), 0u);  // E0 80 is already ill-formed
  EXPECT_EQ(IncompleteUtf8Suffix(""), 0u);
}

}  // namespace
}  // namespace radixlm::engine::internal
