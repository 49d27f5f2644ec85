// One Client shared by many threads (run under ThreadSanitizer in CI: label "concurrency").
#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "radixlm/sglang/client.h"
#include "tests/support/scripted_http_peer.h"
#include "tests/support/sglang_responses.h"

namespace radixlm::sglang {
namespace {

using radixlm::testing::EchoServer;
using radixlm::testing::ScriptedHttpPeer;

constexpr int kThreads = 32;
constexpr int kRoundsPerThread = 6;

TEST(ClientConcurrencyTest, ThirtyTwoThreadsMixedCallsOnOneClient) {
  ScriptedHttpPeer peer;
  peer.SetHandler(EchoServer);
  ClientConfig config;
  config.base_url = peer.base_url();
  config.retry.max_attempts = 1;
  config.max_idle_connections = 8;
  Client client(config);
  std::atomic<int> failures{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string session = "session-" + std::to_string(t % 8);
      (void)client.CreateSession(session, "shared system prompt", {.replace_existing = false});
      for (int round = 0; round < kRoundsPerThread; ++round) {
        bool ok = true;
        switch ((t + round) % 6) {
          case 0:
            ok = client.IsAvailable();
            break;
          case 1:
            ok = client.CompleteSimple("hello " + std::to_string(t)).ok();
            break;
          case 2:
            ok = client.ContinueSession(session, "turn " + std::to_string(round)).ok();
            break;
          case 3:
            ok = client
                     .CompleteStream({.messages = {{.role = "user", .content = "s"}}},
                                     [](const CompletionDelta&) { return true; })
                     .ok();
            break;
          case 4:
            ok = client.Models().ok() && !client.ListSessions().empty();
            break;
          case 5:
            ok = client.WarmPrefix("prefix " + std::to_string(t % 3)).ok() &&
                 client.GetSession(session).ok();
            break;
        }
        if (!ok) failures.fetch_add(1);
      }
    });
  }
  threads.clear();
  EXPECT_EQ(failures.load(), 0);
  // Every session's history is whole turns: user, then its own echo.
  for (const Session& session : client.ListSessions()) {
    ASSERT_EQ(session.history.size() % 2, 0u) << session.id;
    for (size_t i = 0; i < session.history.size(); i += 2) {
      EXPECT_EQ(session.history[i].role, "user");
      EXPECT_EQ(session.history[i + 1].content, "echo: " + session.history[i].content);
    }
  }
}

TEST(ClientConcurrencyTest, TwoConcurrentTurnsOnOneSessionAreSerialized) {
  ScriptedHttpPeer peer;
  peer.SetHandler(EchoServer);
  ClientConfig config;
  config.base_url = peer.base_url();
  Client client(config);
  ASSERT_TRUE(client.CreateSession("one", "sys").ok());
  std::jthread first([&] { EXPECT_TRUE(client.ContinueSession("one", "first").ok()); });
  std::jthread second([&] { EXPECT_TRUE(client.ContinueSession("one", "second").ok()); });
  first.join();
  second.join();
  absl::StatusOr<Session> session = client.GetSession("one");
  ASSERT_TRUE(session.ok());
  ASSERT_EQ(session->history.size(), 4u);
  EXPECT_EQ(session->history[1].content, "echo: " + session->history[0].content);
  EXPECT_EQ(session->history[3].content, "echo: " + session->history[2].content);
  EXPECT_NE(session->history[0].content, session->history[2].content);
  // The later request carried the earlier turn: serialized, not interleaved.
  const auto requests = peer.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(requests[1].body)["messages"].size(), 4u);
}

}  // namespace
}  // namespace radixlm::sglang
