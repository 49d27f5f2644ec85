// SessionDb called from several threads (built and run by the ThreadSanitizer job).

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "src/common/strings.h"
#include "src/service/session_db.h"
#include "tests/support/scratch_dir.h"

namespace radixlm::optimization::internal {
namespace {

using ::radixlm::StrCat;

constexpr char kEndpoint[] = "http://gpu-a:30000";

absl::Time At(std::int64_t micros) { return absl::FromUnixMicros(1'700'000'000'000'000 + micros); }

SessionInfo NewSession(std::string id) {
  SessionInfo info;
  info.id = std::move(id);
  info.created_at = At(0);
  info.last_used_at = At(0);
  return info;
}

// Turn `index` of session `id`: derived from both, so that a turn stored under the wrong session
// or index shows as a mismatch.
StoredTurn TurnFor(std::string_view id, std::int64_t index) {
  StoredTurn turn;
  turn.user = StrCat(id, " asks ", index, " ", std::string(500, 'q'));
  turn.assistant = StrCat(id, " is told ", index, " ", std::string(2000, 'a'));
  turn.backend = kEndpoint;
  turn.prompt_tokens = index;
  turn.completion_tokens = index + 1;
  turn.completed_at = At(index);
  return turn;
}

// Whether `session` holds exactly TurnFor(session.id, 0..n-1).
bool HoldsItsOwnTurnsInOrder(const SessionInfo& session) {
  for (std::size_t i = 0; i < session.turns.size(); ++i) {
    const StoredTurn expected = TurnFor(session.id, static_cast<std::int64_t>(i));
    const StoredTurn& actual = session.turns[i];
    if (actual.user != expected.user || actual.assistant != expected.assistant ||
        actual.prompt_tokens != expected.prompt_tokens) {
      return false;
    }
  }
  return true;
}

class SessionDbConcurrencyTest : public ::testing::Test {
 protected:
  std::string PathOf(const std::string& name) const { return scratch_.PathOf(name); }

  testing::ScratchDir scratch_{"radixlm_session_db"};
};

TEST_F(SessionDbConcurrencyTest, ThreadsAppendingToTheirOwnSessionsLoseNothing) {
  constexpr int kWriters = 4;
  constexpr std::int64_t kTurnsEach = 30;
  const std::string path = PathOf("sessions.db");
  absl::StatusOr<std::unique_ptr<SessionDb>> db = SessionDb::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  for (int w = 0; w < kWriters; ++w) {
    ASSERT_TRUE((*db)->CreateSession(NewSession(StrCat("session-", w)), false).ok());
  }

  std::atomic<int> failures{0};
  std::atomic<int> writers_left{kWriters};
  std::vector<std::thread> threads;
  threads.reserve(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      const std::string id = StrCat("session-", w);
      for (std::int64_t i = 0; i < kTurnsEach; ++i) {
        if (!(*db)->AppendTurn(id, i, TurnFor(id, i), At(i), kEndpoint, 0).ok()) ++failures;
      }
      --writers_left;
    });
  }
  // A reader meanwhile: every snapshot shows whole turns, each session's in order.
  int snapshots = 0;
  int bad_snapshots = 0;
  while (writers_left.load() > 0 || snapshots == 0) {
    absl::StatusOr<std::vector<SessionInfo>> sessions = (*db)->LoadAll();
    ++snapshots;
    if (!sessions.ok() || sessions->size() != kWriters) {
      ++bad_snapshots;
      continue;
    }
    for (const SessionInfo& session : *sessions) {
      if (!HoldsItsOwnTurnsInOrder(session)) ++bad_snapshots;
    }
    std::this_thread::yield();  // leaves the connection to the writers now and then
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(bad_snapshots, 0) << "of " << snapshots;

  db->reset();
  absl::StatusOr<std::unique_ptr<SessionDb>> reopened = SessionDb::Open(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  absl::StatusOr<std::vector<SessionInfo>> sessions = (*reopened)->LoadAll();
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  ASSERT_EQ(sessions->size(), static_cast<std::size_t>(kWriters));
  for (const SessionInfo& session : *sessions) {
    SCOPED_TRACE(session.id);
    EXPECT_EQ(session.turns.size(), static_cast<std::size_t>(kTurnsEach));
    EXPECT_TRUE(HoldsItsOwnTurnsInOrder(session));
    EXPECT_EQ(session.last_used_at, At(kTurnsEach - 1));
  }
}

TEST_F(SessionDbConcurrencyTest, RacingAppendsOfOneTurnStoreItExactlyOnce) {
  constexpr int kRacers = 4;
  constexpr std::int64_t kTurns = 25;
  absl::StatusOr<std::unique_ptr<SessionDb>> db = SessionDb::Open(PathOf("sessions.db"));
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->CreateSession(NewSession("s"), false).ok());

  // stored[i]: how many racers were told turn i was stored.
  std::vector<std::atomic<int>> stored(kTurns);
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  threads.reserve(kRacers);
  for (int r = 0; r < kRacers; ++r) {
    threads.emplace_back([&] {
      for (std::int64_t i = 0; i < kTurns; ++i) {
        const absl::Status status = (*db)->AppendTurn("s", i, TurnFor("s", i), At(i), "", 0);
        if (status.ok()) {
          ++stored[static_cast<std::size_t>(i)];
        } else if (status.code() != absl::StatusCode::kFailedPrecondition) {
          ++unexpected;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(unexpected.load(), 0);
  for (std::int64_t i = 0; i < kTurns; ++i) {
    EXPECT_EQ(stored[static_cast<std::size_t>(i)].load(), 1) << "turn " << i;
  }
  absl::StatusOr<std::vector<SessionInfo>> sessions = (*db)->LoadAll();
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_EQ((*sessions)[0].turns.size(), static_cast<std::size_t>(kTurns));
  EXPECT_TRUE(HoldsItsOwnTurnsInOrder((*sessions)[0]));
}

TEST_F(SessionDbConcurrencyTest, TwoConnectionsToOneFileInterleaveTheirWrites) {
  constexpr std::int64_t kTurnsEach = 20;
  const std::string path = PathOf("sessions.db");
  absl::StatusOr<std::unique_ptr<SessionDb>> first = SessionDb::Open(path);
  absl::StatusOr<std::unique_ptr<SessionDb>> second = SessionDb::Open(path);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();

  std::atomic<int> failures{0};
  auto write_session = [&](SessionDb& db, const std::string& id) {
    if (!db.CreateSession(NewSession(id), false).ok()) ++failures;
    for (std::int64_t i = 0; i < kTurnsEach; ++i) {
      if (!db.AppendTurn(id, i, TurnFor(id, i), At(i), kEndpoint, 0).ok()) ++failures;
    }
  };
  std::thread a([&] { write_session(**first, "a"); });
  std::thread b([&] { write_session(**second, "b"); });
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);

  // Each connection sees the other's commits.
  for (SessionDb* db : {first->get(), second->get()}) {
    absl::StatusOr<std::vector<SessionInfo>> sessions = db->LoadAll();
    ASSERT_TRUE(sessions.ok()) << sessions.status();
    ASSERT_EQ(sessions->size(), 2u);
    for (const SessionInfo& session : *sessions) {
      EXPECT_EQ(session.turns.size(), static_cast<std::size_t>(kTurnsEach)) << session.id;
      EXPECT_TRUE(HoldsItsOwnTurnsInOrder(session)) << session.id;
    }
  }
}

}  // namespace
}  // namespace radixlm::optimization::internal
