#include "src/server/openai_request.h"

#include "gtest/gtest.h"
#include "src/common/strings.h"
#include "src/server/errors.h"

namespace radixlm::server {
namespace {

absl::StatusOr<OpenAiCall> Chat(std::string_view body) {
  return ParseChatCompletionCall(Json::parse(body), engine::SamplingParams{});
}
absl::StatusOr<OpenAiCall> Completion(std::string_view body) {
  return ParseCompletionCall(Json::parse(body), engine::SamplingParams{});
}
std::string Message(const absl::Status& status) { return std::string(ToStd(status.message())); }

TEST(CheckJsonContentTypeTest, OnlyApplicationJson) {
  EXPECT_TRUE(CheckJsonContentType("application/json").ok());
  EXPECT_TRUE(CheckJsonContentType("Application/JSON; charset=utf-8").ok());
  absl::Status wrong = CheckJsonContentType("text/plain");
  EXPECT_TRUE(IsValidationError(wrong));
  EXPECT_NE(Message(wrong).find("Only 'application/json' is allowed"), std::string::npos);
  EXPECT_FALSE(CheckJsonContentType("").ok());
}

TEST(ParseChatTest, ReadsMessagesSamplingAndStreamOptions) {
  absl::StatusOr<OpenAiCall> call = Chat(R"({
      "model": "m", "messages": [{"role": "system", "content": "Be brief."},
                                 {"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
      "max_tokens": 5, "temperature": 0, "stop": ["\n"], "seed": 7, "stream": true,
      "stream_options": {"include_usage": true}, "logprobs": true, "top_logprobs": 2})");
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_TRUE(call->chat);
  EXPECT_EQ(call->model, "m");
  ASSERT_EQ(call->messages.size(), 2u);
  EXPECT_EQ(call->messages[1]["content"], "Hi");  // text parts flattened
  EXPECT_EQ(call->max_tokens, 5);
  EXPECT_EQ(call->sampling.temperature, 0);
  EXPECT_EQ(call->sampling.stop, (std::vector<std::string>{"\n"}));
  EXPECT_EQ(call->sampling.seed, 7u);
  EXPECT_TRUE(call->stream);
  EXPECT_TRUE(call->include_usage);
  EXPECT_TRUE(call->sampling.return_logprob);
  EXPECT_EQ(call->sampling.top_logprobs, 2);
}

TEST(ParseChatTest, MaxCompletionTokensWinsOverMaxTokens) {
  absl::StatusOr<OpenAiCall> call = Chat(
      R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 5,
          "max_completion_tokens": 9})");
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->max_tokens, 9);
}

TEST(ParseChatTest, RejectsBadRequests) {
  EXPECT_EQ(Message(Chat(R"({"messages": []})").status()), "Messages cannot be empty.");
  EXPECT_TRUE(IsValidationError(Chat(R"({"model": "m"})").status()));
  EXPECT_TRUE(IsValidationError(Chat(R"({"messages": "hi"})").status()));
  EXPECT_TRUE(IsValidationError(Chat(R"({"messages": [{"content": "no role"}]})").status()));
  EXPECT_TRUE(
      IsValidationError(Chat(R"({"messages": [{"role": "user", "content": 5}]})").status()));
  absl::Status negative =
      Chat(R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": -1})").status();
  EXPECT_TRUE(IsValidationError(negative));
  EXPECT_NE(Message(negative).find("max_tokens"), std::string::npos);
  EXPECT_NE(Message(Chat(R"({"messages": [{"role": "user", "content": "x"}], "n": 2})").status())
                .find("n=1"),
            std::string::npos);
  EXPECT_FALSE(Chat(R"({"messages": [{"role": "user", "content": "x"}],
                       "response_format": {"type": "json_object"}})")
                   .ok());
  EXPECT_FALSE(
      Chat(R"({"messages": [{"role": "user", "content": "x"}], "temperature": "hot"})").ok());
  EXPECT_FALSE(
      Chat(R"({"messages": [{"role": "user", "content": "x"}], "top_logprobs": 50})").ok());
  EXPECT_FALSE(Chat(R"({"messages": [{"role": "user",
                       "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]})")
                   .ok());
}

TEST(ParseCompletionTest, PromptShapes) {
  absl::StatusOr<OpenAiCall> text = Completion(R"({"prompt": "Once"})");
  ASSERT_TRUE(text.ok());
  ASSERT_EQ(text->prompts.size(), 1u);
  EXPECT_EQ(text->prompts[0].text, "Once");
  EXPECT_EQ(text->max_tokens, 16);  // OpenAI's default for completions
  absl::StatusOr<OpenAiCall> ids = Completion(R"({"prompt": [1, 2, 3]})");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->prompts[0].input_ids, (std::vector<std::int32_t>{1, 2, 3}));
  absl::StatusOr<OpenAiCall> batch = Completion(R"({"prompt": ["a", "b"], "logprobs": 2})");
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->prompts.size(), 2u);
  EXPECT_TRUE(batch->logprobs);
  EXPECT_EQ(batch->top_logprobs, 2);
  EXPECT_EQ(batch->sampling.logprob_start_len, -1);
  absl::StatusOr<OpenAiCall> lists = Completion(R"({"prompt": [[1], [2, 3]]})");
  ASSERT_TRUE(lists.ok());
  EXPECT_EQ(lists->prompts[1].input_ids, (std::vector<std::int32_t>{2, 3}));
  // echo with logprobs scores the whole prompt; echo alone does not.
  absl::StatusOr<OpenAiCall> echoed = Completion(R"({"prompt": "a", "echo": true, "logprobs": 1})");
  ASSERT_TRUE(echoed.ok());
  EXPECT_EQ(echoed->sampling.logprob_start_len, 0);
  absl::StatusOr<OpenAiCall> echo_only = Completion(R"({"prompt": "a", "echo": true})");
  ASSERT_TRUE(echo_only.ok());
  EXPECT_EQ(echo_only->sampling.logprob_start_len, -1);
}

TEST(ParseCompletionTest, RejectsEmptyAndMalformedPrompts) {
  EXPECT_EQ(Message(Completion(R"({"prompt": ""})").status()), "Prompt cannot be empty");
  EXPECT_EQ(Message(Completion(R"({"prompt": []})").status()), "Prompt cannot be empty");
  EXPECT_TRUE(IsValidationError(Completion(R"({"max_tokens": 3})").status()));
  EXPECT_TRUE(IsValidationError(Completion(R"({"prompt": {"a": 1}})").status()));
  EXPECT_TRUE(IsValidationError(Completion(R"({"prompt": "a", "max_tokens": -5})").status()));
  EXPECT_FALSE(Completion(R"({"prompt": "a", "suffix": "b"})").ok());
}

TEST(FitToContextTest, UsesSglangMessages) {
  OpenAiCall call;
  call.chat = true;
  EXPECT_EQ(Message(FitToContext(100, 100, call)),
            "The input (100 tokens) is longer than the model's context length (100 tokens).");
  call.max_tokens = 200;
  EXPECT_NE(Message(FitToContext(10, 100, call)).find("max_completion_tokens is too large"),
            std::string::npos);
  call.max_tokens = 95;
  EXPECT_NE(Message(FitToContext(10, 100, call))
                .find("Requested token count exceeds the model's maximum context length"),
            std::string::npos);
  call.max_tokens = 90;
  ASSERT_TRUE(FitToContext(10, 100, call).ok());
  EXPECT_EQ(call.sampling.max_new_tokens, 90);
  call.max_tokens.reset();
  ASSERT_TRUE(FitToContext(10, 100, call).ok());
  EXPECT_EQ(call.sampling.max_new_tokens, 90);  // the rest of the context
}

TEST(CutAfterFinalMessageTest, CutsRightAfterTheFinalContent) {
  Json messages = Json::parse(
      R"([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "{\n"}])");
  absl::StatusOr<std::string> cut =
      CutAfterFinalMessage("<user>Hi</user><assistant>{\n</assistant>\n", messages);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(*cut, "<user>Hi</user><assistant>{\n");
  EXPECT_FALSE(CutAfterFinalMessage("nothing", messages).ok());
}

}  // namespace
}  // namespace radixlm::server
