#include "src/server/sessions.h"

#include "gtest/gtest.h"
#include "src/common/strings.h"

namespace radixlm::server {
namespace {

using Ids = std::vector<std::int32_t>;

std::string Message(const absl::Status& status) { return std::string(ToStd(status.message())); }

TEST(SessionStoreTest, OpenGivesAnIdAndReopeningFails) {
  SessionStore store;
  absl::StatusOr<std::string> made = store.Open({});
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made->size(), 32u);
  ASSERT_TRUE(store.Open({.session_id = "s"}).ok());
  absl::StatusOr<std::string> again = store.Open({.session_id = "s"});
  EXPECT_NE(Message(again.status()).find("Failed to open the session"), std::string::npos);
  store.Close("s");
  EXPECT_FALSE(store.IsOpen("s"));
  store.Close("never-opened");  // ignored, as SGLang
  EXPECT_TRUE(store.Open({.session_id = "s"}).ok());
}

TEST(SessionStoreTest, EachTurnContinuesThePreviousPromptAndOutput) {
  SessionStore store;
  ASSERT_TRUE(store.Open({.session_id = "s"}).ok());
  absl::StatusOr<SessionTurn> first = store.Begin({.id = "s"}, "r1", Ids{1, 2, 3});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->input_ids, (Ids{1, 2, 3}));
  store.Finish("s", "r1", {4, 5});
  absl::StatusOr<SessionTurn> second = store.Begin({.id = "s", .rid = "r1"}, "r2", Ids{6});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->input_ids, (Ids{1, 2, 3, 4, 5, 6}));
  store.Finish("s", "r2", {7});
  absl::StatusOr<SessionTurn> offset =
      store.Begin({.id = "s", .rid = "r2", .offset = -1}, "r3", Ids{8});
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(offset->input_ids, (Ids{1, 2, 3, 4, 5, 6, 8}));  // the last output token dropped
  absl::StatusOr<SessionTurn> dropped =
      store.Begin({.id = "s", .rid = "r1", .drop_previous_output = true}, "r4", Ids{9});
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->input_ids, (Ids{1, 2, 3, 9}));
}

TEST(SessionStoreTest, RefusesUnknownSessionsRidsAndUnfinishedParents) {
  SessionStore store;
  EXPECT_EQ(Message(store.Begin({.id = "nope"}, "r", Ids{1}).status()),
            "Invalid request: session id nope does not exist");
  ASSERT_TRUE(store.Open({.session_id = "s"}).ok());
  EXPECT_NE(Message(store.Begin({.id = "s", .rid = "ghost"}, "r", Ids{1}).status())
                .find("Invalid request session id"),
            std::string::npos);
  ASSERT_TRUE(store.Begin({.id = "s"}, "r1", Ids{1}).ok());
  EXPECT_EQ(Message(store.Begin({.id = "s", .rid = "r1"}, "r2", Ids{2}).status()),
            "Session request is appending to a request that hasn't finished.");
  EXPECT_FALSE(store.Begin({.id = "s"}, "r1", Ids{1}).ok());  // duplicate rid
}

TEST(SessionStoreTest, ReplaceBranchesAndAbortsSupersededRequests) {
  SessionStore store;
  ASSERT_TRUE(store.Open({.session_id = "s"}).ok());
  ASSERT_TRUE(store.Begin({.id = "s"}, "r1", Ids{1}).ok());
  store.Finish("s", "r1", {2});
  ASSERT_TRUE(store.Begin({.id = "s", .rid = "r1"}, "r2", Ids{3}).ok());  // still running
  absl::StatusOr<SessionTurn> branch =
      store.Begin({.id = "s", .rid = "r1", .replace = true}, "r3", Ids{4});
  ASSERT_TRUE(branch.ok());
  EXPECT_EQ(branch->input_ids, (Ids{1, 2, 4}));
  EXPECT_EQ(branch->rids_to_abort, (std::vector<std::string>{"r2"}));
  // r2 is gone: continuing it is an unknown rid.
  EXPECT_FALSE(store.Begin({.id = "s", .rid = "r2"}, "r5", Ids{5}).ok());
}

TEST(SessionStoreTest, IdleSessionsExpireAfterTheirTimeout) {
  SessionStore store;
  ASSERT_TRUE(store.Open({.session_id = "short", .timeout_seconds = 0.0}).ok());
  ASSERT_TRUE(store.Open({.session_id = "long", .timeout_seconds = 3600.0}).ok());
  absl::SleepFor(absl::Milliseconds(5));  // the clock must advance past a zero timeout
  EXPECT_FALSE(store.IsOpen("short"));
  EXPECT_TRUE(store.IsOpen("long"));
}

}  // namespace
}  // namespace radixlm::server
