// Malformed tokenizer files are rejected with errors that name what is wrong and where.
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/tokenizer/tokenizer.h"

namespace radixlm::engine {
namespace {

// A small valid tokenizer.json to break in one place per test.
nlohmann::json ValidTokenizer() {
  return nlohmann::json::parse(R"({
    "version": "1.0",
    "added_tokens": [{"id": 5, "content": "<s>", "special": true, "normalized": false}],
    "normalizer": null,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
    "post_processor": null,
    "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "c": 3, "abc": 4},
              "merges": ["a b", ["ab", "c"]]}
  })");
}

// The error for `json`, which must fail to load.
std::string LoadError(const nlohmann::json& json) {
  auto tokenizer = Tokenizer::FromJson(json.dump(), "");
  EXPECT_FALSE(tokenizer.ok()) << "loaded: " << json.dump();
  if (tokenizer.ok()) return "";
  EXPECT_EQ(tokenizer.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(ToStd(tokenizer.status().message()));
}

using ::testing::HasSubstr;

TEST(MalformedTokenizerTest, ValidBaselineLoadsAndEncodes) {
  auto tokenizer = Tokenizer::FromJson(ValidTokenizer().dump(), "");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  auto ids = tokenizer->Encode("abc<s>ab", false);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<int32_t>{4, 5, 2}));
}

TEST(MalformedTokenizerTest, NotJson) {
  auto tokenizer = Tokenizer::FromJson("{\"model\": ", "");
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_THAT(std::string(ToStd(tokenizer.status().message())), HasSubstr("not valid JSON"));
}

TEST(MalformedTokenizerTest, MissingModel) {
  nlohmann::json json = ValidTokenizer();
  json.erase("model");
  EXPECT_THAT(LoadError(json), HasSubstr("model: missing"));
}

TEST(MalformedTokenizerTest, UnknownComponentTypesNameTypeAndPath) {
  nlohmann::json json = ValidTokenizer();
  json["model"]["type"] = "Unigram";
  EXPECT_THAT(LoadError(json), HasSubstr("model.type: unsupported model type \"Unigram\""));

  json = ValidTokenizer();
  json["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "Precompiled"}}}}};
  EXPECT_THAT(
      LoadError(json),
      HasSubstr("normalizer.normalizers[0].type: unsupported normalizer type \"Precompiled\""));

  json = ValidTokenizer();
  json["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
  EXPECT_THAT(LoadError(json), HasSubstr("pre_tokenizer.type: unsupported pre_tokenizer type"));

  json = ValidTokenizer();
  json["decoder"] = {{"type", "WordPiece"}};
  EXPECT_THAT(LoadError(json), HasSubstr("decoder.type: unsupported decoder type \"WordPiece\""));

  json = ValidTokenizer();
  json["post_processor"] = {{"type", "RobertaProcessing"}};
  EXPECT_THAT(LoadError(json), HasSubstr("post_processor.type: unsupported post_processor type"));

  json = ValidTokenizer();
  json["pre_tokenizer"] = {{"kind", "ByteLevel"}};
  EXPECT_THAT(LoadError(json), HasSubstr("pre_tokenizer.type: missing or not a string"));
}

TEST(MalformedTokenizerTest, MergesReferringToUnknownTokens) {
  nlohmann::json json = ValidTokenizer();
  json["model"]["merges"] = {"a b", "ab z"};
  EXPECT_THAT(LoadError(json),
              HasSubstr("model.merges[1]: merge refers to \"z\", which is not in model.vocab"));

  json = ValidTokenizer();
  json["model"]["merges"] = {"b c"};
  EXPECT_THAT(LoadError(json), HasSubstr("merged token \"bc\" is not in model.vocab"));

  json = ValidTokenizer();
  json["model"]["merges"] = {"a b c"};
  EXPECT_THAT(LoadError(json), HasSubstr("model.merges[0]: merge \"a b c\" is not two tokens"));

  json = ValidTokenizer();
  json["model"]["merges"] = {{"a"}};
  EXPECT_THAT(LoadError(json), HasSubstr("model.merges[0]: expected a merge"));
}

TEST(MalformedTokenizerTest, BadVocabularyAndModelFields) {
  nlohmann::json json = ValidTokenizer();
  json["model"]["vocab"]["d"] = -1;
  EXPECT_THAT(LoadError(json), HasSubstr("model.vocab.d: expected a non-negative integer id"));

  json = ValidTokenizer();
  json["model"]["vocab"]["d"] = 0;
  EXPECT_THAT(LoadError(json), HasSubstr("is already used by"));

  json = ValidTokenizer();
  json["model"]["dropout"] = 0.1;
  EXPECT_THAT(LoadError(json), HasSubstr("model.dropout"));

  json = ValidTokenizer();
  json["model"]["unk_token"] = "<unk>";
  EXPECT_THAT(LoadError(json), HasSubstr("unk_token \"<unk>\" is not in model.vocab"));

  json = ValidTokenizer();
  json["model"]["byte_fallback"] = "yes";
  EXPECT_THAT(LoadError(json), HasSubstr("model.byte_fallback: expected true or false"));
}

TEST(MalformedTokenizerTest, BadComponentFields) {
  nlohmann::json json = ValidTokenizer();
  json["pre_tokenizer"] = {
      {"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
  EXPECT_THAT(LoadError(json), HasSubstr("pre_tokenizer.pattern: regex pattern \"(unclosed\""));

  json = ValidTokenizer();
  json["pre_tokenizer"] = {
      {"type", "Split"}, {"pattern", {{"String", "x"}}}, {"behavior", "Sideways"}};
  EXPECT_THAT(LoadError(json), HasSubstr("unknown split behavior \"Sideways\""));

  json = ValidTokenizer();
  json["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "ab"}};
  EXPECT_THAT(LoadError(json),
              HasSubstr("pre_tokenizer.replacement: expected exactly one character"));

  json = ValidTokenizer();
  json["post_processor"] = {{"type", "TemplateProcessing"},
                            {"single",
                             {{{"SpecialToken", {{"id", "<bos>"}, {"type_id", 0}}}},
                              {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                            {"special_tokens", nlohmann::json::object()}};
  EXPECT_THAT(LoadError(json), HasSubstr("special token \"<bos>\" is not listed"));

  json = ValidTokenizer();
  json["added_tokens"] = {{{"id", 9}}};
  EXPECT_THAT(LoadError(json), HasSubstr("added_tokens[0].content: missing"));

  json = ValidTokenizer();
  json["version"] = "2.0";
  EXPECT_THAT(LoadError(json), HasSubstr("unknown tokenizer.json version"));
}

TEST(MalformedTokenizerTest, MissingFolderIsNotFound) {
  auto tokenizer = Tokenizer::FromFolder("/nonexistent/radixlm-model");
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_EQ(tokenizer.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(ToStd(tokenizer.status().message())), HasSubstr("has no tokenizer.json"));
}

}  // namespace
}  // namespace radixlm::engine
