// Every call of the Client's API against a scripted peer: what it sends and what it returns.
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "radixlm/sglang/client.h"
#include "radixlm/status.h"
#include "tests/support/scripted_http_peer.h"
#include "tests/support/sglang_responses.h"

namespace radixlm::sglang {
namespace {

using nlohmann::json;
using radixlm::testing::Action;
using radixlm::testing::ChatCompletionBody;
using radixlm::testing::GenerateBody;
using radixlm::testing::ScriptedHttpPeer;
using radixlm::testing::SplitIntoSmallPieces;

class ClientApiTest : public ::testing::Test {
 protected:
  ClientConfig Config() {
    ClientConfig config;
    config.base_url = peer_.base_url() + "/";
    config.retry.initial_backoff = absl::Milliseconds(1);
    return config;
  }
  json LastBody() { return json::parse(peer_.requests().back().body); }

  ScriptedHttpPeer peer_;
};

TEST_F(ClientApiTest, HealthAcceptsEmptyHealthyAndOk) {
  Client client(Config());
  peer_.Enqueue(Action::Respond(200, "", ""));
  peer_.Enqueue(Action::Respond(200, R"({"status": "healthy"})"));
  peer_.Enqueue(Action::Respond(200, R"({"status": "ok"})"));
  EXPECT_EQ(client.Health()->status, "healthy");
  EXPECT_EQ(client.Health()->status, "healthy");
  EXPECT_EQ(client.Health()->status, "ok");
  EXPECT_EQ(peer_.requests()[0].path, "/health") << "no double slash from the trailing '/'";
  EXPECT_EQ(peer_.requests()[0].method, "GET");
}

TEST_F(ClientApiTest, HealthRejectsStartingAndUnhealthyServers) {
  Client client(Config());
  peer_.Enqueue(Action::Respond(503, "", ""));
  peer_.Enqueue(Action::Respond(200, R"({"status": "starting"})"));
  peer_.Enqueue(Action::Respond(200, "not json"));
  EXPECT_EQ(client.Health().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(client.IsAvailable());
  EXPECT_FALSE(client.IsAvailable());
  EXPECT_EQ(peer_.request_count(), 3u) << "health probes are never retried";
}

TEST_F(ClientApiTest, CompleteSendsTheRequestAndDecodesTheResponse) {
  Client client(Config());
  peer_.SetDefault(Action::Respond(200, ChatCompletionBody("def sort(xs): ...", 30, 8, 16)));
  CompletionRequest request;
  request.messages = {{.role = "system", .content = "You are an expert programmer."},
                      {.role = "user", .content = "Write a Python function to sort a list."}};
  request.temperature = 0.7;
  request.max_tokens = 500;
  request.top_p = 0.9;
  absl::StatusOr<CompletionResponse> response = client.Complete(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->Text(), "def sort(xs): ...");
  EXPECT_EQ(response->usage.cached_tokens, 16);
  const auto recorded = peer_.requests().back();
  EXPECT_EQ(recorded.method, "POST");
  EXPECT_EQ(recorded.path, "/v1/chat/completions");
  EXPECT_EQ(recorded.headers.at("content-type"), "application/json");
  EXPECT_EQ(recorded.headers.count("authorization"), 0u);
  json body = LastBody();
  EXPECT_EQ(body["model"], "default");
  EXPECT_EQ(body["temperature"], 0.7);
  EXPECT_EQ(body["max_tokens"], 500);
  EXPECT_EQ(body["messages"].size(), 2u);
  EXPECT_FALSE(body.contains("stream"));
}

TEST_F(ClientApiTest, ExplicitZeroTemperatureReachesTheServer) {
  Client client(Config());
  peer_.SetDefault(Action::Respond(200, ChatCompletionBody("x", 1, 1, std::nullopt)));
  CompletionRequest request;
  request.messages = {{.role = "user", .content = "x"}};
  request.temperature = 0.0;
  ASSERT_TRUE(client.Complete(request).ok());
  json body = LastBody();
  ASSERT_TRUE(body.contains("temperature"));
  EXPECT_EQ(body["temperature"], 0.0);
}

TEST_F(ClientApiTest, CompleteSimpleAndWithSystem) {
  Client client(Config());
  peer_.SetDefault(Action::Respond(200, ChatCompletionBody("42", 5, 1, std::nullopt)));
  EXPECT_EQ(*client.CompleteSimple("What is machine learning?"), "42");
  EXPECT_EQ(LastBody()["messages"],
            json::parse(R"([{"role":"user","content":"What is machine learning?"}])"));
  EXPECT_EQ(*client.CompleteWithSystem("You are a helpful assistant.", "Explain quantum computing."),
            "42");
  EXPECT_EQ(LastBody()["messages"],
            json::parse(R"([{"role":"system","content":"You are a helpful assistant."},
                            {"role":"user","content":"Explain quantum computing."}])"));
}

TEST_F(ClientApiTest, ApiKeyIsSentAsBearerToken) {
  ClientConfig config = Config();
  config.api_key = "sk-test";
  Client client(config);
  peer_.SetDefault(Action::Respond(401, R"({"error":"Unauthorized"})"));
  absl::StatusOr<std::string> reply = client.CompleteSimple("hi");
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(reply.status().message().find("api_key"), absl::string_view::npos);
  EXPECT_EQ(peer_.requests().back().headers.at("authorization"), "Bearer sk-test");
}

TEST_F(ClientApiTest, ConnectionsAreKeptAlive) {
  Client client(Config());
  peer_.SetDefault(Action::Respond(200, R"({"status":"ok"})"));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.Health().ok());
  EXPECT_EQ(peer_.connection_count(), 1u);
}

TEST_F(ClientApiTest, GenerateSendsNativeRequest) {
  Client client(Config());
  peer_.SetDefault(Action::Respond(200, GenerateBody(" Paris", {12366}, 6, 5)));
  GenerateRequest request;
  request.text = "The capital city of France is";
  request.sampling_params.temperature = 0;
  request.sampling_params.max_new_tokens = 8;
  request.return_logprob = true;
  absl::StatusOr<GenerateResponse> response = client.Generate(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->text, " Paris");
  EXPECT_EQ(response->meta_info.cached_tokens, 5);
  EXPECT_EQ(peer_.requests().back().path, "/generate");
  json body = LastBody();
  EXPECT_EQ(body["text"], "The capital city of France is");
  EXPECT_EQ(body["sampling_params"]["temperature"], 0);
  EXPECT_EQ(body["return_logprob"], true);

  GenerateRequest by_ids;
  by_ids.input_ids = {1, 2, 3};
  ASSERT_TRUE(client.Generate(by_ids).ok());
  EXPECT_EQ(LastBody()["input_ids"], json({1, 2, 3}));
  EXPECT_EQ(client.Generate(GenerateRequest{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientApiTest, GenerateStreamDiffsCumulativeChunks) {
  Client client(Config());
  std::string stream;
  stream += "data: " + GenerateBody(" Pa", {10}, 6, 0) + "\n\n";
  stream += "data: " + GenerateBody(" Paris", {10, 11}, 6, 0) + "\n\n";
  stream += "data: " + GenerateBody(" Paris.", {10, 11, 12}, 6, 0) + "\n\n";
  stream += "data: [DONE]\n\n";
  peer_.SetDefault(Action::RespondChunks(200, SplitIntoSmallPieces(stream, 5)));
  std::vector<std::string> deltas;
  GenerateRequest request;
  request.text = "The capital of France is";
  absl::StatusOr<GenerateResponse> response =
      client.GenerateStream(request, [&](const GenerateDelta& delta) {
        deltas.push_back(delta.text);
        return true;
      });
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(deltas, (std::vector<std::string>{" Pa", "ris", "."}));
  EXPECT_EQ(response->text, " Paris.");
  EXPECT_EQ(LastBody()["stream"], true);
}

TEST_F(ClientApiTest, FlushCache) {
  Client client(Config());
  peer_.Enqueue(Action::Respond(200, "Cache flushed.\nPlease check backend logs for more details.",
                                "text/plain"));
  peer_.Enqueue(Action::Respond(400, "Flush cache failed.\n", "text/plain"));
  EXPECT_TRUE(client.FlushCache().ok());
  absl::Status busy = client.FlushCache();
  EXPECT_EQ(busy.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(busy.message().find("Flush cache failed."), absl::string_view::npos);
  EXPECT_EQ(peer_.requests()[0].path, "/flush_cache");
  EXPECT_EQ(peer_.requests()[0].method, "POST");
}

TEST_F(ClientApiTest, ServerInfoAndModelInfoFallBackToLegacyPaths) {
  Client client(Config());
  peer_.Enqueue(Action::Respond(404, R"({"detail":"Not Found"})"));
  peer_.Enqueue(Action::Respond(200, R"({"max_total_num_tokens": 20000, "version": "0.4.6"})"));
  peer_.Enqueue(Action::Respond(200, R"({"model_path": "/models/llama", "is_generation": true})"));
  absl::StatusOr<json> info = client.ServerInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ((*info)["max_total_num_tokens"], 20000);
  EXPECT_EQ(peer_.requests()[0].path, "/server_info");
  EXPECT_EQ(peer_.requests()[1].path, "/get_server_info");
  absl::StatusOr<json> model = client.ModelInfo();
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)["model_path"], "/models/llama");
  EXPECT_EQ(peer_.requests()[2].path, "/model_info");
}

TEST_F(ClientApiTest, Models) {
  Client client(Config());
  peer_.SetDefault(Action::Respond(
      200, R"({"object":"list","data":[{"id":"default","object":"model","created":1,)"
           R"("owned_by":"sglang","root":"default","parent":null,"max_model_len":4096}]})"));
  absl::StatusOr<std::vector<ModelCard>> models = client.Models();
  ASSERT_TRUE(models.ok()) << models.status();
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ((*models)[0].id, "default");
  EXPECT_EQ((*models)[0].max_model_len, 4096);
  EXPECT_EQ(peer_.requests()[0].path, "/v1/models");
}

TEST_F(ClientApiTest, WarmPrefixReportsTheServersRealCounts) {
  Client client(Config());
  peer_.Enqueue(Action::Respond(200, ChatCompletionBody("a", 23, 1, 0)));
  peer_.Enqueue(Action::Respond(200, GenerateBody("", {}, 11, 10)));
  absl::StatusOr<WarmResult> system =
      client.WarmPrefix("You are an expert in machine learning and AI.");
  ASSERT_TRUE(system.ok()) << system.status();
  EXPECT_TRUE(system->cached);
  EXPECT_EQ(system->prompt_tokens, 23);
  EXPECT_EQ(system->cached_tokens, 0);
  json body = json::parse(peer_.requests()[0].body);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["max_tokens"], 1);
  absl::StatusOr<WarmResult> raw = client.WarmPrefix("raw text", WarmMode::kRawText);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->prompt_tokens, 11);
  EXPECT_EQ(raw->cached_tokens, 10);
  EXPECT_EQ(LastBody()["sampling_params"]["max_new_tokens"], 0);
}

TEST_F(ClientApiTest, WarmPrefixesReportsEveryPrefixWithBoundedConcurrency) {
  ClientConfig config = Config();
  config.warm_concurrency = 2;
  config.retry.max_attempts = 1;
  Client client(config);
  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0;
  int max_in_flight = 0;
  peer_.SetHandler([&](const radixlm::testing::RecordedRequest& request) {
    std::unique_lock lock(mutex);
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    changed.notify_all();
    // Hold each request until a second one is in flight (or briefly, for the odd last one), so
    // overlapping requests are observed; a third concurrent request would raise the maximum.
    changed.wait_for(lock, std::chrono::milliseconds(300), [&] { return in_flight >= 3; });
    --in_flight;
    const std::string system = json::parse(request.body)["messages"][0]["content"];
    if (system == "bad") return Action::Respond(400, R"({"object":"error","message":"nope"})");
    return Action::Respond(200, ChatCompletionBody("a", static_cast<int>(system.size()), 1, 0));
  });
  const std::vector<std::string> prefixes = {"one", "three", "bad", "seven", "eleven"};
  std::vector<absl::StatusOr<WarmResult>> results = client.WarmPrefixes(prefixes);
  ASSERT_EQ(results.size(), prefixes.size());
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (prefixes[i] == "bad") {
      EXPECT_EQ(results[i].status().code(), absl::StatusCode::kInvalidArgument);
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << results[i].status();
    EXPECT_EQ(results[i]->prefix, prefixes[i]);
    EXPECT_EQ(results[i]->prompt_tokens, static_cast<std::int64_t>(prefixes[i].size()));
  }
  EXPECT_EQ(max_in_flight, 2);
}

}  // namespace
}  // namespace radixlm::sglang
