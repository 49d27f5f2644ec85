#include "src/client/session_store.h"

#include <thread>

#include "gtest/gtest.h"

namespace radixlm::sglang::internal {
namespace {

CompletionResponse Reply(const std::string& text, std::int64_t prompt, std::int64_t cached) {
  CompletionResponse response;
  CompletionChoice choice;
  choice.message = {.role = "assistant", .content = text};
  response.choices.push_back(choice);
  response.usage = {.prompt_tokens = prompt, .completion_tokens = 2, .total_tokens = prompt + 2,
                    .cached_tokens = cached};
  return response;
}

TEST(SessionStoreTest, DuplicateIdIsAnErrorUnlessReplacementIsAsked) {
  SessionStore store({});
  ASSERT_TRUE(store.Create("a", "sys", {}).ok());
  EXPECT_EQ(store.Create("a", "other", {}).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store.Get("a")->system_prompt, "sys");
  ASSERT_TRUE(store.Create("a", "other", {.replace_existing = true}).ok());
  EXPECT_EQ(store.Get("a")->system_prompt, "other");
  EXPECT_EQ(store.Create("", "x", {}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SessionStoreTest, EachTurnIsThePreviousRequestPlusTheNewTurn) {
  SessionStore store({});
  SessionOptions options;
  options.request_template.temperature = 0.0;
  ASSERT_TRUE(store.Create("s", "You are terse.", options).ok());
  absl::StatusOr<PreparedTurn> first = store.BeginTurn("s", "Hi", {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->request.temperature, 0.0);
  store.EndTurn(*first, Reply("Hello.", 10, 0));
  absl::StatusOr<PreparedTurn> second = store.BeginTurn("s", "Bye", {});
  ASSERT_TRUE(second.ok());
  const auto& earlier = first->request.messages;
  const auto& later = second->request.messages;
  ASSERT_EQ(later.size(), earlier.size() + 2);
  EXPECT_TRUE(std::equal(earlier.begin(), earlier.end(), later.begin()));
  EXPECT_EQ(later[earlier.size()], (Message{.role = "assistant", .content = "Hello."}));
  EXPECT_EQ(later.back(), (Message{.role = "user", .content = "Bye"}));
  store.EndTurn(*second, Reply("Bye.", 16, 12));
  absl::StatusOr<Session> session = store.Get("s");
  EXPECT_EQ(session->turns, 2);
  EXPECT_EQ(session->prompt_tokens, 26);
  EXPECT_EQ(session->cached_tokens, 12);
  EXPECT_EQ(session->last_prompt_tokens, 16);
}

TEST(SessionStoreTest, FailedOrStoppedTurnLeavesHistoryUnchanged) {
  SessionStore store({});
  ASSERT_TRUE(store.Create("s", "", {}).ok());
  absl::StatusOr<PreparedTurn> turn = store.BeginTurn("s", "Hi", {});
  ASSERT_TRUE(turn.ok());
  EXPECT_EQ(turn->request.messages.size(), 1u) << "an empty system prompt is not sent";
  store.EndTurn(*turn, absl::UnavailableError("down"));
  EXPECT_TRUE(store.Get("s")->history.empty());
  turn = store.BeginTurn("s", "Hi", {});
  ASSERT_TRUE(turn.ok()) << "a failed turn must release the session";
  CompletionResponse stopped = Reply("Hel", 5, 0);
  stopped.stopped_by_caller = true;
  store.EndTurn(*turn, stopped);
  EXPECT_TRUE(store.Get("s")->history.empty());
  EXPECT_EQ(store.Get("s")->turns, 0);
}

TEST(SessionStoreTest, SecondTurnWaitsAndHonoursItsDeadlineAndCancellation) {
  SessionStore store({});
  ASSERT_TRUE(store.Create("s", "", {}).ok());
  absl::StatusOr<PreparedTurn> first = store.BeginTurn("s", "one", {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(store.BeginTurn("s", "two", {.deadline = absl::Now() + absl::Milliseconds(50)})
                .status()
                .code(),
            absl::StatusCode::kDeadlineExceeded);
  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(store.BeginTurn("s", "two", {.cancel = stop.get_token()}).status().code(),
            absl::StatusCode::kCancelled);
  // Once the first turn ends the waiting one proceeds and sees its result.
  std::jthread ender([&] { store.EndTurn(*first, Reply("1", 3, 0)); });
  absl::StatusOr<PreparedTurn> second = store.BeginTurn("s", "two", {});
  ASSERT_TRUE(second.ok());
  ender.join();
  EXPECT_EQ(second->request.messages.size(), 3u);
  store.EndTurn(*second, Reply("2", 6, 3));
}

TEST(SessionStoreTest, DeleteAndCleanup) {
  SessionStore store({});
  ASSERT_TRUE(store.Create("old", "", {}).ok());
  ASSERT_TRUE(store.Create("busy", "", {}).ok());
  absl::StatusOr<PreparedTurn> busy = store.BeginTurn("busy", "x", {});
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ(store.EraseIdle(absl::Hours(1), absl::Now()), 0u);
  EXPECT_EQ(store.EraseIdle(absl::Hours(1), absl::Now() + absl::Hours(2)), 1u)
      << "the session with a turn in flight is not stale";
  EXPECT_EQ(store.Get("old").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store.Erase("busy").ok());
  store.EndTurn(*busy, Reply("late", 1, 0));
  EXPECT_EQ(store.Get("busy").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.Erase("busy").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.BeginTurn("nope", "x", {}).status().code(), absl::StatusCode::kNotFound);
}

TEST(SessionStoreTest, ContextBudgetDropsTurnsOnlyWhenTheTurnSucceeds) {
  SessionStore store({.max_history_turns = 1});
  ASSERT_TRUE(store.Create("s", "sys", {}).ok());
  for (const char* message : {"a", "b"}) {
    absl::StatusOr<PreparedTurn> turn = store.BeginTurn("s", message, {});
    ASSERT_TRUE(turn.ok());
    store.EndTurn(*turn, Reply(std::string("re-") + message, 5, 0));
  }
  // Two turns fit the limit of one earlier turn per request at the time each was sent.
  EXPECT_EQ(store.Get("s")->history.size(), 4u);
  absl::StatusOr<PreparedTurn> turn = store.BeginTurn("s", "c", {});
  ASSERT_TRUE(turn.ok());
  ASSERT_EQ(turn->request.messages.size(), 4u) << "sys, b, re-b, c";
  EXPECT_EQ(turn->request.messages[1].content, "b");
  store.EndTurn(*turn, absl::UnavailableError("down"));
  EXPECT_EQ(store.Get("s")->history.size(), 4u) << "a failed turn drops nothing";
  EXPECT_EQ(store.Get("s")->history[0].content, "a");
  turn = store.BeginTurn("s", "c", {});
  ASSERT_TRUE(turn.ok());
  store.EndTurn(*turn, Reply("re-c", 5, 0));
  ASSERT_EQ(store.Get("s")->history.size(), 4u);
  EXPECT_EQ(store.Get("s")->history[0].content, "b");
  EXPECT_EQ(store.Get("s")->history[3].content, "re-c");
}

}  // namespace
}  // namespace radixlm::sglang::internal
