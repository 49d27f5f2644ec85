#include "src/client/protocol.h"

#include "gtest/gtest.h"

namespace radixlm::sglang::internal {
namespace {

using nlohmann::json;

TEST(ProtocolTest, ExplicitZeroTemperatureIsSent) {
  CompletionRequest request;
  request.messages = {{.role = "user", .content = "hi"}};
  request.temperature = 0.0;
  request.max_tokens = 0;
  json body = EncodeCompletionRequest(request, "default", false);
  ASSERT_TRUE(body.contains("temperature"));
  EXPECT_EQ(body["temperature"], 0.0);
  EXPECT_EQ(body["max_tokens"], 0);
}

TEST(ProtocolTest, UnsetFieldsAreNotSent) {
  CompletionRequest request;
  request.messages = {{.role = "user", .content = "hi"}};
  json body = EncodeCompletionRequest(request, "my-model", false);
  EXPECT_EQ(body, (json{{"model", "my-model"},
                        {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}}));
}

TEST(ProtocolTest, EveryCommonFieldIsEncoded) {
  CompletionRequest request;
  request.model = "m";
  request.messages = {{.role = "user", .content = "hi", .name = "ann"}};
  request.temperature = 0.7;
  request.top_p = 0.9;
  request.top_k = 40;
  request.min_p = 0.05;
  request.max_tokens = 500;
  request.stop = {"\n\n", "END"};
  request.seed = 42;
  request.frequency_penalty = 0.5;
  request.presence_penalty = -0.5;
  request.repetition_penalty = 1.1;
  request.response_format = json{{"type", "json_object"}};
  request.stream_options = StreamOptions{.include_usage = true, .continuous_usage_stats = true};
  request.logprobs = true;
  request.top_logprobs = 3;
  request.extra = {{"regex", "[a-z]+"}, {"top_k", 7}};
  json body = EncodeCompletionRequest(request, "default", true);
  EXPECT_EQ(body["model"], "m");
  EXPECT_EQ(body["messages"][0]["name"], "ann");
  EXPECT_EQ(body["temperature"], 0.7);
  EXPECT_EQ(body["top_p"], 0.9);
  EXPECT_EQ(body["top_k"], 7) << "extra overrides typed fields";
  EXPECT_EQ(body["min_p"], 0.05);
  EXPECT_EQ(body["max_tokens"], 500);
  EXPECT_EQ(body["stop"], json({"\n\n", "END"}));
  EXPECT_EQ(body["seed"], 42);
  EXPECT_EQ(body["frequency_penalty"], 0.5);
  EXPECT_EQ(body["presence_penalty"], -0.5);
  EXPECT_EQ(body["repetition_penalty"], 1.1);
  EXPECT_EQ(body["response_format"]["type"], "json_object");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_EQ(body["stream_options"]["continuous_usage_stats"], true);
  EXPECT_EQ(body["logprobs"], true);
  EXPECT_EQ(body["top_logprobs"], 3);
  EXPECT_EQ(body["regex"], "[a-z]+");
}

TEST(ProtocolTest, EncodingIsDeterministic) {
  CompletionRequest request;
  request.messages = {{.role = "system", .content = "s"}, {.role = "user", .content = "u"}};
  request.temperature = 0.0;
  request.extra = {{"b", 1}, {"a", 2}};
  EXPECT_EQ(EncodeCompletionRequest(request, "d", false).dump(),
            EncodeCompletionRequest(request, "d", false).dump());
}

TEST(ProtocolTest, DecodesResponseWithCachedTokens) {
  json body = json::parse(R"({
    "id": "abc", "object": "chat.completion", "created": 1732694400, "model": "default",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!",
                 "reasoning_content": null, "tool_calls": null},
                 "logprobs": null, "finish_reason": "stop", "matched_stop": 2}],
    "usage": {"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23,
              "prompt_tokens_details": {"cached_tokens": 19}, "reasoning_tokens": 0},
    "metadata": {"weight_version": "default"}})");
  absl::StatusOr<CompletionResponse> response = DecodeCompletionResponse(body);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->Text(), "Hi!");
  EXPECT_EQ(response->created, 1732694400);
  EXPECT_EQ(response->choices[0].finish_reason, "stop");
  EXPECT_EQ(response->choices[0].matched_stop, 2);
  EXPECT_EQ(response->usage.prompt_tokens, 20);
  EXPECT_EQ(response->usage.total_tokens, 23);
  EXPECT_EQ(response->usage.cached_tokens, 19);
  EXPECT_EQ(response->raw["metadata"]["weight_version"], "default");
}

TEST(ProtocolTest, NullPromptTokenDetailsMeansUnknownCachedTokens) {
  json body = json::parse(R"({"id": "a", "choices": [{"index": 0, "message": {"role": "assistant",
      "content": "x"}, "finish_reason": "length"}],
      "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6,
                "prompt_tokens_details": null}})");
  absl::StatusOr<CompletionResponse> response = DecodeCompletionResponse(body);
  ASSERT_TRUE(response.ok());
  EXPECT_FALSE(response->usage.cached_tokens.has_value());
}

TEST(ProtocolTest, MalformedResponsesNameTheField) {
  absl::StatusOr<CompletionResponse> missing = DecodeCompletionResponse(json{{"id", "x"}});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(missing.status().message().find("choices"), absl::string_view::npos);
  absl::StatusOr<CompletionResponse> wrong_type = DecodeCompletionResponse(json::parse(
      R"({"choices": [{"message": {"content": 5}}], "usage": {"prompt_tokens": "many"}})"));
  EXPECT_EQ(wrong_type.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(wrong_type.status().message().find("choices[0].message.content"),
            absl::string_view::npos);
  EXPECT_EQ(ParseJsonBody("{\"choices\": [", "POST /x").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseJsonBody("<html>oops</html>", "POST /x").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(ProtocolTest, GenerateNeedsExactlyOneInput) {
  GenerateRequest neither;
  EXPECT_EQ(EncodeGenerateRequest(neither, false).status().code(),
            absl::StatusCode::kInvalidArgument);
  GenerateRequest both;
  both.text = "a";
  both.input_ids = {1};
  EXPECT_EQ(EncodeGenerateRequest(both, false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProtocolTest, EncodesGenerateRequest) {
  GenerateRequest request;
  request.input_ids = {1, 2, 3};
  request.sampling_params.max_new_tokens = 0;
  request.sampling_params.temperature = 0.0;
  request.sampling_params.stop_token_ids = {2};
  request.sampling_params.extra = {{"regex", "a|b"}};
  request.return_logprob = true;
  request.logprob_start_len = 0;
  request.top_logprobs_num = 2;
  request.rid = "r1";
  request.session_params = SessionParams{.id = "s", .rid = "r0", .offset = -1, .replace = true};
  absl::StatusOr<json> body = EncodeGenerateRequest(request, true);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ((*body)["input_ids"], json({1, 2, 3}));
  EXPECT_FALSE(body->contains("text"));
  EXPECT_EQ((*body)["sampling_params"]["max_new_tokens"], 0);
  EXPECT_EQ((*body)["sampling_params"]["temperature"], 0.0);
  EXPECT_EQ((*body)["sampling_params"]["regex"], "a|b");
  EXPECT_EQ((*body)["stream"], true);
  EXPECT_EQ((*body)["return_logprob"], true);
  EXPECT_EQ((*body)["logprob_start_len"], 0);
  EXPECT_EQ((*body)["top_logprobs_num"], 2);
  EXPECT_EQ((*body)["rid"], "r1");
  EXPECT_EQ((*body)["session_params"],
            (json{{"id", "s"}, {"rid", "r0"}, {"offset", -1}, {"replace", true}}));
}

TEST(ProtocolTest, DecodesGenerateResponse) {
  json body = json::parse(R"({"text": " Paris", "output_ids": [12366],
      "meta_info": {"id": "r", "finish_reason": {"type": "length", "length": 1},
                    "prompt_tokens": 6, "completion_tokens": 1, "cached_tokens": 5,
                    "e2e_latency": 0.25, "weight_version": "default"}})");
  absl::StatusOr<GenerateResponse> response = DecodeGenerateResponse(body);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->text, " Paris");
  EXPECT_EQ(response->output_ids, std::vector<std::int32_t>{12366});
  EXPECT_EQ(response->meta_info.cached_tokens, 5);
  EXPECT_EQ(response->meta_info.finish_reason["type"], "length");
  EXPECT_EQ(response->meta_info.e2e_latency_seconds, 0.25);
}

TEST(ProtocolTest, DecodesModels) {
  json body = json::parse(R"({"object": "list", "data": [{"id": "meta-llama/Llama-3.2-1B",
      "object": "model", "created": 1, "owned_by": "sglang", "root": "meta-llama/Llama-3.2-1B",
      "parent": null, "max_model_len": 131072}]})");
  absl::StatusOr<std::vector<ModelCard>> models = DecodeModels(body);
  ASSERT_TRUE(models.ok());
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ((*models)[0].id, "meta-llama/Llama-3.2-1B");
  EXPECT_EQ((*models)[0].max_model_len, 131072);
  EXPECT_EQ(DecodeModels(json{{"data", 3}}).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace radixlm::sglang::internal
