#include "src/server/request_parsing.h"

#include "gtest/gtest.h"
#include "src/common/strings.h"
#include "src/server/errors.h"

namespace radixlm::server {
namespace {

std::string Message(const absl::Status& status) { return std::string(ToStd(status.message())); }

TEST(ParseJsonObjectTest, MalformedJsonIsAValidationError) {
  absl::StatusOr<Json> parsed = ParseJsonObject("{\"text\": ");
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(IsValidationError(parsed.status()));
  EXPECT_NE(Message(parsed.status()).find("JSON decode error"), std::string::npos);
}

TEST(ParseJsonObjectTest, NonObjectBodyIsRejected) {
  EXPECT_FALSE(ParseJsonObject("[1,2]").ok());
  EXPECT_FALSE(ParseJsonObject("\"text\"").ok());
  EXPECT_FALSE(ParseJsonObject("").ok());
  EXPECT_TRUE(ParseJsonObject("", /*empty_ok=*/true).ok());
}

TEST(ParseJsonObjectTest, InvalidUtf8InsideAStringIsRejected) {
  absl::StatusOr<Json> parsed = ParseJsonObject("{\"text\": \"abc\xff\xfe\"}");
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(IsValidationError(parsed.status()));
}

TEST(FieldReaderTest, ReadsTypesAndTreatsNullAsAbsent) {
  Json object = Json::parse(R"({"a": 3, "b": 2.5, "c": true, "d": "x", "e": null, "f": 4.0})");
  FieldReader reader(object, "body");
  EXPECT_EQ(reader.Int("a"), 3);
  EXPECT_EQ(reader.Number("b"), 2.5);
  EXPECT_EQ(reader.Bool("c"), true);
  EXPECT_EQ(reader.String("d"), "x");
  EXPECT_EQ(reader.Int("e"), std::nullopt);
  EXPECT_EQ(reader.Int("f"), 4);  // pydantic accepts an integral float for an int
  EXPECT_EQ(reader.Int("missing"), std::nullopt);
  EXPECT_TRUE(reader.ok());
}

TEST(FieldReaderTest, WrongTypeNamesTheField) {
  Json object = Json::parse(R"({"max_tokens": "ten", "temperature": "hot"})");
  FieldReader reader(object, "body");
  reader.Int("max_tokens");
  reader.Number("temperature");
  ASSERT_FALSE(reader.ok());
  EXPECT_TRUE(IsValidationError(reader.status()));
  // The first error wins.
  EXPECT_NE(Message(reader.status()).find("body.max_tokens"), std::string::npos);
  EXPECT_NE(Message(reader.status()).find("valid integer"), std::string::npos);
}

TEST(FieldReaderTest, FractionalNumberIsNotAnInteger) {
  Json object = Json::parse(R"({"n": 1.5})");
  FieldReader reader(object, "body");
  EXPECT_EQ(reader.Int("n"), std::nullopt);
  EXPECT_FALSE(reader.ok());
}

TEST(FieldReaderTest, StringOrListAcceptsBothShapes) {
  Json object = Json::parse(R"({"one": "\n", "many": ["a", "b"], "bad": [1]})");
  FieldReader reader(object, "body");
  EXPECT_EQ(reader.StringOrList("one"), (std::vector<std::string>{"\n"}));
  EXPECT_EQ(reader.StringOrList("many"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(reader.ok());
  EXPECT_EQ(reader.StringOrList("bad"), std::nullopt);
  EXPECT_FALSE(reader.ok());
}

TEST(FieldReaderTest, IntListRejectsNestedAndNegativeIds) {
  Json object = Json::parse(R"({"ok": [1, 2], "nested": [[1]], "negative": [-1]})");
  FieldReader first(object, "body");
  EXPECT_EQ(first.IntList("ok"), (std::vector<std::int32_t>{1, 2}));
  EXPECT_EQ(first.IntList("nested"), std::nullopt);
  EXPECT_NE(Message(first.status()).find("flat list"), std::string::npos);
  FieldReader second(object, "body");
  EXPECT_EQ(second.IntList("negative"), std::nullopt);
  EXPECT_FALSE(second.ok());
}

TEST(NativeSamplingParamsTest, AppliesFieldsOverDefaults) {
  engine::SamplingParams params;
  params.temperature = 0.7;
  Json object = Json::parse(
      R"({"max_new_tokens": 8, "top_k": 5, "stop": "\n", "stop_token_ids": [2],
          "ignore_eos": true, "sampling_seed": 42, "n": 1, "spaces_between_special_tokens": true})");
  ASSERT_TRUE(ApplyNativeSamplingParams(object, 2048, params).ok());
  EXPECT_EQ(params.max_new_tokens, 8);
  EXPECT_EQ(params.top_k, 5);
  EXPECT_DOUBLE_EQ(params.temperature, 0.7);
  EXPECT_EQ(params.stop, (std::vector<std::string>{"\n"}));
  EXPECT_EQ(params.stop_token_ids, (std::vector<std::int32_t>{2}));
  EXPECT_TRUE(params.ignore_eos);
  EXPECT_EQ(params.seed, 42u);
}

TEST(NativeSamplingParamsTest, NullMaxNewTokensMeansTheRestOfTheContext) {
  engine::SamplingParams params;
  ASSERT_TRUE(
      ApplyNativeSamplingParams(Json::parse(R"({"max_new_tokens": null})"), 2048, params).ok());
  EXPECT_EQ(params.max_new_tokens, 2048);
}

TEST(NativeSamplingParamsTest, RejectsUnknownUnsupportedAndNegativeValues) {
  engine::SamplingParams params;
  absl::Status unknown =
      ApplyNativeSamplingParams(Json::parse(R"({"tempreature": 1})"), 2048, params);
  EXPECT_NE(Message(unknown).find("unexpected keyword argument 'tempreature'"), std::string::npos);
  absl::Status regex = ApplyNativeSamplingParams(Json::parse(R"({"regex": "a+"})"), 2048, params);
  EXPECT_NE(Message(regex).find("not supported"), std::string::npos);
  absl::Status n = ApplyNativeSamplingParams(Json::parse(R"({"n": 2})"), 2048, params);
  EXPECT_NE(Message(n).find("n=1"), std::string::npos);
  absl::Status negative =
      ApplyNativeSamplingParams(Json::parse(R"({"max_new_tokens": -1})"), 2048, params);
  EXPECT_NE(Message(negative).find("max_new_tokens must be at least 0"), std::string::npos);
  EXPECT_FALSE(ApplyNativeSamplingParams(Json::parse("[1]"), 2048, params).ok());
}

TEST(Utf8Test, AcceptsValidAndRejectsMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
}

}  // namespace
}  // namespace radixlm::server
