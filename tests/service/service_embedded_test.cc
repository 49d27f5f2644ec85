// The service on the embedded engine (a made tiny model): the context-window policy and session
// limits, and many threads at once — turns on different sessions run together, turns on one
// session are serialized, deletes and cleanups race with turns. Built under ThreadSanitizer by the
// concurrency job.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "radixlm/optimization/service.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/tiny_model.h"

namespace radixlm::optimization {
namespace {

// The embedded engine only (the remote is disabled by default), on the tiny model.
Config TinyConfig() {
  Config config;
  config.engine.model = radixlm::testing::MadeTinyModel(11);
  config.engine.threads = 1;
  config.engine.max_kv_tokens = 8192;
  return config;
}

std::unique_ptr<Service> EmbeddedService(const Config& config) {
  auto service = Service::Create(config);
  EXPECT_TRUE(service.ok()) << service.status();
  return service.ok() ? *std::move(service) : nullptr;
}

std::unique_ptr<Service> EmbeddedService(const std::string& store_path) {
  Config config = TinyConfig();
  config.sessions.store_path = store_path;
  return EmbeddedService(config);
}

const TurnOptions kShort{.max_tokens = 3, .temperature = 0};

TEST(ServiceConcurrencyTest, TurnsOnOneSessionAreSerializedAndOthersRunAlongside) {
  const radixlm::testing::ScratchDir scratch("radixlm_service_embedded");
  const std::string store = scratch.PathOf("sessions.db");
  std::unique_ptr<Service> service = EmbeddedService(store);
  ASSERT_NE(service, nullptr);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(service->CreateSession("own-" + std::to_string(i), "sys").ok());
  }
  ASSERT_TRUE(service->CreateSession("shared", "sys").ok());
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int turn = 0; turn < 3; ++turn) {
        if (!service->ContinueSession("own-" + std::to_string(i), "hello", kShort).ok()) {
          ++failures;
        }
      }
    });
  }
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      for (int turn = 0; turn < 2; ++turn) {
        if (!service->ContinueSessionStream("shared", "from " + std::to_string(i),
                                            [](std::string_view) { return true; }, kShort)
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  std::thread observer([&] {
    while (!done) {
      EXPECT_EQ(service->CleanupSessions(absl::Hours(1)), 0u);
      EXPECT_EQ(service->Status().sessions, 5u);
      EXPECT_FALSE(service->MetricsText().empty());
      EXPECT_EQ(service->ListSessions().size(), 5u);
    }
  });
  for (std::thread& thread : threads) thread.join();
  done = true;
  observer.join();
  EXPECT_EQ(failures, 0);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(service->GetSession("own-" + std::to_string(i))->turns.size(), 3u);
  }
  auto shared = service->GetSession("shared");
  ASSERT_TRUE(shared.ok());
  ASSERT_EQ(shared->turns.size(), 4u);
  // Serialized: every turn's prompt held all the turns before it.
  for (std::size_t i = 1; i < shared->turns.size(); ++i) {
    EXPECT_GT(shared->turns[i].prompt_tokens, shared->turns[i - 1].prompt_tokens);
  }
  service.reset();
  // Everything completed is in the store.
  std::unique_ptr<Service> reopened = EmbeddedService(store);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->GetSession("shared")->turns.size(), 4u);
  EXPECT_EQ(reopened->ListSessions().size(), 5u);
}

TEST(ServiceConcurrencyTest, DeletingASessionDuringItsTurnStoresNothing) {
  std::unique_ptr<Service> service = EmbeddedService("");
  ASSERT_NE(service, nullptr);
  ASSERT_TRUE(service->CreateSession("doomed", "sys").ok());
  std::atomic<bool> deleted{false};
  absl::StatusOr<TurnResult> turn = service->ContinueSessionStream(
      "doomed", "hello",
      [&](std::string_view) {
        if (!deleted.exchange(true)) {
          EXPECT_TRUE(service->DeleteSession("doomed").ok());
        }
        return true;
      },
      TurnOptions{.max_tokens = 8, .temperature = 0});
  if (deleted) {
    // The reply still reaches the caller; the session is gone for good.
    EXPECT_TRUE(turn.ok()) << turn.status();
    EXPECT_TRUE(absl::IsNotFound(service->GetSession("doomed").status()));
    EXPECT_TRUE(absl::IsNotFound(service->ContinueSession("doomed", "again", kShort).status()));
  }
}

TEST(ServiceConcurrencyTest, SessionLimitRefusesClearlyAndReplacementWorks) {
  Config config = TinyConfig();
  config.sessions.max_sessions = 2;
  std::unique_ptr<Service> service = EmbeddedService(config);
  ASSERT_NE(service, nullptr);
  ASSERT_TRUE(service->CreateSession("a", "").ok());
  ASSERT_TRUE(service->CreateSession("b", "").ok());
  absl::StatusOr<SessionInfo> third = service->CreateSession("c", "");
  EXPECT_TRUE(absl::IsResourceExhausted(third.status())) << third.status();
  EXPECT_NE(third.status().message().find("optimization.sessions.max_sessions"),
            std::string_view::npos);
  EXPECT_TRUE(absl::IsAlreadyExists(service->CreateSession("a", "x").status()));
  EXPECT_TRUE(service->CreateSession("a", "new system", /*replace_existing=*/true).ok());
  EXPECT_EQ(service->GetSession("a")->system_prompt, "new system");
  EXPECT_TRUE(absl::IsInvalidArgument(service->CreateSession("", "").status()));
  EXPECT_TRUE(absl::IsNotFound(service->ContinueSession("nope", "hi").status()));
  EXPECT_TRUE(absl::IsNotFound(service->DeleteSession("nope")));
  // Idle sessions are removed; CleanupSessions(0) removes every one not in use.
  EXPECT_EQ(service->CleanupSessions(absl::ZeroDuration()), 2u);
  EXPECT_TRUE(service->ListSessions().empty());
}

TEST(ServicePolicyTest, MaxHistoryTurnsLeavesOutTheOldestTurnsButStoresThemAll) {
  Config config = TinyConfig();
  config.sessions.max_history_turns = 2;
  std::unique_ptr<Service> service = EmbeddedService(config);
  ASSERT_NE(service, nullptr);
  ASSERT_TRUE(service->CreateSession("s", "sys").ok());
  std::vector<TurnResult> turns;
  for (int i = 0; i < 5; ++i) {
    auto turn = service->ContinueSession("s", "message " + std::to_string(i), kShort);
    ASSERT_TRUE(turn.ok()) << turn.status();
    turns.push_back(*turn);
  }
  // Turns 1-3 carry every earlier turn; turn 4 leaves out the first, turn 5 the first two.
  EXPECT_EQ(turns[2].turns_left_out, 0);
  EXPECT_EQ(turns[3].turns_left_out, 1);
  EXPECT_EQ(turns[4].turns_left_out, 2);
  EXPECT_LT(turns[3].prompt_tokens, turns[2].prompt_tokens + turns[2].completion_tokens + 8);
  auto session = service->GetSession("s");
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->turns.size(), 5u);
  EXPECT_EQ(session->context_start, 2);
}

TEST(ServicePolicyTest, MaxPromptTokensKeepsRequestsUnderTheLimit) {
  Config config = TinyConfig();
  config.sessions.max_prompt_tokens = 120;
  std::unique_ptr<Service> service = EmbeddedService(config);
  ASSERT_NE(service, nullptr);
  ASSERT_TRUE(service->CreateSession("s", "Be brief.").ok());
  std::int64_t left_out = 0;
  for (int i = 0; i < 8; ++i) {
    auto turn = service->ContinueSession(
        "s", "a longer message that takes a good number of tokens, number " + std::to_string(i),
        kShort);
    ASSERT_TRUE(turn.ok()) << turn.status();
    // The estimate is calibrated on the previous turn's own counts; allow its error.
    EXPECT_LE(turn->prompt_tokens, 160) << "turn " << i;
    EXPECT_GE(turn->turns_left_out, left_out) << "the request start only moves forward";
    left_out = turn->turns_left_out;
  }
  EXPECT_GT(left_out, 0);
  EXPECT_EQ(service->GetSession("s")->turns.size(), 8u);
}

}  // namespace
}  // namespace radixlm::optimization
