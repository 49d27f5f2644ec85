// Load and lifecycle of the real `radixlm serve`: 64 concurrent streaming clients all complete and
// leave no request or KV page behind; a client that hangs up mid-stream aborts its request; and
// SIGTERM during a stream shuts down cleanly with exit status 0.
#include <signal.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/serve_process.h"

namespace radixlm::e2e {
namespace {

using nlohmann::json;

// Polls /server_info until no request runs or waits; returns the last internal state.
json WaitUntilIdle(const std::string& url) {
  json state;
  for (int attempt = 0; attempt < 500; ++attempt) {
    state = Http("GET", url + "/server_info").Json()["internal_states"][0];
    if (state["num_running_reqs"] == 0 && state["num_queue_reqs"] == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return state;
}

TEST(LoadE2eTest, SixtyFourConcurrentStreamingClientsAllComplete) {
  auto server = ServeProcess::Start({"--max-running-requests", "64"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->base_url();
  constexpr int kClients = 64;
  std::vector<std::future<HttpResult>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::async(std::launch::async, [&url, i] {
      const json body = {
          {"model", "tiny"},
          {"messages",
           {{{"role", "system"}, {"content", "Shared system prompt for the load test."}},
            {{"role", "user"}, {"content", "client " + std::to_string(i)}}}},
          {"max_tokens", 6},
          {"stream", true},
          {"stream_options", {{"include_usage", true}}}};
      return Http("POST", url + "/v1/chat/completions", body.dump());
    }));
  }
  int completed = 0;
  for (auto& client : clients) {
    HttpResult result = client.get();
    ASSERT_EQ(result.status, 200) << result.body;
    std::vector<std::string> events = SseData(result.body);
    ASSERT_GE(events.size(), 3u) << result.body;
    EXPECT_EQ(events.back(), "[DONE]");
    const json usage = json::parse(events[events.size() - 2]);
    EXPECT_TRUE(usage["choices"].empty());
    EXPECT_GT(usage["usage"]["completion_tokens"].get<int>(), 0);
    int finish_chunks = 0;
    for (std::size_t k = 0; k + 2 < events.size(); ++k) {
      const json chunk = json::parse(events[k]);
      if (!chunk["choices"][0]["finish_reason"].is_null()) ++finish_chunks;
    }
    EXPECT_EQ(finish_chunks, 1);
    ++completed;
  }
  EXPECT_EQ(completed, kClients);
  // No leak: nothing runs, and the pages in use are the cache's alone.
  const json state = WaitUntilIdle(url);
  EXPECT_EQ(state["num_running_reqs"], 0);
  EXPECT_EQ(state["memory_usage"]["kv_pages_used"], state["memory_usage"]["kv_pages_cached"]);
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->log();
}

// Lifecycle tests run the slow model, so that a request is still running when the test acts.
const std::vector<std::string> kSlowArgs = {"--served-model-name", "slow", "--max-kv-tokens",
                                            "20000"};

TEST(LifecycleE2eTest, AbortRequestByRidPrefixEndsAGenerationWithAbort) {
  auto server = ServeProcess::Start(kSlowArgs, SlowModelDir());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->base_url();
  std::future<HttpResult> running = std::async(std::launch::async, [&url] {
    return Http("POST", url + "/generate",
                R"({"text":"A very long story","rid":"abort-me-please",)"
                R"("sampling_params":{"max_new_tokens":1500,"ignore_eos":true}})");
  });
  // Abort until it took effect (the request may not have reached the engine yet).
  bool aborted = false;
  for (int attempt = 0; attempt < 400 && !aborted; ++attempt) {
    EXPECT_EQ(Http("POST", url + "/abort_request", R"({"rid":"abort-me"})").status, 200);
    aborted = running.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready;
  }
  ASSERT_TRUE(aborted);
  HttpResult result = running.get();
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.Json()["meta_info"]["finish_reason"]["type"], "abort");
  EXPECT_LT(result.Json()["meta_info"]["completion_tokens"].get<int>(), 1500);
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->log();
}

// A batch whose second item is refused (its rid repeats the first's) answers the error, and the
// first item, already submitted, is aborted rather than left running: its rid is free again. (On
// the slow model: the tiny one can finish the first item before the second is even submitted.)
TEST(LifecycleE2eTest, ABatchWithARefusedItemAnswersTheErrorAndAbortsTheRest) {
  auto server = ServeProcess::Start(kSlowArgs, SlowModelDir());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->base_url();
  auto aborted_total = [&url] {
    const std::string metric = "sglang:num_aborted_requests_total{model_name=\"slow\"} ";
    const std::string body = Http("GET", url + "/metrics").body;
    const std::size_t at = body.find(metric);
    return at == std::string::npos ? -1 : std::stoi(body.substr(at + metric.size()));
  };
  EXPECT_EQ(aborted_total(), 0);
  const json body = {{"text", {"first", "second"}},
                     {"rid", {"twice", "twice"}},
                     {"sampling_params", {{"max_new_tokens", 1500}, {"ignore_eos", true}}}};
  HttpResult refused = Http("POST", url + "/generate", body.dump());
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("Duplicate request ID detected: twice"), std::string::npos)
      << refused.body;
  EXPECT_EQ(aborted_total(), 1);
  const json again = {
      {"text", "first"}, {"rid", "twice"}, {"sampling_params", {{"max_new_tokens", 1}}}};
  EXPECT_EQ(Http("POST", url + "/generate", again.dump()).status, 200);
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->log();
}

TEST(LifecycleE2eTest, ClientThatHangsUpMidStreamAbortsItsRequest) {
  auto server = ServeProcess::Start(kSlowArgs, SlowModelDir());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->base_url();
  const std::string body =
      R"({"messages":[{"role":"user","content":"go on forever"}],"max_tokens":1500,)"
      R"("stream":true,"ignore_eos":true})";
  const std::string request =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  // Hang up after the first content chunk.
  const std::string received =
      SendAndHangUp((*server)->port(), request, "\"reasoning_content\":null,\"content\":");
  ASSERT_NE(received.find("200 OK"), std::string::npos) << received;
  // The engine counts the abort once it applied it.
  const std::string aborted = "sglang:num_aborted_requests_total{model_name=\"slow\"} 1\n";
  std::string metrics;
  for (int attempt = 0; attempt < 500; ++attempt) {
    metrics = Http("GET", url + "/metrics").body;
    if (metrics.find(aborted) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(metrics.find(aborted), std::string::npos) << metrics;
  const json state = WaitUntilIdle(url);
  EXPECT_EQ(state["num_running_reqs"], 0) << "the hung-up request kept running";
  EXPECT_EQ(state["memory_usage"]["kv_pages_used"], state["memory_usage"]["kv_pages_cached"]);
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->log();
}

TEST(LifecycleE2eTest, NonStreamingClientThatHangsUpAbortsItsRequest) {
  auto server = ServeProcess::Start(kSlowArgs, SlowModelDir());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->base_url();
  RawConnection client((*server)->port());
  ASSERT_TRUE(client.Send(
      RawPost("/generate",
              R"({"text":"long","sampling_params":{"max_new_tokens":2000,"ignore_eos":true}})")));
  json state;
  for (int attempt = 0; attempt < 500; ++attempt) {
    state = Http("GET", url + "/server_info").Json()["internal_states"][0];
    if (state["num_running_reqs"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(state["num_running_reqs"], 1);
  client.HangUp();  // nothing is being written to it: the server must notice on its own
  state = WaitUntilIdle(url);
  EXPECT_EQ(state["num_running_reqs"], 0);
  const std::string metrics = Http("GET", url + "/metrics").body;
  EXPECT_NE(metrics.find("sglang:num_aborted_requests_total{model_name=\"slow\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->log();
}

TEST(LifecycleE2eTest, SigtermDuringAStreamEndsTheStreamAndExitsZero) {
  auto server = ServeProcess::Start(kSlowArgs, SlowModelDir());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->base_url();
  std::future<HttpResult> stream = std::async(std::launch::async, [&url] {
    return Http("POST", url + "/v1/completions",
                R"({"prompt":"forever","max_tokens":1500,"stream":true,"ignore_eos":true})");
  });
  for (int attempt = 0; attempt < 500; ++attempt) {
    json state = Http("GET", url + "/server_info").Json()["internal_states"][0];
    if (state["num_running_reqs"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->log();
  HttpResult result = stream.get();
  EXPECT_EQ(result.status, 200);
  // The stream was closed properly: it ends with [DONE] after an error or abort.
  std::vector<std::string> events = SseData(result.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "[DONE]");
}

}  // namespace
}  // namespace radixlm::e2e
