// Component semantics pinned against `tokenizers` (Rust): expectations come from its own unit
// tests (quoted file names) or from reading its source where the JS reference differs.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/tokenizer/decoders.h"
#include "src/engine/tokenizer/normalizers.h"
#include "src/engine/tokenizer/pre_tokenizers.h"
#include "src/engine/tokenizer/tokenizer.h"
#include "tests/engine/tokenizer/testdata_reader.h"

namespace radixlm::engine::internal {
namespace {

std::vector<std::string> PreTokenize(const std::string& json, const std::string& text) {
  auto pre_tokenizer = ParsePreTokenizer(nlohmann::json::parse(json), "pre_tokenizer");
  EXPECT_TRUE(pre_tokenizer.ok()) << pre_tokenizer.status();
  if (!pre_tokenizer.ok()) return {};
  std::vector<PreToken> pieces = {{text, true}};
  (*pre_tokenizer)->PreTokenize(&pieces);
  std::vector<std::string> out;
  for (const PreToken& piece : pieces) out.push_back(piece.text);
  return out;
}

std::string Normalize(const std::string& json, std::string text) {
  auto normalizer = ParseNormalizer(nlohmann::json::parse(json), "normalizer");
  EXPECT_TRUE(normalizer.ok()) << normalizer.status();
  if (normalizer.ok()) (*normalizer)->Normalize(&text);
  return text;
}

std::string DecodeTokens(const std::string& json, std::vector<std::string> tokens) {
  const nlohmann::json parsed = nlohmann::json::parse(json);
  auto chain = DecoderChain::Parse(&parsed, "decoder");
  EXPECT_TRUE(chain.ok()) << chain.status();
  return chain.ok() ? chain->Decode(std::move(tokens), true) : "";
}

std::string SplitJson(const std::string& behavior, bool invert) {
  return R"({"type": "Split", "pattern": {"String": "-"}, "behavior": ")" + behavior +
         R"(", "invert": )" + (invert ? "true" : "false") + "}";
}

// tokenizers/src/tokenizer/normalizer.rs, test `split`.
TEST(SplitTest, DelimiterBehaviorsMatchTokenizers) {
  const std::string text = "The-final--countdown";
  EXPECT_EQ(PreTokenize(SplitJson("Removed", false), text),
            (std::vector<std::string>{"The", "final", "countdown"}));
  EXPECT_EQ(PreTokenize(SplitJson("Isolated", false), text),
            (std::vector<std::string>{"The", "-", "final", "-", "-", "countdown"}));
  EXPECT_EQ(PreTokenize(SplitJson("MergedWithPrevious", false), text),
            (std::vector<std::string>{"The-", "final-", "-", "countdown"}));
  EXPECT_EQ(PreTokenize(SplitJson("MergedWithNext", false), text),
            (std::vector<std::string>{"The", "-final", "-", "-countdown"}));
  EXPECT_EQ(PreTokenize(SplitJson("Contiguous", false), text),
            (std::vector<std::string>{"The", "-", "final", "--", "countdown"}));
}

TEST(SplitTest, InvertKeepsTheDelimiters) {
  EXPECT_EQ(PreTokenize(SplitJson("Removed", true), "The-final--countdown"),
            (std::vector<std::string>{"-", "-", "-"}));
}

// Oniguruma's \s is Unicode White_Space, which includes U+000B and U+0085 (ICU's \s does not)
// but not U+FEFF (JavaScript's \s does).
TEST(SplitTest, RegexWhitespaceFollowsOniguruma) {
  const std::string json =
      R"({"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": false})";
  EXPECT_EQ(PreTokenize(json,
                        "a\x0B"
                        "b\xC2\x85"
                        "c\xEF\xBB\xBF"
                        "d"),
            (std::vector<std::string>{"a", "b",
                                      "c\xEF\xBB\xBF"
                                      "d"}));
  EXPECT_EQ(Normalize(R"({"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "})",
                      "x\xEF\xBB\xBFy\xC2\x85z"),
            "x\xEF\xBB\xBFy z");
}

// tokenizers/src/pre_tokenizers/byte_level.rs, tests `pre_tokenization` and
// `pre_tokenization_no_prefix_space`.
TEST(ByteLevelTest, SplitsWithGpt2RegexAndMapsBytes) {
  EXPECT_EQ(PreTokenize(R"({"type": "ByteLevel", "add_prefix_space": false})",
                        "Hello my friend, how is your day going?"),
            (std::vector<std::string>{"Hello", "\xC4\xA0my",
                                      "\xC4\xA0"
                                      "friend",
                                      ",", "\xC4\xA0how", "\xC4\xA0is", "\xC4\xA0your",
                                      "\xC4\xA0"
                                      "day",
                                      "\xC4\xA0going", "?"}));
  EXPECT_EQ(PreTokenize(R"({"type": "ByteLevel", "add_prefix_space": true})", "Hello")[0],
            "\xC4\xA0Hello");
}

// tokenizers/src/pre_tokenizers/metaspace.rs, tests `basic` and prepend schemes.
TEST(MetaspaceTest, PrependSchemes) {
  EXPECT_EQ(PreTokenize(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"})",
                        "Hey friend!"),
            (std::vector<std::string>{"▁Hey", "▁friend!"}));
  EXPECT_EQ(PreTokenize(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never"})",
                        "Hey friend!"),
            (std::vector<std::string>{"Hey", "▁friend!"}));
  EXPECT_EQ(PreTokenize(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first",
                            "split": false})",
                        "Hey  friend"),
            (std::vector<std::string>{"▁Hey▁▁friend"}));
}

// tokenizers/src/pre_tokenizers/digits.rs, punctuation.rs and whitespace.rs tests.
TEST(CharacterClassSplitTest, DigitsPunctuationWhitespace) {
  EXPECT_EQ(PreTokenize(R"({"type": "Digits", "individual_digits": true})", "Call 123 please"),
            (std::vector<std::string>{"Call ", "1", "2", "3", " please"}));
  EXPECT_EQ(PreTokenize(R"({"type": "Digits", "individual_digits": false})", "Call 123 please"),
            (std::vector<std::string>{"Call ", "123", " please"}));
  EXPECT_EQ(PreTokenize(R"({"type": "Punctuation"})", "Hey friend!     How are you?!?"),
            (std::vector<std::string>{"Hey friend", "!", "     How are you", "?", "!", "?"}));
  EXPECT_EQ(PreTokenize(R"({"type": "Whitespace"})", "How are you doing?"),
            (std::vector<std::string>{"How", "are", "you", "doing", "?"}));
  EXPECT_EQ(PreTokenize(R"({"type": "WhitespaceSplit"})", "Hey man!"),
            (std::vector<std::string>{"Hey", "man!"}));
}

TEST(NormalizerTest, UnicodeFormsCaseAndStrip) {
  EXPECT_EQ(Normalize(R"({"type": "NFC"})", "e\xCC\x81"), "\xC3\xA9");
  EXPECT_EQ(Normalize(R"({"type": "NFD"})", "\xC3\xA9"), "e\xCC\x81");
  EXPECT_EQ(Normalize(R"({"type": "NFKC"})", "\xEF\xAC\x81"), "fi");  // U+FB01 ligature
  EXPECT_EQ(Normalize(R"({"type": "Lowercase"})", "\xC3\x89T\xC3\x89 \xCE\xA3"),
            "\xC3\xA9t\xC3\xA9 \xCF\x83");  // ÉTÉ Σ -> été σ (no final-sigma context)
  EXPECT_EQ(Normalize(R"({"type": "Strip", "strip_left": true, "strip_right": false})",
                      " \xE3\x80\x80x "),
            "x ");
  EXPECT_EQ(Normalize(R"({"type": "Sequence", "normalizers": [
                          {"type": "Prepend", "prepend": "▁"},
                          {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]})",
                      "a b"),
            "▁a▁b");
  EXPECT_EQ(Normalize(R"({"type": "Prepend", "prepend": "▁"})", ""), "");
}

// tokenizers/src/pre_tokenizers/metaspace.rs (Decoder): every replacement character of the
// first token is dropped, not just a leading one.
TEST(DecoderTest, MetaspaceDropsReplacementsOfFirstTokenOnly) {
  EXPECT_EQ(DecodeTokens(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"})",
                         {"▁▁Hey", "▁friend"}),
            "Hey friend");
  EXPECT_EQ(DecodeTokens(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never"})",
                         {"▁Hey", "▁friend"}),
            " Hey friend");
}

TEST(DecoderTest, ByteFallbackReplacesEachByteOfAnInvalidRun) {
  const std::string chain = R"({"type": "Sequence", "decoders": [{"type": "ByteFallback"},
                                {"type": "Fuse"}]})";
  EXPECT_EQ(DecodeTokens(chain, {"<0xE4>", "<0xB8>", "<0xAD>", "x"}),
            "\xE4\xB8\xAD"
            "x");
  EXPECT_EQ(DecodeTokens(chain, {"<0xE4>", "<0xB8>", "x", "<0x80>"}),
            "\xEF\xBF\xBD\xEF\xBF\xBD"
            "x\xEF\xBF\xBD");
  // A BOM decoded from bytes is kept (JavaScript's TextDecoder would drop it).
  EXPECT_EQ(DecodeTokens(chain, {"<0xEF>", "<0xBB>", "<0xBF>", "a"}),
            "\xEF\xBB\xBF"
            "a");
}

TEST(DecoderTest, ByteLevelIsLossyOverTheWholeSequence) {
  // "Ġ" is the space byte; U+00E4 U+00B8 stand for bytes E4 B8 (an unfinished character).
  EXPECT_EQ(DecodeTokens(R"({"type": "ByteLevel"})", {"\xC4\xA0hi", "\xC3\xA4", "\xC2\xB8"}),
            " hi\xEF\xBF\xBD");
  // A token with a character outside the byte map is taken as its own UTF-8.
  EXPECT_EQ(DecodeTokens(R"({"type": "ByteLevel"})", {"<|im_start|>", "\xE4\xB8\xAD"}),
            "<|im_start|>\xE4\xB8\xAD");
}

TEST(DecoderTest, StripAndReplaceApplyPerToken) {
  EXPECT_EQ(
      DecodeTokens(R"({"type": "Strip", "content": " ", "start": 1, "stop": 1})", {"  a  ", " b"}),
      " a b");
  EXPECT_EQ(DecodeTokens(R"({"type": "Replace", "pattern": {"String": "▁"}, "content": " "})",
                         {"▁a▁", "b"}),
            " a b");
}

}  // namespace
}  // namespace radixlm::engine::internal

namespace radixlm::engine {
namespace {

const std::filesystem::path kTestdata = RADIXLM_TOKENIZER_TESTDATA;

Tokenizer LoadFixture(const std::string& name) {
  auto tokenizer = Tokenizer::FromFolder(kTestdata / name);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status();
  return *std::move(tokenizer);
}

std::vector<int32_t> Ids(const Tokenizer& tokenizer, std::string_view text,
                         bool add_special_tokens = false) {
  auto ids = tokenizer.Encode(text, add_special_tokens);
  EXPECT_TRUE(ids.ok()) << ids.status();
  return ids.ok() ? *ids : std::vector<int32_t>{};
}

bool Contains(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// llama2_style declares "<tool>" (lstrip, rstrip), "xyzzy" (single_word) and "yesterday"
// (normalized), none special.
TEST(AddedTokenTest, LstripAndRstripAbsorbWhitespace) {
  const Tokenizer tokenizer = LoadFixture("llama2_style");
  const int32_t tool = *tokenizer.TokenToId("<tool>");
  std::vector<int32_t> expected = Ids(tokenizer, "a");
  expected.push_back(tool);
  const std::vector<int32_t> b = Ids(tokenizer, "b");
  expected.insert(expected.end(), b.begin(), b.end());
  EXPECT_EQ(Ids(tokenizer, "a \t <tool>\n  b"), expected);
}

TEST(AddedTokenTest, SingleWordOnlyMatchesWholeWords) {
  const Tokenizer tokenizer = LoadFixture("llama2_style");
  const int32_t xyzzy = *tokenizer.TokenToId("xyzzy");
  EXPECT_TRUE(Contains(Ids(tokenizer, "say xyzzy now"), xyzzy));
  EXPECT_TRUE(Contains(Ids(tokenizer, "(xyzzy)"), xyzzy));
  EXPECT_FALSE(Contains(Ids(tokenizer, "xyzzyfoo"), xyzzy));
  EXPECT_FALSE(Contains(Ids(tokenizer, "fooxyzzy"), xyzzy));
  EXPECT_FALSE(Contains(Ids(tokenizer, "\xE4\xB8\xADxyzzy"), xyzzy));  // CJK is a word char
}

// A normalized added token matches its normalized form ("▁yesterday" after Prepend/Replace),
// and (tokenizers 0.23) decodes through that form too.
TEST(AddedTokenTest, NormalizedTokenMatchesNormalizedText) {
  const Tokenizer tokenizer = LoadFixture("llama2_style");
  const int32_t yesterday = *tokenizer.TokenToId("yesterday");
  EXPECT_TRUE(Contains(Ids(tokenizer, "see you yesterday"), yesterday));
  EXPECT_TRUE(Contains(Ids(tokenizer, "yesterday"), yesterday));
  EXPECT_FALSE(Contains(Ids(tokenizer, "theyesterday"), yesterday));
  EXPECT_EQ(tokenizer.Decode(std::vector<int32_t>{yesterday}, false), "yesterday");
  EXPECT_EQ(tokenizer.Decode(Ids(tokenizer, "see you yesterday"), false), "see you yesterday");
}

TEST(AddedTokenTest, SpecialTokensAreMatchedLongestFirstAndSkippable) {
  const Tokenizer tokenizer = LoadFixture("qwen2_style");
  const int32_t start = *tokenizer.TokenToId("<|im_start|>");
  const int32_t end = *tokenizer.TokenToId("<|im_end|>");
  const std::vector<int32_t> ids = Ids(tokenizer, "<|im_start|>user\nhi<|im_end|>");
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), start);
  EXPECT_EQ(ids.back(), end);
  EXPECT_TRUE(tokenizer.IsSpecial(start));
  EXPECT_EQ(tokenizer.Decode(ids, /*skip_special_tokens=*/true), "user\nhi");
  EXPECT_EQ(tokenizer.Decode(ids, /*skip_special_tokens=*/false), "<|im_start|>user\nhi<|im_end|>");
}

TEST(TokenizerTest, PostProcessorAddsBosOnlyWithSpecialTokens) {
  const Tokenizer llama3 = LoadFixture("llama3_style");
  ASSERT_TRUE(llama3.bos_id().has_value());
  EXPECT_EQ(*llama3.TokenToId("<|begin_of_text|>"), *llama3.bos_id());
  EXPECT_EQ(Ids(llama3, "Hi", true).front(), *llama3.bos_id());
  EXPECT_NE(Ids(llama3, "Hi", false).front(), *llama3.bos_id());
  EXPECT_EQ(llama3.eos_ids(), std::vector<int32_t>{*llama3.TokenToId("<|eot_id|>")});
  const Tokenizer llama2 = LoadFixture("llama2_style");
  EXPECT_EQ(Ids(llama2, "", true), std::vector<int32_t>{1});
  EXPECT_EQ(llama2.bos_id(), 1);
}

TEST(TokenizerTest, InvalidUtf8IsRejected) {
  const Tokenizer tokenizer = LoadFixture("gpt2_style");
  for (const std::string_view bad :
       {std::string_view("abc\xFF"), std::string_view("\xC3"), std::string_view("\xED\xA0\x80")}) {
    auto ids = tokenizer.Encode(bad, true);
    ASSERT_FALSE(ids.ok());
    EXPECT_EQ(ids.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(ToStd(ids.status().message()).find("not valid UTF-8"), std::string_view::npos);
  }
}

TEST(TokenizerTest, VocabularyLookups) {
  const Tokenizer tokenizer = LoadFixture("smollm2_style");
  EXPECT_EQ(tokenizer.TokenToId("<|endoftext|>"), 0);
  EXPECT_EQ(tokenizer.IdToToken(2), "<|im_end|>");
  EXPECT_EQ(tokenizer.IdToToken(3), "\xC4\x80");  // Byte 0x00 (U+0100), the first byte token.
  EXPECT_FALSE(tokenizer.IdToToken(tokenizer.vocab_size()).has_value());
  EXPECT_FALSE(tokenizer.IdToToken(-1).has_value());
  EXPECT_EQ(tokenizer.Decode(std::vector<int32_t>{-5, 999999}, false), "");  // Unknown ids skipped.
}

TEST(TokenizerTest, SentencePieceByteFallbackRoundTripsAnyText) {
  const Tokenizer tokenizer = LoadFixture("llama2_style");
  const std::string text =
      "\xEF\xBB\xBF"
      "bom, \xE4\xB8\xAD\xE6\x96\x87 and \xF0\x9F\x98\x80!";
  EXPECT_EQ(tokenizer.Decode(Ids(tokenizer, text), false), text);
}

// A word of 100k characters must not take quadratic time (rank-ordered merge queue).
TEST(TokenizerTest, LongWordsAndLongTextsEncodeQuickly) {
  const Tokenizer tokenizer = LoadFixture("llama3_style");
  const auto start = std::chrono::steady_clock::now();
  const std::string word(100000, 'a');
  EXPECT_EQ(tokenizer.Decode(Ids(tokenizer, word), false), word);
  const Tokenizer sentencepiece = LoadFixture("llama2_style");
  EXPECT_EQ(sentencepiece.Decode(Ids(sentencepiece, word), false), word);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0) << "long words take quadratic time?";
}

}  // namespace
}  // namespace radixlm::engine
