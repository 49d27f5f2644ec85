#include "src/server/openai_response.h"

#include "gtest/gtest.h"
#include "src/common/strings.h"

namespace radixlm::server {
namespace {

std::string TokenText(std::int32_t token) { return StrCat("<", token, ">"); }

engine::GenerateResult Finished() {
  engine::GenerateResult result;
  result.text = "Hello";
  result.output_ids = {7, 8};
  result.finish_reason = engine::FinishReason::kStop;
  result.matched_stop = 2;
  result.prompt_tokens = 10;
  result.cached_tokens = 4;
  result.completion_tokens = 2;
  result.logprobs = {{.token = 7, .logprob = -0.25f, .top = {{.token = 7, .logprob = -0.25f}}},
                     {.token = 8, .logprob = -1.0f, .top = {{.token = 9, .logprob = -0.5f}}}};
  return result;
}

const OpenAiIdentity kIdentity{.id = "abc", .created = 1700000000, .model = "m"};

TEST(UsageJsonTest, AlwaysReportsCachedTokens) {
  Json usage = UsageJson({.prompt_tokens = 10, .completion_tokens = 2, .cached_tokens = 0});
  EXPECT_EQ(usage["total_tokens"], 12);
  EXPECT_EQ(usage["prompt_tokens_details"]["cached_tokens"], 0);
  EXPECT_EQ(usage["reasoning_tokens"], 0);
}

TEST(ChatCompletionJsonTest, HasTheOpenAiShape) {
  OpenAiCall call;
  call.chat = true;
  Json body = ChatCompletionJson(call, kIdentity, Finished(), TokenText);
  EXPECT_EQ(body["id"], "abc");
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "m");
  const Json& choice = body["choices"][0];
  EXPECT_EQ(choice["message"]["role"], "assistant");
  EXPECT_EQ(choice["message"]["content"], "Hello");
  EXPECT_EQ(choice["finish_reason"], "stop");
  EXPECT_EQ(choice["matched_stop"], 2);
  EXPECT_TRUE(choice["logprobs"].is_null());
  EXPECT_EQ(body["usage"]["prompt_tokens_details"]["cached_tokens"], 4);
}

TEST(ChatCompletionJsonTest, LogprobsHaveTokensBytesAndAlternatives) {
  OpenAiCall call;
  call.chat = true;
  call.logprobs = true;
  Json logprobs =
      ChatCompletionJson(call, kIdentity, Finished(), TokenText)["choices"][0]["logprobs"];
  ASSERT_EQ(logprobs["content"].size(), 2u);
  EXPECT_EQ(logprobs["content"][0]["token"], "<7>");
  EXPECT_EQ(logprobs["content"][0]["bytes"], Json::parse("[60, 55, 62]"));
  EXPECT_FLOAT_EQ(logprobs["content"][1]["logprob"].get<float>(), -1.0f);
  EXPECT_EQ(logprobs["content"][1]["top_logprobs"][0]["token"], "<9>");
}

TEST(CompletionJsonTest, EchoAndLegacyLogprobs) {
  OpenAiCall call;
  call.logprobs = true;
  call.top_logprobs = 1;
  call.echo = true;
  engine::GenerateResult result = Finished();
  // The prompt [3, 4]: 3 has no log probability, 4 was scored.
  result.prompt_logprobs = {
      {.token = 4, .logprob = -2.0f, .top = {{.token = 5, .logprob = -1.5f}}}};
  Json body = CompletionJson(call, kIdentity, {{"Say: ", result, 3}}, TokenText);
  EXPECT_EQ(body["object"], "text_completion");
  Json choice = body["choices"][0];
  EXPECT_EQ(choice["text"], "Say: Hello");
  // The echoed prompt's entries first (offsets from the prompt's start), then the output's
  // (offsets from the end of the echoed text).
  EXPECT_EQ(choice["logprobs"]["tokens"], Json::parse(R"(["<3>", "<4>", "<7>", "<8>"])"));
  EXPECT_EQ(choice["logprobs"]["token_logprobs"], Json::parse("[null, -2.0, -0.25, -1.0]"));
  EXPECT_EQ(choice["logprobs"]["text_offset"], Json::parse("[0, 3, 5, 8]"));
  EXPECT_TRUE(choice["logprobs"]["top_logprobs"][0].is_null());
  EXPECT_TRUE(choice["logprobs"]["top_logprobs"][1].contains("<5>"));
  EXPECT_TRUE(choice["logprobs"]["top_logprobs"][3].contains("<9>"));
  EXPECT_EQ(body["usage"]["completion_tokens"], 2);

  call.echo = false;  // the output's entries only
  choice = CompletionJson(call, kIdentity, {{"", result, 3}}, TokenText)["choices"][0];
  EXPECT_EQ(choice["logprobs"]["tokens"], Json::parse(R"(["<7>", "<8>"])"));
  EXPECT_EQ(choice["logprobs"]["text_offset"], Json::parse("[0, 3]"));
}

TEST(ChatChunksTest, RoleContentFinishAndUsageChunks) {
  Json role = ChatRoleChunk(kIdentity);
  EXPECT_EQ(role["object"], "chat.completion.chunk");
  EXPECT_EQ(role["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(role["choices"][0]["delta"]["content"], "");
  EXPECT_FALSE(role.contains("usage"));
  Json content = ChatContentChunk(kIdentity, "He", nullptr, std::nullopt);
  EXPECT_EQ(content["choices"][0]["delta"]["content"], "He");
  EXPECT_TRUE(content["choices"][0]["finish_reason"].is_null());
  Json finish = ChatFinishChunk(kIdentity, Finished());
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "stop");
  EXPECT_FALSE(finish["choices"][0]["delta"].contains("content"));
  Json usage = UsageChunk(kIdentity, true, {10, 2, 4});
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["prompt_tokens_details"]["cached_tokens"], 4);
}

TEST(CompletionChunkTest, LastChunkCarriesFinishReason) {
  engine::GenerateResult result = Finished();
  Json middle = CompletionChunk(kIdentity, 1, "x", nullptr, nullptr, std::nullopt);
  EXPECT_EQ(middle["choices"][0]["index"], 1);
  EXPECT_TRUE(middle["choices"][0]["finish_reason"].is_null());
  EXPECT_TRUE(middle["usage"].is_null());
  Json last = CompletionChunk(kIdentity, 0, "", nullptr, &result, std::nullopt);
  EXPECT_EQ(last["choices"][0]["finish_reason"], "stop");
}

}  // namespace
}  // namespace radixlm::server
