// Our client library (radixlm::sglang::Client) against the real `radixlm serve` on a tiny model:
// completions, streaming with usage, sessions whose cached_tokens grow turn by turn, the native
// API, cache flush and model information.
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "radixlm/sglang/client.h"
#include "tests/e2e/serve_process.h"
#include "tests/e2e/shared_server_test.h"

namespace radixlm::e2e {
namespace {

class ClientE2eTest : public SharedServerTest {
 protected:
  static void SetUpTestSuite() { StartSharedServer({"--served-model-name", "tiny-test"}); }
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SharedServerTest::SetUp());
    client_ = std::make_unique<sglang::Client>(
        sglang::ClientConfig{.base_url = server_->base_url(), .model = "tiny-test"});
  }

  static sglang::CompletionRequest Ask(std::string text, std::int64_t max_tokens = 8) {
    sglang::CompletionRequest request;
    request.messages = {{.role = "user", .content = std::move(text)}};
    request.max_tokens = max_tokens;
    request.temperature = 0;
    return request;
  }

  std::unique_ptr<sglang::Client> client_;
};

TEST_F(ClientE2eTest, ListeningLineNamesTheModelAndKvTokens) {
  EXPECT_NE(server_->listening_line().find("radixlm serve: listening on http://127.0.0.1:"),
            std::string::npos);
  EXPECT_NE(server_->listening_line().find("KV tokens)"), std::string::npos);
  EXPECT_TRUE(client_->IsAvailable());
}

TEST_F(ClientE2eTest, CompleteReturnsTextAndUsageWithCachedTokens) {
  absl::StatusOr<sglang::CompletionResponse> response = client_->Complete(Ask("Hello there"));
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->choices.size(), 1u);
  EXPECT_EQ(response->choices[0].message.role, "assistant");
  EXPECT_FALSE(response->choices[0].finish_reason.empty());
  EXPECT_GT(response->usage.prompt_tokens, 0);
  EXPECT_GT(response->usage.completion_tokens, 0);
  EXPECT_LE(response->usage.completion_tokens, 8);
  EXPECT_EQ(response->usage.total_tokens,
            response->usage.prompt_tokens + response->usage.completion_tokens);
  EXPECT_TRUE(response->usage.cached_tokens.has_value());
  EXPECT_EQ(response->model, "tiny-test");
}

TEST_F(ClientE2eTest, SameRequestTwiceHitsTheCacheAndIsDeterministicAtTemperatureZero) {
  sglang::CompletionRequest request = Ask("The radix cache remembers this sentence well.", 6);
  absl::StatusOr<sglang::CompletionResponse> first = client_->Complete(request);
  absl::StatusOr<sglang::CompletionResponse> second = client_->Complete(request);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->Text(), second->Text());
  EXPECT_GT(second->usage.cached_tokens.value_or(0), 0);
  EXPECT_LT(second->usage.cached_tokens.value_or(0), second->usage.prompt_tokens);
}

TEST_F(ClientE2eTest, StreamDeliversPiecesThatAddUpAndAUsageChunk) {
  std::string streamed;
  int pieces = 0;
  absl::StatusOr<sglang::CompletionResponse> response = client_->CompleteStream(
      Ask("Stream me a few tokens", 8), [&](const sglang::CompletionDelta& delta) {
        streamed += delta.content;
        ++pieces;
        return true;
      });
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_GT(pieces, 0);
  EXPECT_EQ(streamed, response->Text());
  EXPECT_GT(response->usage.prompt_tokens, 0);
  EXPECT_GT(response->usage.completion_tokens, 0);
  EXPECT_TRUE(response->usage.cached_tokens.has_value());
}

TEST_F(ClientE2eTest, SessionCachedTokensGrowAcrossTurns) {
  sglang::SessionOptions options;
  options.request_template.max_tokens = 6;
  options.request_template.temperature = 0;
  ASSERT_TRUE(client_->CreateSession("grow", "You are a terse assistant.", options).ok());
  std::int64_t previous_cached = -1;
  std::int64_t previous_prompt = 0;
  for (const char* turn : {"First question?", "Second question?", "Third question?"}) {
    absl::StatusOr<sglang::CompletionResponse> reply = client_->ContinueSession("grow", turn);
    ASSERT_TRUE(reply.ok()) << reply.status();
    const std::int64_t cached = reply->usage.cached_tokens.value_or(0);
    EXPECT_GT(cached, previous_cached) << "turn: " << turn;
    EXPECT_GT(reply->usage.prompt_tokens, previous_prompt);
    if (previous_cached >= 0) {
      // Everything up to the previous turn's prompt is reused.
      EXPECT_GE(cached, previous_prompt - 16) << "turn: " << turn;
    }
    previous_cached = cached;
    previous_prompt = reply->usage.prompt_tokens;
  }
  absl::StatusOr<sglang::Session> session = client_->GetSession("grow");
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->turns, 3);
  EXPECT_TRUE(client_->DeleteSession("grow").ok());
}

TEST_F(ClientE2eTest, StreamingSessionTurnAlsoReusesTheCache) {
  sglang::SessionOptions options;
  options.request_template.max_tokens = 4;
  options.request_template.temperature = 0;
  ASSERT_TRUE(client_->CreateSession("stream-session", "System.", options).ok());
  ASSERT_TRUE(client_->ContinueSession("stream-session", "One").ok());
  absl::StatusOr<sglang::CompletionResponse> second = client_->ContinueSessionStream(
      "stream-session", "Two", [](const sglang::CompletionDelta&) { return true; });
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_GT(second->usage.cached_tokens.value_or(0), 0);
}

TEST_F(ClientE2eTest, NativeGenerateAndStream) {
  sglang::GenerateRequest request;
  request.text =
      "Once upon a time there was a radix tree that remembered every prompt it had ever seen, "
      "so that the second time a prompt came along it could skip most of the work.";
  request.sampling_params.max_new_tokens = 5;
  request.sampling_params.temperature = 0;
  request.sampling_params.ignore_eos = true;
  absl::StatusOr<sglang::GenerateResponse> response = client_->Generate(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->meta_info.completion_tokens, 5);
  EXPECT_EQ(response->output_ids.size(), 5u);
  EXPECT_EQ(response->meta_info.finish_reason["type"], "length");
  EXPECT_TRUE(response->meta_info.e2e_latency_seconds.has_value());

  std::string last_text;
  absl::StatusOr<sglang::GenerateResponse> streamed =
      client_->GenerateStream(request, [&](const sglang::GenerateDelta& delta) {
        last_text = delta.text;
        return true;
      });
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  EXPECT_EQ(streamed->text, response->text);  // greedy: the same tokens
  // The same prompt again: served from the cache, at most prompt - 1 tokens (the last is always
  // computed, as SGLang; page granularity may round it down).
  EXPECT_GT(streamed->meta_info.cached_tokens, 0);
  EXPECT_LE(streamed->meta_info.cached_tokens, response->meta_info.prompt_tokens - 1);
}

TEST_F(ClientE2eTest, FlushCacheDropsCachedPrefixes) {
  sglang::CompletionRequest request = Ask("Flush me from the cache please.", 2);
  ASSERT_TRUE(client_->Complete(request).ok());
  absl::StatusOr<sglang::CompletionResponse> warm = client_->Complete(request);
  ASSERT_TRUE(warm.ok());
  EXPECT_GT(warm->usage.cached_tokens.value_or(0), 0);
  ASSERT_TRUE(client_->FlushCache().ok());
  absl::StatusOr<sglang::CompletionResponse> cold = client_->Complete(request);
  ASSERT_TRUE(cold.ok());
  EXPECT_EQ(cold->usage.cached_tokens.value_or(-1), 0);
}

TEST_F(ClientE2eTest, ModelAndServerInfo) {
  absl::StatusOr<nlohmann::json> model = client_->ModelInfo();
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)["is_generation"], true);
  EXPECT_FALSE((*model)["model_path"].get<std::string>().empty());
  absl::StatusOr<nlohmann::json> server = client_->ServerInfo();
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE((*server)["max_total_num_tokens"].is_number_integer());
  EXPECT_TRUE((*server)["version"].is_string());
  absl::StatusOr<std::vector<sglang::ModelCard>> models = client_->Models();
  ASSERT_TRUE(models.ok()) << models.status();
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ((*models)[0].id, "tiny-test");
  EXPECT_EQ((*models)[0].max_model_len, 2048);
}

TEST_F(ClientE2eTest, WarmPrefixIsReportedCachedTheSecondTime) {
  const std::string prefix = "A long shared system prompt that many requests start with.";
  absl::StatusOr<sglang::WarmResult> first = client_->WarmPrefix(prefix);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<sglang::WarmResult> second = client_->WarmPrefix(prefix);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_GT(second->cached_tokens.value_or(0), 0);
}

}  // namespace
}  // namespace radixlm::e2e
