#include "src/server/generate_request.h"

#include "gtest/gtest.h"
#include "src/common/strings.h"
#include "src/server/errors.h"

namespace radixlm::server {
namespace {

constexpr std::int64_t kContext = 2048;

absl::StatusOr<GenerateCall> Parse(std::string_view body) {
  return ParseGenerateCall(Json::parse(body), engine::SamplingParams{}, kContext);
}

std::string Message(const absl::Status& status) { return std::string(ToStd(status.message())); }

std::string NoText(std::int32_t) { return ""; }

TEST(ParseGenerateCallTest, SingleTextPrompt) {
  absl::StatusOr<GenerateCall> call =
      Parse(R"({"text": "Hello", "sampling_params": {"max_new_tokens": 4}, "rid": "r1"})");
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_FALSE(call->batch);
  ASSERT_EQ(call->items.size(), 1u);
  EXPECT_EQ(call->items[0].text, "Hello");
  EXPECT_EQ(call->items[0].rid, "r1");
  EXPECT_EQ(call->items[0].sampling.max_new_tokens, 4);
}

TEST(ParseGenerateCallTest, BatchOfTextsSuffixesAStringRid) {
  absl::StatusOr<GenerateCall> call = Parse(R"({"text": ["a", "b"], "rid": "batch"})");
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_TRUE(call->batch);
  ASSERT_EQ(call->items.size(), 2u);
  EXPECT_EQ(call->items[0].rid, "batch_0");
  EXPECT_EQ(call->items[1].rid, "batch_1");
}

TEST(ParseGenerateCallTest, BatchOfIdListsWithPerItemSamplingParams) {
  absl::StatusOr<GenerateCall> call = Parse(
      R"({"input_ids": [[1, 2], [3]], "sampling_params": [{"max_new_tokens": 1},
          {"max_new_tokens": 2}], "return_logprob": [true, false], "top_logprobs_num": 3})");
  ASSERT_TRUE(call.ok()) << call.status();
  ASSERT_EQ(call->items.size(), 2u);
  EXPECT_EQ(call->items[0].input_ids, (std::vector<std::int32_t>{1, 2}));
  EXPECT_EQ(call->items[1].sampling.max_new_tokens, 2);
  EXPECT_TRUE(call->items[0].sampling.return_logprob);
  EXPECT_EQ(call->items[0].sampling.top_logprobs, 3);
  EXPECT_FALSE(call->items[1].sampling.return_logprob);
  EXPECT_NE(call->items[0].rid, call->items[1].rid);
  EXPECT_EQ(call->items[0].rid.size(), 32u);
}

TEST(ParseGenerateCallTest, PromptErrorsUseSglangMessages) {
  EXPECT_EQ(Message(Parse(R"({"sampling_params": {}})").status()),
            "Either text, input_ids or input_embeds should be provided.");
  EXPECT_EQ(Message(Parse(R"({"input_ids": []})").status()), "input_ids cannot be empty.");
  EXPECT_FALSE(Parse(R"({"text": "a", "input_ids": [1]})").ok());
  EXPECT_TRUE(IsValidationError(Parse(R"({"text": 5})").status()));
  EXPECT_TRUE(IsValidationError(Parse(R"({"input_ids": ["a"]})").status()));
  EXPECT_TRUE(IsValidationError(Parse(R"({"text": "a", "stream": "yes"})").status()));
  EXPECT_FALSE(Parse(R"({"text": ["a", "b"], "rid": ["only-one"]})").ok());
  EXPECT_FALSE(Parse(R"({"text": ["a"], "sampling_params": [{}, {}]})").ok());
}

TEST(ParseGenerateCallTest, SessionParamsAreParsedAndRefusedForBatches) {
  absl::StatusOr<GenerateCall> call = Parse(
      R"({"text": "a", "session_params": {"id": "s", "rid": "r0", "offset": -1, "replace": true}})");
  ASSERT_TRUE(call.ok()) << call.status();
  ASSERT_TRUE(call->items[0].session.has_value());
  EXPECT_EQ(call->items[0].session->id, "s");
  EXPECT_EQ(call->items[0].session->rid, "r0");
  EXPECT_EQ(call->items[0].session->offset, -1);
  EXPECT_TRUE(call->items[0].session->replace);
  EXPECT_FALSE(Parse(R"({"text": ["a", "b"], "session_params": {"id": "s"}})").ok());
  EXPECT_FALSE(Parse(R"({"text": "a", "session_params": {"rid": "x"}})").ok());
}

TEST(FinishReasonJsonTest, HasSglangShapes) {
  engine::GenerateResult result;
  result.finish_reason = engine::FinishReason::kStop;
  result.matched_stop = 2;
  EXPECT_EQ(FinishReasonJson(result, 16), Json::parse(R"({"type":"stop","matched":2})"));
  result.finish_reason = engine::FinishReason::kLength;
  EXPECT_EQ(FinishReasonJson(result, 16), Json::parse(R"({"type":"length","length":16})"));
  result.finish_reason = engine::FinishReason::kAbort;
  result.error = absl::CancelledError("the request was aborted");
  Json abort = FinishReasonJson(result, 16);
  EXPECT_EQ(abort["type"], "abort");
  EXPECT_TRUE(abort["status_code"].is_null());  // a client's abort, not a failure
  result.error = absl::UnavailableError("the engine is shutting down");
  Json failed = FinishReasonJson(result, 16);
  EXPECT_EQ(failed["status_code"], 503);
  EXPECT_EQ(failed["message"], "the engine is shutting down");
}

TEST(GenerateResultJsonTest, CarriesTextIdsAndMetaInfo) {
  absl::StatusOr<GenerateCall> call = Parse(R"({"text": "a", "rid": "r"})");
  ASSERT_TRUE(call.ok());
  engine::GenerateResult result;
  result.rid = "r";
  result.text = "xyz";
  result.output_ids = {5, 6};
  result.finish_reason = engine::FinishReason::kLength;
  result.prompt_tokens = 7;
  result.cached_tokens = 3;
  result.completion_tokens = 2;
  Json object = GenerateResultJson(call->items[0], result, 0.5, std::nullopt, NoText);
  EXPECT_EQ(object["text"], "xyz");
  EXPECT_EQ(object["output_ids"], Json::parse("[5,6]"));
  const Json& meta = object["meta_info"];
  EXPECT_EQ(meta["id"], "r");
  EXPECT_EQ(meta["prompt_tokens"], 7);
  EXPECT_EQ(meta["cached_tokens"], 3);
  EXPECT_EQ(meta["completion_tokens"], 2);
  EXPECT_EQ(meta["finish_reason"]["type"], "length");
  EXPECT_DOUBLE_EQ(meta["e2e_latency"].get<double>(), 0.5);
  EXPECT_FALSE(object.contains("index"));
  EXPECT_FALSE(meta.contains("output_token_logprobs"));
}

TEST(GenerateResultJsonTest, LogprobsAreTriples) {
  absl::StatusOr<GenerateCall> call = Parse(
      R"({"text": "a", "return_logprob": true, "top_logprobs_num": 1,
          "return_text_in_logprobs": true})");
  ASSERT_TRUE(call.ok());
  engine::GenerateResult result;
  result.output_ids = {5};
  result.logprobs = {{.token = 5, .logprob = -0.5f, .top = {{.token = 5, .logprob = -0.5f}}}};
  Json meta = GenerateResultJson(call->items[0], result, 0, 1, [](std::int32_t token) {
    return StrCat("t", token);
  })["meta_info"];
  EXPECT_EQ(meta["output_token_logprobs"], Json::parse(R"([[-0.5, 5, "t5"]])"));
  EXPECT_EQ(meta["output_top_logprobs"], Json::parse(R"([[[-0.5, 5, "t5"]]])"));
}

TEST(GenerateResultJsonTest, InputLogprobsStartWithANullEntry) {
  absl::StatusOr<GenerateCall> call = Parse(
      R"({"input_ids": [7, 8, 9], "return_logprob": true, "top_logprobs_num": 1,
          "logprob_start_len": 0, "return_text_in_logprobs": true})");
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->items[0].sampling.logprob_start_len, 0);
  engine::GenerateResult result;
  result.prompt_logprobs = {{.token = 8, .logprob = -1, .top = {{.token = 4, .logprob = -0.5f}}},
                            {.token = 9, .logprob = -2, .top = {{.token = 9, .logprob = -2}}}};
  auto text = [](std::int32_t token) { return StrCat("t", token); };
  Json meta = GenerateResultJson(call->items[0], result, 0, std::nullopt, text)["meta_info"];
  EXPECT_EQ(meta["input_token_logprobs"],
            Json::parse(R"([[null, 7, "t7"], [-1.0, 8, "t8"], [-2.0, 9, "t9"]])"));
  EXPECT_EQ(meta["input_top_logprobs"],
            Json::parse(R"([null, [[-0.5, 4, "t4"]], [[-2.0, 9, "t9"]]])"));

  // One start per prompt of a batch; without return_logprob it means nothing.
  absl::StatusOr<GenerateCall> batch = Parse(
      R"({"input_ids": [[7, 8, 9], [7, 8]], "return_logprob": [true, false],
          "logprob_start_len": [1, 0]})");
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->items[0].sampling.logprob_start_len, 1);
  EXPECT_EQ(batch->items[1].sampling.logprob_start_len, -1);
  EXPECT_FALSE(Parse(R"({"input_ids": [[7], [8]], "logprob_start_len": [1]})").ok());
  EXPECT_FALSE(Parse(R"({"input_ids": [7], "logprob_start_len": "1"})").ok());

  // Without logprob_start_len: the last prompt token only, as SGLang.
  absl::StatusOr<GenerateCall> plain = Parse(R"({"input_ids": [7, 8, 9], "return_logprob": true})");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->items[0].sampling.logprob_start_len, -1);
  meta = GenerateResultJson(plain->items[0], engine::GenerateResult{}, 0, std::nullopt,
                            NoText)["meta_info"];
  EXPECT_EQ(meta["input_token_logprobs"], Json::parse(R"([[null, 9, null]])"));
  EXPECT_FALSE(meta.contains("input_top_logprobs"));
}

TEST(GenerateChunkJsonTest, IsCumulativeWithNullFinishReason) {
  absl::StatusOr<GenerateCall> call = Parse(R"({"text": ["a", "b"]})");
  ASSERT_TRUE(call.ok());
  GenerateProgress progress{
      .text = "so far", .output_ids = {1, 2, 3}, .prompt_tokens = 4, .cached_tokens = 1};
  Json chunk = GenerateChunkJson(call->items[1], progress, 1, NoText);
  EXPECT_EQ(chunk["text"], "so far");
  EXPECT_EQ(chunk["index"], 1);
  EXPECT_TRUE(chunk["meta_info"]["finish_reason"].is_null());
  EXPECT_EQ(chunk["meta_info"]["completion_tokens"], 3);
  EXPECT_EQ(chunk["meta_info"]["cached_tokens"], 1);
}

}  // namespace
}  // namespace radixlm::server
