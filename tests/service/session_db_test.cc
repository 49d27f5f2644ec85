#include "src/service/session_db.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/common/strings.h"
#include "tests/support/scratch_dir.h"

namespace radixlm::optimization::internal {
namespace {

using ::radixlm::StrCat;

constexpr char kEndpoint[] = "http://gpu-a:30000";

absl::Time At(std::int64_t micros) { return absl::FromUnixMicros(1'700'000'000'000'000 + micros); }

SessionInfo NewSession(std::string id, std::string system_prompt) {
  SessionInfo info;
  info.id = std::move(id);
  info.system_prompt = std::move(system_prompt);
  info.created_at = At(1);
  info.last_used_at = At(2);
  return info;
}

// What turn `index` holds in these tests: a few KB, all of it derived from the index, so that a
// torn or misplaced turn shows as a mismatch.
StoredTurn TurnFor(std::int64_t index) {
  StoredTurn turn;
  const auto lower = static_cast<char>('a' + index % 26);
  const auto upper = static_cast<char>('A' + index % 26);
  turn.user = StrCat("question ", index, " ", std::string(1000 + index % 97, lower));
  turn.assistant = StrCat("answer ", index, " ", std::string(3000 + index % 89, upper));
  turn.backend = index % 2 == 0 ? kEndpoint : "embedded";
  turn.prompt_tokens = 100 + index;
  turn.cached_tokens = index;
  turn.completion_tokens = 7 * index + 1;
  turn.completed_at = At(1000 + index);
  return turn;
}

void ExpectSameTurn(const StoredTurn& actual, const StoredTurn& expected) {
  EXPECT_EQ(actual.user, expected.user);
  EXPECT_EQ(actual.assistant, expected.assistant);
  EXPECT_EQ(actual.backend, expected.backend);
  EXPECT_EQ(actual.prompt_tokens, expected.prompt_tokens);
  EXPECT_EQ(actual.cached_tokens, expected.cached_tokens);
  EXPECT_EQ(actual.completion_tokens, expected.completion_tokens);
  EXPECT_EQ(actual.completed_at, expected.completed_at);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Each test gets its own folder, removed afterwards.
class SessionDbTest : public ::testing::Test {
 protected:
  std::string PathOf(const std::string& name) const { return scratch_.PathOf(name); }

  std::unique_ptr<SessionDb> OpenOrDie(const std::string& path) {
    absl::StatusOr<std::unique_ptr<SessionDb>> db = SessionDb::Open(path);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }

  std::vector<SessionInfo> LoadAllOrDie(SessionDb& db) {
    absl::StatusOr<std::vector<SessionInfo>> sessions = db.LoadAll();
    EXPECT_TRUE(sessions.ok()) << sessions.status();
    return sessions.ok() ? *sessions : std::vector<SessionInfo>{};
  }

  testing::ScratchDir scratch_{"radixlm_session_db"};
};

TEST_F(SessionDbTest, SessionsAndTurnsSurviveCloseAndReopen) {
  const std::string path = PathOf("sessions.db");
  {
    std::unique_ptr<SessionDb> db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->CreateSession(NewSession("beta", "You are terse."), false).ok());
    ASSERT_TRUE(db->CreateSession(NewSession("alpha", ""), false).ok());
    for (std::int64_t i = 0; i < 3; ++i) {
      ASSERT_TRUE(db->AppendTurn("alpha", i, TurnFor(i), At(100 + i), kEndpoint, i).ok());
    }
    ASSERT_TRUE(db->AppendTurn("beta", 0, TurnFor(7), At(60), "http://gpu-b:30000", 0).ok());
  }
  std::unique_ptr<SessionDb> db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  const std::vector<SessionInfo> sessions = LoadAllOrDie(*db);
  ASSERT_EQ(sessions.size(), 2u);

  const SessionInfo& alpha = sessions[0];
  EXPECT_EQ(alpha.id, "alpha");
  EXPECT_EQ(alpha.system_prompt, "");
  EXPECT_EQ(alpha.created_at, At(1));
  EXPECT_EQ(alpha.last_used_at, At(102));
  EXPECT_EQ(alpha.endpoint, kEndpoint);
  EXPECT_EQ(alpha.context_start, 2);
  ASSERT_EQ(alpha.turns.size(), 3u);
  for (std::size_t i = 0; i < alpha.turns.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameTurn(alpha.turns[i], TurnFor(static_cast<std::int64_t>(i)));
  }

  const SessionInfo& beta = sessions[1];
  EXPECT_EQ(beta.id, "beta");
  EXPECT_EQ(beta.system_prompt, "You are terse.");
  EXPECT_EQ(beta.last_used_at, At(60));
  EXPECT_EQ(beta.endpoint, "http://gpu-b:30000");
  EXPECT_EQ(beta.context_start, 0);
  ASSERT_EQ(beta.turns.size(), 1u);
  ExpectSameTurn(beta.turns[0], TurnFor(7));
}

TEST_F(SessionDbTest, ExistingIdIsKeptUnlessReplacementIsAskedThenItsTurnsAreGone) {
  std::unique_ptr<SessionDb> db = OpenOrDie(PathOf("sessions.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->CreateSession(NewSession("s", "first"), false).ok());
  ASSERT_TRUE(db->AppendTurn("s", 0, TurnFor(0), At(10), kEndpoint, 0).ok());
  ASSERT_TRUE(db->AppendTurn("s", 1, TurnFor(1), At(11), kEndpoint, 0).ok());

  const absl::Status duplicate = db->CreateSession(NewSession("s", "second"), false);
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists) << duplicate;
  std::vector<SessionInfo> sessions = LoadAllOrDie(*db);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].system_prompt, "first");
  EXPECT_EQ(sessions[0].turns.size(), 2u);

  ASSERT_TRUE(db->CreateSession(NewSession("s", "second"), true).ok());
  sessions = LoadAllOrDie(*db);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].system_prompt, "second");
  EXPECT_EQ(sessions[0].endpoint, "");
  EXPECT_TRUE(sessions[0].turns.empty());
  // The replacement starts counting from turn 0 again.
  EXPECT_TRUE(db->AppendTurn("s", 0, TurnFor(5), At(20), kEndpoint, 0).ok());
  EXPECT_EQ(db->AppendTurn("s", 2, TurnFor(2), At(21), kEndpoint, 0).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SessionDbTest, CreateRefusesEmptyIdAndTurns) {
  std::unique_ptr<SessionDb> db = OpenOrDie(PathOf("sessions.db"));
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->CreateSession(NewSession("", "x"), false).code(),
            absl::StatusCode::kInvalidArgument);
  SessionInfo with_turns = NewSession("s", "x");
  with_turns.turns.push_back(TurnFor(0));
  EXPECT_EQ(db->CreateSession(with_turns, false).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(LoadAllOrDie(*db).empty());
}

TEST_F(SessionDbTest, AppendTurnRejectsGapsAndDuplicatesAndChangesNothing) {
  std::unique_ptr<SessionDb> db = OpenOrDie(PathOf("sessions.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->CreateSession(NewSession("s", ""), false).ok());
  ASSERT_TRUE(db->AppendTurn("s", 0, TurnFor(0), At(10), kEndpoint, 0).ok());

  const absl::Status duplicate = db->AppendTurn("s", 0, TurnFor(9), At(99), "http://other", 1);
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kFailedPrecondition) << duplicate;
  const absl::Status gap = db->AppendTurn("s", 2, TurnFor(2), At(99), "http://other", 1);
  EXPECT_EQ(gap.code(), absl::StatusCode::kFailedPrecondition) << gap;
  EXPECT_NE(std::string(gap.message()).find("has 1 stored turns"), std::string::npos) << gap;
  EXPECT_EQ(db->AppendTurn("s", -1, TurnFor(0), At(99), "", 0).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->AppendTurn("s", 1, TurnFor(1), At(99), "", 3).code(),
            absl::StatusCode::kInvalidArgument)
      << "context_start beyond the turns";

  std::vector<SessionInfo> sessions = LoadAllOrDie(*db);
  ASSERT_EQ(sessions.size(), 1u);
  ASSERT_EQ(sessions[0].turns.size(), 1u);
  ExpectSameTurn(sessions[0].turns[0], TurnFor(0));
  EXPECT_EQ(sessions[0].last_used_at, At(10));
  EXPECT_EQ(sessions[0].endpoint, kEndpoint);
  EXPECT_EQ(sessions[0].context_start, 0);

  ASSERT_TRUE(db->AppendTurn("s", 1, TurnFor(1), At(11), kEndpoint, 2).ok());
  sessions = LoadAllOrDie(*db);
  ASSERT_EQ(sessions[0].turns.size(), 2u);
  ExpectSameTurn(sessions[0].turns[1], TurnFor(1));
  EXPECT_EQ(sessions[0].context_start, 2);
}

TEST_F(SessionDbTest, DeletedSessionIsNotFoundForEveryCallAndLeavesNoTurns) {
  std::unique_ptr<SessionDb> db = OpenOrDie(PathOf("sessions.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->CreateSession(NewSession("gone", ""), false).ok());
  ASSERT_TRUE(db->CreateSession(NewSession("kept", ""), false).ok());
  ASSERT_TRUE(db->AppendTurn("gone", 0, TurnFor(0), At(10), kEndpoint, 0).ok());
  ASSERT_TRUE(db->AppendTurn("kept", 0, TurnFor(3), At(10), kEndpoint, 0).ok());
  ASSERT_TRUE(db->DeleteSession("gone").ok());

  const absl::Status append = db->AppendTurn("gone", 1, TurnFor(1), At(11), kEndpoint, 0);
  EXPECT_EQ(append.code(), absl::StatusCode::kNotFound) << append;
  EXPECT_NE(std::string(append.message()).find("\"gone\""), std::string::npos) << append;
  EXPECT_EQ(db->AppendTurn("gone", 0, TurnFor(0), At(11), kEndpoint, 0).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(db->DeleteSession("gone").code(), absl::StatusCode::kNotFound);

  std::vector<SessionInfo> sessions = LoadAllOrDie(*db);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].id, "kept");
  EXPECT_EQ(sessions[0].turns.size(), 1u);
  // A new session under the old id does not inherit the deleted one's turns.
  ASSERT_TRUE(db->CreateSession(NewSession("gone", ""), false).ok());
  sessions = LoadAllOrDie(*db);
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_TRUE(sessions[0].turns.empty());
}

TEST_F(SessionDbTest, AnyTextSurvivesByteForByte) {
  const std::string path = PathOf("sessions.db");
  const std::string id = "user-\xF0\x9F\x98\x80 'quoted' \"double\"";
  const std::string prompt = "Système: réponds en français 🇫🇷\nLine 2\r\n\tTabbed \\ backslash";
  StoredTurn turn = TurnFor(0);
  turn.user = "'); DROP TABLE turns; --\n\"quotes\" and 'single' and `backticks` 日本語 🤖";
  turn.assistant = std::string("with\0embedded\0NULs", 18) + "\n\n```\ncode\n```\n" + "🙂";
  turn.backend = "";
  {
    std::unique_ptr<SessionDb> db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->CreateSession(NewSession(id, prompt), false).ok());
    ASSERT_TRUE(db->AppendTurn(id, 0, turn, At(5), "http://[::1]:30000/ü", 0).ok());
  }
  std::unique_ptr<SessionDb> db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  const std::vector<SessionInfo> sessions = LoadAllOrDie(*db);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].id, id);
  EXPECT_EQ(sessions[0].system_prompt, prompt);
  EXPECT_EQ(sessions[0].endpoint, "http://[::1]:30000/ü");
  ASSERT_EQ(sessions[0].turns.size(), 1u);
  EXPECT_EQ(sessions[0].turns[0].assistant.size(), turn.assistant.size());
  ExpectSameTurn(sessions[0].turns[0], turn);
  EXPECT_TRUE(db->AppendTurn(id, 1, turn, At(6), "", 0).ok()) << "the id matches exactly";
}

TEST_F(SessionDbTest, InMemoryStoresArePrivate) {
  std::unique_ptr<SessionDb> first = OpenOrDie("");
  std::unique_ptr<SessionDb> second = OpenOrDie("");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->CreateSession(NewSession("s", ""), false).ok());
  ASSERT_TRUE(first->AppendTurn("s", 0, TurnFor(0), At(3), kEndpoint, 0).ok());
  EXPECT_EQ(LoadAllOrDie(*first).size(), 1u);
  EXPECT_TRUE(LoadAllOrDie(*second).empty());
}

TEST_F(SessionDbTest, FileThatIsNotADatabaseIsRefusedAndLeftAlone) {
  const std::string path = PathOf("notes.txt");
  const std::string text = "These are my notes, not a database.\n";
  std::ofstream(path) << text;
  const absl::StatusOr<std::unique_ptr<SessionDb>> db = SessionDb::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(db.status().message());
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("is not a radixlm session store"), std::string::npos) << message;
  EXPECT_NE(message.find("optimization.sessions.store_path"), std::string::npos) << message;
  EXPECT_EQ(ReadFile(path), text);
}

TEST_F(SessionDbTest, MissingFolderIsAnErrorNamingThePath) {
  const std::string path = PathOf("no-such-folder/sessions.db");
  const absl::StatusOr<std::unique_ptr<SessionDb>> db = SessionDb::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(db.status().message());
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("folder exists"), std::string::npos) << message;
}

// Runs `sql` on the file with a plain SQLite connection (as another program would).
void RunSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST_F(SessionDbTest, NewerSchemaVersionIsRefused) {
  const std::string path = PathOf("sessions.db");
  ASSERT_NE(OpenOrDie(path), nullptr);
  RunSql(path, "PRAGMA user_version = 2");
  const absl::StatusOr<std::unique_ptr<SessionDb>> db = SessionDb::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(db.status().message());
  EXPECT_NE(message.find("schema version 2"), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

TEST_F(SessionDbTest, OtherProgramsDatabaseIsRefusedAndLeftAlone) {
  const std::string path = PathOf("other.db");
  RunSql(path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')");
  const absl::StatusOr<std::unique_ptr<SessionDb>> db = SessionDb::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(db.status().message()).find("is not a radixlm session store"),
            std::string::npos)
      << db.status();
  RunSql(path, "SELECT 1 FROM notes WHERE text = 'keep me'");
}

TEST_F(SessionDbTest, GapMadeByAnotherProgramIsReportedAsDataLoss) {
  const std::string path = PathOf("sessions.db");
  {
    std::unique_ptr<SessionDb> db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->CreateSession(NewSession("s", ""), false).ok());
    for (std::int64_t i = 0; i < 3; ++i) {
      ASSERT_TRUE(db->AppendTurn("s", i, TurnFor(i), At(10), kEndpoint, 0).ok());
    }
  }
  RunSql(path, "DELETE FROM turns WHERE turn_index = 1");
  std::unique_ptr<SessionDb> db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  const absl::StatusOr<std::vector<SessionInfo>> sessions = db->LoadAll();
  EXPECT_EQ(sessions.status().code(), absl::StatusCode::kDataLoss) << sessions.status();
}

// --- Crash safety ------------------------------------------------------------------------------

// Reads one report of the writer child; false at end of file (the child is gone).
bool ReadReport(int fd, std::int64_t& value) {
  char* out = reinterpret_cast<char*>(&value);
  std::size_t got = 0;
  while (got < sizeof value) {
    const ssize_t n = read(fd, out + got, sizeof value - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

// In the forked child: appends TurnFor(i) for i = first, first + 1, ... as fast as it can and
// writes to `report_fd` the number of turns stored after every AppendTurn that returned OK.
[[noreturn]] void AppendUntilKilled(const std::string& path, std::int64_t first, int report_fd) {
  absl::StatusOr<std::unique_ptr<SessionDb>> db = SessionDb::Open(path);
  if (!db.ok()) _exit(2);
  // Bounded only so that an orphan cannot run forever; the parent kills it long before.
  for (std::int64_t index = first; index < first + 1'000'000; ++index) {
    if (!(*db)->AppendTurn("s", index, TurnFor(index), At(index), kEndpoint, index / 2).ok()) {
      _exit(3);
    }
    const std::int64_t stored = index + 1;
    if (write(report_fd, &stored, sizeof stored) != static_cast<ssize_t>(sizeof stored)) _exit(4);
  }
  _exit(0);
}

// Kills and reaps the child if the test ends before it does.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ~ChildProcess() {
    if (pid_ > 0) KillAndWait();
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The wait status.
  int KillAndWait() {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

TEST_F(SessionDbTest, KilledWriterLosesNoAcknowledgedTurnAndLeavesNoPartialTurn) {
  const std::string path = PathOf("sessions.db");
  {
    // Closed before fork(): an SQLite connection must not be carried across it.
    std::unique_ptr<SessionDb> db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->CreateSession(NewSession("s", "system"), false).ok());
  }
  std::int64_t stored_before = 0;
  // Each round kills a writer at a different point and continues the session in the next one.
  for (std::int64_t round = 0; round < 3; ++round) {
    SCOPED_TRACE(StrCat("round ", round));
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t pid = fork();
    ASSERT_NE(pid, -1) << "fork failed, errno " << errno;
    if (pid == 0) {
      close(pipe_fds[0]);
      AppendUntilKilled(path, stored_before, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    ChildProcess child(pid);

    const std::int64_t kill_after = stored_before + 10 + 7 * round;
    std::int64_t acknowledged = stored_before;
    while (acknowledged < kill_after) {
      ASSERT_TRUE(ReadReport(pipe_fds[0], acknowledged))
          << "the writer stopped after " << acknowledged << " turns";
    }
    const int status = child.KillAndWait();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;
    // Reports written before the kill are still in the pipe.
    while (ReadReport(pipe_fds[0], acknowledged)) {
    }
    close(pipe_fds[0]);

    std::unique_ptr<SessionDb> db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    const std::vector<SessionInfo> sessions = LoadAllOrDie(*db);
    ASSERT_EQ(sessions.size(), 1u);
    const SessionInfo& session = sessions[0];
    const auto stored = static_cast<std::int64_t>(session.turns.size());
    // At most one turn more than acknowledged: committed, but killed before it could report.
    EXPECT_GE(stored, acknowledged);
    EXPECT_LE(stored, acknowledged + 1);
    for (std::int64_t i = 0; i < stored; ++i) {
      SCOPED_TRACE(StrCat("turn ", i));
      ExpectSameTurn(session.turns[static_cast<std::size_t>(i)], TurnFor(i));
    }
    // The session row moved with its last turn.
    EXPECT_EQ(session.last_used_at, At(stored - 1));
    EXPECT_EQ(session.context_start, (stored - 1) / 2);
    stored_before = stored;
  }
  // The store takes new turns after the crashes.
  std::unique_ptr<SessionDb> db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->AppendTurn("s", stored_before, TurnFor(stored_before), At(0), "", 0).ok());
}

}  // namespace
}  // namespace radixlm::optimization::internal
