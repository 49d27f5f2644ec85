// Client-side sessions against a scripted peer: prefix-stable requests, history only on success,
// streaming turns, deletion and cleanup.
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "radixlm/sglang/client.h"
#include "tests/support/scripted_http_peer.h"
#include "tests/support/sglang_responses.h"

namespace radixlm::sglang {
namespace {

using nlohmann::json;
using radixlm::testing::Action;
using radixlm::testing::EchoServer;
using radixlm::testing::ScriptedHttpPeer;

class ClientSessionTest : public ::testing::Test {
 protected:
  ClientSessionTest() {
    peer_.SetHandler(EchoServer);
    ClientConfig config;
    config.base_url = peer_.base_url();
    config.retry.max_attempts = 1;
    client_ = std::make_unique<Client>(config);
  }

  ScriptedHttpPeer peer_;
  std::unique_ptr<Client> client_;
};

TEST_F(ClientSessionTest, EveryTurnStartsWithThePreviousRequestBytes) {
  SessionOptions options;
  options.request_template.temperature = 0.0;
  options.request_template.max_tokens = 64;
  ASSERT_TRUE(client_->CreateSession("session-123", "You are a helpful coding assistant.", options)
                  .ok());
  for (const char* message : {"What is Python?", "How do I install it?", "And pip?"}) {
    absl::StatusOr<CompletionResponse> reply = client_->ContinueSession("session-123", message);
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->Text(), std::string("echo: ") + message);
  }
  const auto requests = peer_.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (size_t turn = 1; turn < requests.size(); ++turn) {
    const json previous = json::parse(requests[turn - 1].body);
    const json current = json::parse(requests[turn].body);
    const auto& earlier = previous["messages"];
    const auto& later = current["messages"];
    ASSERT_EQ(later.size(), earlier.size() + 2);
    for (size_t i = 0; i < earlier.size(); ++i) EXPECT_EQ(later[i], earlier[i]) << i;
    EXPECT_EQ(later[earlier.size()]["role"], "assistant");
    // Same sampling fields every turn: the whole body differs only in the messages.
    json previous_rest = previous;
    json current_rest = current;
    previous_rest.erase("messages");
    current_rest.erase("messages");
    EXPECT_EQ(previous_rest, current_rest);
    EXPECT_EQ(current["temperature"], 0.0);
  }
  // The serialized message list of turn k is a byte prefix of turn k+1's (modulo the closing ']').
  const std::string first = json::parse(requests[0].body)["messages"].dump();
  const std::string second = json::parse(requests[1].body)["messages"].dump();
  EXPECT_EQ(second.compare(0, first.size() - 1, first, 0, first.size() - 1), 0);

  absl::StatusOr<Session> session = client_->GetSession("session-123");
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->turns, 3);
  EXPECT_EQ(session->history.size(), 6u);
  EXPECT_GT(session->cached_tokens, 0);
}

TEST_F(ClientSessionTest, FailedTurnLeavesHistoryUnchanged) {
  ASSERT_TRUE(client_->CreateSession("s", "sys").ok());
  ASSERT_TRUE(client_->ContinueSession("s", "one").ok());
  peer_.Enqueue(Action::Respond(500, R"({"object":"error","message":"boom","code":500})"));
  EXPECT_FALSE(client_->ContinueSession("s", "two").ok());
  EXPECT_EQ(client_->GetSession("s")->history.size(), 2u);
  ASSERT_TRUE(client_->ContinueSession("s", "two").ok());
  EXPECT_EQ(client_->GetSession("s")->history.size(), 4u);
  EXPECT_EQ(client_->GetSession("s")->history[2].content, "two");
}

TEST_F(ClientSessionTest, StreamingTurnRecordsTheAssembledReply) {
  ASSERT_TRUE(client_->CreateSession("s", "sys").ok());
  std::string streamed;
  absl::StatusOr<CompletionResponse> reply =
      client_->ContinueSessionStream("s", "stream me", [&](const CompletionDelta& delta) {
        streamed += delta.content;
        return true;
      });
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(streamed, "echo: stream me");
  EXPECT_EQ(client_->GetSession("s")->history.back().content, "echo: stream me");
  // A stream the caller stops is not a completed turn.
  ASSERT_TRUE(client_->ContinueSessionStream("s", "stop", [](const CompletionDelta&) {
                       return false;
                     }).ok());
  EXPECT_EQ(client_->GetSession("s")->history.size(), 2u);
}

TEST_F(ClientSessionTest, DuplicateUnknownDeleteListAndCleanup) {
  ASSERT_TRUE(client_->CreateSession("a", "sys").ok());
  EXPECT_EQ(client_->CreateSession("a", "sys").status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(client_->CreateSession("b", "").ok());
  EXPECT_EQ(client_->ContinueSession("zzz", "hi").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(peer_.request_count(), 0u) << "an unknown session sends nothing";
  std::vector<Session> sessions = client_->ListSessions();
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0].id, "a");
  EXPECT_EQ(sessions[1].id, "b");
  // GetSession returns a copy: changing it does not change the client's session.
  absl::StatusOr<Session> copy = client_->GetSession("a");
  copy->history.push_back({.role = "user", .content = "forged"});
  EXPECT_TRUE(client_->GetSession("a")->history.empty());
  EXPECT_TRUE(client_->DeleteSession("a").ok());
  EXPECT_EQ(client_->DeleteSession("a").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(client_->CleanupSessions(absl::Hours(1)), 0u);
  EXPECT_EQ(client_->CleanupSessions(absl::ZeroDuration()), 1u);
  EXPECT_TRUE(client_->ListSessions().empty());
}

}  // namespace
}  // namespace radixlm::sglang
