// Fault injection: the Client against a scripted loopback peer that refuses, hangs, resets, sends
// garbage, truncates, streams in tiny pieces or answers with errors.
#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "radixlm/sglang/client.h"
#include "radixlm/status.h"
#include "tests/support/scripted_http_peer.h"
#include "tests/support/sglang_responses.h"

namespace radixlm::sglang {
namespace {

using radixlm::testing::Action;
using radixlm::testing::ChatCompletionBody;
using radixlm::testing::ChatStreamBody;
using radixlm::testing::ScriptedHttpPeer;
using radixlm::testing::SplitIntoSmallPieces;

ClientConfig FastConfig(const std::string& base_url) {
  ClientConfig config;
  config.base_url = base_url;
  config.timeout = absl::Seconds(10);
  config.retry.initial_backoff = absl::Milliseconds(5);
  config.retry.max_backoff = absl::Milliseconds(20);
  return config;
}

CompletionRequest Hello() {
  CompletionRequest request;
  request.messages = {{.role = "user", .content = "Hello"}};
  return request;
}

bool Contains(absl::string_view haystack, std::string_view needle) {
  return haystack.find(absl::string_view(needle.data(), needle.size())) != absl::string_view::npos;
}

TEST(ClientFaultsTest, RefusedConnectionIsUnavailableAfterRetries) {
  Client client(FastConfig(ScriptedHttpPeer::RefusedBaseUrl()));
  absl::StatusOr<CompletionResponse> response = client.Complete(Hello());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(Contains(response.status().message(), "is the server running"))
      << response.status();
  EXPECT_FALSE(HttpStatusOf(response.status()).has_value());
  EXPECT_FALSE(client.IsAvailable());
}

TEST(ClientFaultsTest, UnresolvableHostIsUnavailable) {
  Client client(FastConfig("http://radixlm-no-such-host.invalid:30000"));
  EXPECT_EQ(client.Health().status().code(), absl::StatusCode::kUnavailable);
}

TEST(ClientFaultsTest, AcceptThenHangTimesOutWithinTenPercent) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Hang());
  ClientConfig config = FastConfig(peer.base_url());
  config.timeout = absl::Seconds(1);
  Client client(config);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<CompletionResponse> response = client.Complete(Hello());
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(Contains(response.status().message(), "optimization.sglang.timeout"))
      << response.status();
  EXPECT_GE(elapsed, 1.0);
  EXPECT_LE(elapsed, 1.1);
  EXPECT_EQ(peer.request_count(), 1u) << "a timeout is not retried";
}

TEST(ClientFaultsTest, CallDeadlineBindsBeforeTheConfiguredTimeout) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Hang());
  Client client(FastConfig(peer.base_url()));
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<CompletionResponse> response =
      client.Complete(Hello(), {.deadline = absl::Now() + absl::Milliseconds(300)});
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(elapsed, 0.29);
  EXPECT_LE(elapsed, 0.33);
}

TEST(ClientFaultsTest, ServerErrorIsNotRetriedAndKeepsTheServerMessage) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(
      500, R"({"object":"error","message":"Internal server error: CUDA out of memory",)"
           R"("type":"InternalServerError","param":null,"code":500})"));
  Client client(FastConfig(peer.base_url()));
  absl::StatusOr<CompletionResponse> response = client.Complete(Hello());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(HttpStatusOf(response.status()), 500);
  EXPECT_TRUE(Contains(response.status().message(), "CUDA out of memory"));
  EXPECT_EQ(peer.request_count(), 1u);
}

TEST(ClientFaultsTest, ServiceUnavailableThenOkIsRetried) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::Respond(503, R"({"object":"error","message":"The request queue is full.",)"
                                    R"("type":"503","param":null,"code":503})"));
  peer.SetDefault(Action::Respond(200, ChatCompletionBody("Hi!", 9, 1, 0)));
  Client client(FastConfig(peer.base_url()));
  absl::StatusOr<CompletionResponse> response = client.Complete(Hello());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->Text(), "Hi!");
  EXPECT_EQ(peer.request_count(), 2u);
}

TEST(ClientFaultsTest, TooManyRequestsHonoursRetryAfter) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::Respond(429, R"({"error":{"message":"slow down"}})", "application/json",
                               {{"Retry-After", "0"}}));
  peer.SetDefault(Action::Respond(200, ChatCompletionBody("ok", 9, 1, 0)));
  Client client(FastConfig(peer.base_url()));
  ASSERT_TRUE(client.Complete(Hello()).ok());
  EXPECT_EQ(peer.request_count(), 2u);
}

TEST(ClientFaultsTest, PersistentServiceUnavailableStopsAfterMaxAttempts) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(503, ""));
  ClientConfig config = FastConfig(peer.base_url());
  config.retry.max_attempts = 4;
  Client client(config);
  absl::StatusOr<CompletionResponse> response = client.Complete(Hello());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(HttpStatusOf(response.status()), 503);
  EXPECT_EQ(peer.request_count(), 4u);
}

TEST(ClientFaultsTest, BadRequestIsNotRetried) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(
      400, R"({"object":"error","message":"The input (5000 tokens) is longer than the model's )"
           R"(context length (4096 tokens).","type":"BadRequest","param":null,"code":400})"));
  Client client(FastConfig(peer.base_url()));
  absl::StatusOr<CompletionResponse> response = client.Complete(Hello());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpStatusOf(response.status()), 400);
  EXPECT_TRUE(Contains(response.status().message(), "longer than the model's context length"));
  EXPECT_EQ(peer.request_count(), 1u);
}

TEST(ClientFaultsTest, TruncatedJsonIsMalformed) {
  ScriptedHttpPeer peer;
  const std::string body = ChatCompletionBody("Hi!", 9, 1, 0);
  peer.SetDefault(Action::Respond(200, body.substr(0, body.size() / 2)));
  Client client(FastConfig(peer.base_url()));
  absl::StatusOr<CompletionResponse> response = client.Complete(Hello());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(Contains(response.status().message(), "malformed response"));
  EXPECT_EQ(peer.request_count(), 1u);
}

TEST(ClientFaultsTest, NonJsonIsMalformed) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(200, "<html><body>502 Bad Gateway</body></html>", "text/html"));
  Client client(FastConfig(peer.base_url()));
  EXPECT_EQ(client.Complete(Hello()).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(client.Models().status().code(), absl::StatusCode::kDataLoss);
}

TEST(ClientFaultsTest, GarbageInsteadOfHttpIsMalformedOrUnavailable) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Raw("\x16\x03\x01 this is not HTTP at all\r\n\r\n"));
  ClientConfig config = FastConfig(peer.base_url());
  config.retry.max_attempts = 1;
  Client client(config);
  const absl::StatusCode code = client.Complete(Hello()).status().code();
  EXPECT_TRUE(code == absl::StatusCode::kDataLoss || code == absl::StatusCode::kUnavailable)
      << code;
}

TEST(ClientFaultsTest, ResetIsRetriedForIdempotentRequestsOnly) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::Reset());
  peer.SetDefault(Action::Respond(200, ChatCompletionBody("ok", 9, 1, 0)));
  Client client(FastConfig(peer.base_url()));
  ASSERT_TRUE(client.Complete(Hello()).ok());
  EXPECT_EQ(peer.request_count(), 2u);

  // A /generate inside a server-side session changes server state: never repeated.
  peer.Enqueue(Action::CloseWithoutResponse());
  GenerateRequest in_session;
  in_session.text = "more";
  in_session.session_params = SessionParams{.id = "s1"};
  absl::StatusOr<GenerateResponse> response = client.Generate(in_session);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(peer.request_count(), 3u);
}

TEST(ClientFaultsTest, HugeResponseIsReadWhole) {
  ScriptedHttpPeer peer;
  const std::string content(24u << 20, 'x');
  peer.SetDefault(Action::Respond(200, ChatCompletionBody(content, 9, 1, 0)));
  Client client(FastConfig(peer.base_url()));
  absl::StatusOr<CompletionResponse> response = client.Complete(Hello());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->Text().size(), content.size());
}

TEST(ClientFaultsTest, ResponseOverTheLimitIsRefused) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(200, ChatCompletionBody(std::string(2u << 20, 'x'), 9, 1, 0)));
  ClientConfig config = FastConfig(peer.base_url());
  config.max_response_bytes = 1u << 20;
  Client client(config);
  absl::StatusOr<CompletionResponse> response = client.Complete(Hello());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Contains(response.status().message(), "max_response_bytes"));
}

TEST(ClientFaultsTest, StreamSplitIntoTinyPiecesIsReassembled) {
  ScriptedHttpPeer peer;
  const std::vector<std::string> pieces = {"Héllo", " wörld", " — 日本語", " 👩‍💻", "!"};
  peer.SetDefault(
      Action::RespondChunks(200, SplitIntoSmallPieces(ChatStreamBody(pieces, 20, 12), 7)));
  Client client(FastConfig(peer.base_url()));
  std::string streamed;
  absl::StatusOr<CompletionResponse> response =
      client.CompleteStream(Hello(), [&](const CompletionDelta& delta) {
        streamed += delta.content;
        return true;
      });
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(streamed, "Héllo wörld — 日本語 👩‍💻!");
  EXPECT_EQ(response->Text(), streamed);
  EXPECT_EQ(response->usage.cached_tokens, 12);
  EXPECT_EQ(response->choices[0].finish_reason, "stop");
  const auto body = nlohmann::json::parse(peer.requests()[0].body);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
}

TEST(ClientFaultsTest, StreamCutMidwayIsAnErrorAndNotRetried) {
  ScriptedHttpPeer peer;
  const std::string stream = ChatStreamBody({"a", "b", "c"}, 5, 0);
  peer.SetDefault(
      Action::RespondChunksThenReset(200, {stream.substr(0, stream.size() / 2)}));
  Client client(FastConfig(peer.base_url()));
  absl::StatusOr<CompletionResponse> response =
      client.CompleteStream(Hello(), [](const CompletionDelta&) { return true; });
  EXPECT_FALSE(response.ok());
  EXPECT_EQ(peer.request_count(), 1u) << "bytes already reached the caller";
}

TEST(ClientFaultsTest, CallbackStopsAStreamThatWouldNeverEnd) {
  ScriptedHttpPeer peer;
  // Default: the role chunk and one content chunk, and the stream never finishes.
  std::string first_chunk = ChatStreamBody({"first"}, 5, 0);
  first_chunk = first_chunk.substr(0, first_chunk.find("\n\n", first_chunk.find("first")) + 2);
  peer.SetDefault(Action::RespondChunksThenReset(200, {first_chunk}));
  peer.Enqueue(Action::HangAfterHeaders(200));
  Client client(FastConfig(peer.base_url()));
  // HangAfterHeaders: nothing ever arrives, so only cancellation can end the call.
  std::stop_source stop;
  std::jthread canceller([&] {
    peer.WaitForRequests(1, absl::Seconds(10));
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<CompletionResponse> cancelled = client.CompleteStream(
      Hello(), [](const CompletionDelta&) { return true; }, {.cancel = stop.get_token()});
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled);
  EXPECT_LT(elapsed, 2.0) << "cancellation must wake the transfer, not wait for the timeout";

  // With data flowing, the callback itself can stop the stream after the first content.
  absl::StatusOr<CompletionResponse> stopped =
      client.CompleteStream(Hello(), [](const CompletionDelta& delta) {
        return delta.content.empty();
      });
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_TRUE(stopped->stopped_by_caller);
  EXPECT_EQ(stopped->Text(), "first");
}

TEST(ClientFaultsTest, AlreadyCancelledCallSendsNothing) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(200, ChatCompletionBody("ok", 1, 1, 0)));
  Client client(FastConfig(peer.base_url()));
  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(client.Complete(Hello(), {.cancel = stop.get_token()}).status().code(),
            absl::StatusCode::kCancelled);
  EXPECT_EQ(peer.request_count(), 0u);
}

TEST(ClientFaultsTest, CancellationInterruptsRetryBackoff) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(503, "", "application/json", {{"Retry-After", "30"}}));
  ClientConfig config = FastConfig(peer.base_url());
  config.retry.max_backoff = absl::Seconds(30);
  Client client(config);
  std::stop_source stop;
  std::jthread canceller([&] {
    peer.WaitForRequests(1, absl::Seconds(10));
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.Complete(Hello(), {.cancel = stop.get_token()}).status().code(),
            absl::StatusCode::kCancelled);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

}  // namespace
}  // namespace radixlm::sglang
