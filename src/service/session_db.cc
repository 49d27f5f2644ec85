// Invariants of the store (schema version kSchemaVersion):
//  - `sessions` has one row per session; `turns` one row per completed turn, keyed by
//    (session_id, turn_index), and only for a session that has a row (foreign key, and deletes
//    remove a session's turns in the same transaction).
//  - The turn indices of a session are 0..n-1 without gaps: AppendTurn inserts only index n, in
//    the transaction that read n. LoadAll reports any other shape as kDataLoss.
//  - A turn row exists only with its complete text and counts, written in one transaction together
//    with the session's last_used_at, endpoint and context_start; a crash loses whole transactions
//    only (WAL, synchronous=FULL), and a transaction that returned OK is on disk.
//  - Times are integer microseconds since the Unix epoch (absl::ToUnixMicros); text is stored as
//    bound, byte for byte (bound with explicit lengths, so embedded NULs survive).
//  - PRAGMA user_version is 0 only for a store without tables (new), else kSchemaVersion.
//  - `db_` and the prepared statements are used only under `mutex_`; every statement is reset when
//    its Query goes out of scope, so no statement holds a read transaction between calls.
#include "src/service/session_db.h"

#include <sqlite3.h>

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "src/common/strings.h"

namespace radixlm::optimization::internal {
namespace {

// Bump with a migration in Open when the schema changes; a store with a larger version was
// written by a newer radixlm and is refused rather than misread.
constexpr int kSchemaVersion = 1;
// How long a write waits for another connection's lock before failing with kUnavailable.
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kCreateSchema = R"sql(
CREATE TABLE sessions (
  id TEXT NOT NULL PRIMARY KEY,
  system_prompt TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  last_used_at_us INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  context_start INTEGER NOT NULL CHECK (context_start >= 0)
);
CREATE TABLE turns (
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  turn_index INTEGER NOT NULL CHECK (turn_index >= 0),
  user_message TEXT NOT NULL,
  assistant_message TEXT NOT NULL,
  backend TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  completed_at_us INTEGER NOT NULL,
  PRIMARY KEY (session_id, turn_index)
);
)sql";

struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;

std::string DisplayName(const std::string& path) {
  return path.empty() ? std::string("the in-memory session store")
                      : radixlm::StrCat("session store ", path);
}

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
      return absl::StatusCode::kUnavailable;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return absl::StatusCode::kPermissionDenied;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
      return absl::StatusCode::kFailedPrecondition;
    case SQLITE_CORRUPT:
      return absl::StatusCode::kDataLoss;
    default:
      return absl::StatusCode::kInternal;
  }
}

std::string_view HintFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "; another process holds it locked: stop that process or give this service its own "
             "optimization.sessions.store_path";
    case SQLITE_IOERR:
      return "; check the disk it is on";
    case SQLITE_FULL:
      return "; free disk space";
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return "; make the file and its folder writable by this process, or set "
             "optimization.sessions.store_path";
    case SQLITE_CANTOPEN:
      return "; check that its folder exists and is writable, or set "
             "optimization.sessions.store_path";
    case SQLITE_NOTADB:
      return "; move it away or set optimization.sessions.store_path";
    case SQLITE_CORRUPT:
      return "; restore it from a backup or move it away (its sessions are then lost)";
    default:
      return "";
  }
}

// The status of the sqlite call that returned `rc` while doing `action`. Reads the connection's
// error message, so it must come before any other call on `db`.
absl::Status SqliteFailure(sqlite3* db, const std::string& path, int rc, std::string_view action) {
  const char* message =
      db != nullptr && sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if ((rc & 0xff) == SQLITE_NOTADB) {
    return absl::FailedPreconditionError(radixlm::StrCat(
        DisplayName(path), " is not a radixlm session store (", message, ")", HintFor(rc)));
  }
  return absl::Status(CodeFor(rc), radixlm::StrCat(DisplayName(path), ": ", action,
                                                   " failed: ", message, HintFor(rc)));
}

// One use of a prepared statement: binds parameters in order, steps, reads columns, and resets
// the statement (and its bindings) when it goes out of scope.
class Query {
 public:
  explicit Query(sqlite3_stmt* statement) : statement_(statement) {}
  ~Query() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Bound without a copy: `text` must outlive the Query.
  Query& Text(std::string_view text) {
    // A null pointer would bind SQL NULL, and an empty view may hold one.
    const char* data = text.data() != nullptr ? text.data() : "";
    Keep(sqlite3_bind_text64(statement_, next_parameter_++, data, text.size(), SQLITE_STATIC,
                             SQLITE_UTF8));
    return *this;
  }
  Query& Int(std::int64_t value) {
    Keep(sqlite3_bind_int64(statement_, next_parameter_++, value));
    return *this;
  }
  Query& Time(absl::Time time) { return Int(absl::ToUnixMicros(time)); }

  // SQLITE_ROW, SQLITE_DONE, or the error of the step or of a failed bind.
  int Step() { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(statement_); }
  // Steps a statement that returns no rows: SQLITE_OK or the error.
  int Run() {
    const int rc = Step();
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }

  std::string ColumnText(int column) const {
    // sqlite3_column_bytes must follow sqlite3_column_text (it reports the converted size).
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    const int size = sqlite3_column_bytes(statement_, column);
    return data == nullptr ? std::string() : std::string(data, static_cast<std::size_t>(size));
  }
  std::int64_t ColumnInt(int column) const { return sqlite3_column_int64(statement_, column); }
  absl::Time ColumnTime(int column) const { return absl::FromUnixMicros(ColumnInt(column)); }

 private:
  void Keep(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3_stmt* const statement_;
  int next_parameter_ = 1;
  int bind_rc_ = SQLITE_OK;
};

// A transaction that rolls back unless committed.
class Transaction {
 public:
  Transaction(sqlite3* db, sqlite3_stmt* rollback) : db_(db), rollback_(rollback) {}
  ~Transaction() {
    // After some errors (SQLITE_FULL, SQLITE_IOERR, ...) sqlite has rolled back already.
    if (open_ && sqlite3_get_autocommit(db_) == 0) Query(rollback_).Run();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  int Begin(sqlite3_stmt* begin) {
    const int rc = Query(begin).Run();
    open_ = rc == SQLITE_OK;
    return rc;
  }
  int Commit(sqlite3_stmt* commit) {
    const int rc = Query(commit).Run();
    if (rc == SQLITE_OK) open_ = false;
    return rc;
  }

 private:
  sqlite3* const db_;
  sqlite3_stmt* const rollback_;
  bool open_ = false;
};

absl::Status NoSession(std::string_view id, const std::string& path, std::string_view what) {
  return absl::NotFoundError(radixlm::StrCat("no session with id \"", id, "\" in ",
                                             DisplayName(path), " (deleted meanwhile?); ", what));
}

}  // namespace

struct SessionDb::Statements {
  StatementPtr begin_read;
  StatementPtr begin_write;
  StatementPtr commit;
  StatementPtr rollback;
  StatementPtr select_sessions;
  StatementPtr select_turns;
  StatementPtr session_exists;
  StatementPtr insert_session;
  StatementPtr delete_session;
  StatementPtr delete_turns;
  StatementPtr next_turn_index;
  StatementPtr insert_turn;
  StatementPtr update_after_turn;
};

SessionDb::SessionDb(std::string path, sqlite3* db, std::unique_ptr<Statements> statements)
    : path_(std::move(path)), db_(db), statements_(std::move(statements)) {}

SessionDb::~SessionDb() {
  statements_.reset();
  sqlite3_close_v2(db_);
}

absl::Status SessionDb::Failure(int rc, std::string_view action) const {
  return SqliteFailure(db_, path_, rc, action);
}

absl::StatusOr<std::unique_ptr<SessionDb>> SessionDb::Open(const std::string& path) {
  // The connection is serialized by mutex_ (hence SQLITE_OPEN_NOMUTEX), which is enough only when
  // the library itself is thread-safe (other connections may live in other threads).
  if (sqlite3_threadsafe() == 0) {
    return absl::FailedPreconditionError(
        "the SQLite library was built without thread support (SQLITE_THREADSAFE=0); link a "
        "thread-safe libsqlite3");
  }
  sqlite3* raw_db = nullptr;
  const int open_rc =
      sqlite3_open_v2(path.empty() ? ":memory:" : path.c_str(), &raw_db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw_db);
  if (open_rc != SQLITE_OK) return SqliteFailure(db.get(), path, open_rc, "opening");

  auto exec = [&](const std::string& sql) -> absl::Status {
    const int rc = sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteFailure(db.get(), path, rc, radixlm::StrCat("\"", sql, "\""));
    return absl::OkStatus();
  };
  auto prepare = [&](StatementPtr& statement, const char* sql) -> absl::Status {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    statement.reset(raw);
    if (rc != SQLITE_OK) {
      return SqliteFailure(db.get(), path, rc, radixlm::StrCat("preparing \"", sql, "\""));
    }
    return absl::OkStatus();
  };
  // Runs a statement that returns one row (a PRAGMA, a count) and hands the row to `read`.
  auto query_row = [&](const char* sql, auto read) -> absl::Status {
    StatementPtr statement;
    if (absl::Status status = prepare(statement, sql); !status.ok()) return status;
    Query query(statement.get());
    const int rc = query.Step();
    if (rc != SQLITE_ROW) {
      return SqliteFailure(db.get(), path, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc,
                           radixlm::StrCat("\"", sql, "\""));
    }
    read(query);
    return absl::OkStatus();
  };
  auto query_int = [&](const char* sql) -> absl::StatusOr<std::int64_t> {
    std::int64_t value = 0;
    absl::Status status = query_row(sql, [&](const Query& query) { value = query.ColumnInt(0); });
    if (!status.ok()) return status;
    return value;
  };

  if (const int rc = sqlite3_busy_timeout(db.get(), kBusyTimeoutMs); rc != SQLITE_OK) {
    return SqliteFailure(db.get(), path, rc, "setting the busy timeout");
  }
  if (absl::Status status = exec("PRAGMA foreign_keys = ON"); !status.ok()) return status;
  // The first statement that reads the file: a file that is not a database fails here.
  std::string journal_mode;
  if (absl::Status status =
          query_row("PRAGMA journal_mode = WAL",
                    [&](const Query& query) { journal_mode = query.ColumnText(0); });
      !status.ok()) {
    return status;
  }
  if (!path.empty() && radixlm::AsciiToLower(journal_mode) != "wal") {
    return absl::FailedPreconditionError(radixlm::StrCat(
        DisplayName(path), " cannot use write-ahead logging (journal mode stayed \"", journal_mode,
        "\"); put it on a local filesystem or set optimization.sessions.store_path"));
  }
  if (absl::Status status = exec("PRAGMA synchronous = FULL"); !status.ok()) return status;

  auto statements = std::make_unique<Statements>();
  for (auto [statement, sql] :
       {std::pair{&statements->begin_read, "BEGIN"},
        std::pair{&statements->begin_write, "BEGIN IMMEDIATE"},
        std::pair{&statements->commit, "COMMIT"}, std::pair{&statements->rollback, "ROLLBACK"}}) {
    if (absl::Status status = prepare(*statement, sql); !status.ok()) return status;
  }

  absl::StatusOr<std::int64_t> version = query_int("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version == 0) {
    // Re-read under the write lock: another process may have created the schema meanwhile.
    Transaction transaction(db.get(), statements->rollback.get());
    if (const int rc = transaction.Begin(statements->begin_write.get()); rc != SQLITE_OK) {
      return SqliteFailure(db.get(), path, rc, "starting to create the schema");
    }
    version = query_int("PRAGMA user_version");
    if (!version.ok()) return version.status();
    if (*version == 0) {
      absl::StatusOr<std::int64_t> tables = query_int("SELECT count(*) FROM sqlite_master");
      if (!tables.ok()) return tables.status();
      if (*tables != 0) {
        return absl::FailedPreconditionError(radixlm::StrCat(
            DisplayName(path),
            " is not a radixlm session store (an SQLite database with other tables); move it "
            "away or set optimization.sessions.store_path"));
      }
      if (absl::Status status =
              exec(radixlm::StrCat(kCreateSchema, "PRAGMA user_version = ", kSchemaVersion, ";"));
          !status.ok()) {
        return status;
      }
      *version = kSchemaVersion;
    }
    if (const int rc = transaction.Commit(statements->commit.get()); rc != SQLITE_OK) {
      return SqliteFailure(db.get(), path, rc, "creating the schema");
    }
  }
  if (*version != kSchemaVersion) {
    return absl::FailedPreconditionError(
        radixlm::StrCat(DisplayName(path), " has schema version ", *version,
                        " but this radixlm knows only ", kSchemaVersion,
                        " (was it written by a newer radixlm?); upgrade radixlm or set "
                        "optimization.sessions.store_path to another file"));
  }

  for (auto [statement, sql] : {
           std::pair{&statements->select_sessions,
                     "SELECT id, system_prompt, created_at_us, last_used_at_us, endpoint, "
                     "context_start FROM sessions ORDER BY id"},
           std::pair{&statements->select_turns,
                     "SELECT session_id, turn_index, user_message, assistant_message, backend, "
                     "prompt_tokens, cached_tokens, completion_tokens, completed_at_us "
                     "FROM turns ORDER BY session_id, turn_index"},
           std::pair{&statements->session_exists, "SELECT 1 FROM sessions WHERE id = ?"},
           std::pair{&statements->insert_session,
                     "INSERT INTO sessions (id, system_prompt, created_at_us, last_used_at_us, "
                     "endpoint, context_start) VALUES (?, ?, ?, ?, ?, ?)"},
           std::pair{&statements->delete_session, "DELETE FROM sessions WHERE id = ?"},
           std::pair{&statements->delete_turns, "DELETE FROM turns WHERE session_id = ?"},
           // No row when the session does not exist; else its number of turns (indices are
           // 0..n-1, so MAX + 1 is the count, read from the primary key's index).
           std::pair{&statements->next_turn_index,
                     "SELECT (SELECT COALESCE(MAX(turn_index) + 1, 0) FROM turns "
                     "WHERE session_id = ?1) FROM sessions WHERE id = ?1"},
           std::pair{&statements->insert_turn,
                     "INSERT INTO turns (session_id, turn_index, user_message, "
                     "assistant_message, backend, prompt_tokens, cached_tokens, "
                     "completion_tokens, completed_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"},
           std::pair{&statements->update_after_turn,
                     "UPDATE sessions SET last_used_at_us = ?, endpoint = ?, context_start = ? "
                     "WHERE id = ?"},
       }) {
    if (absl::Status status = prepare(*statement, sql); !status.ok()) return status;
  }
  return std::unique_ptr<SessionDb>(new SessionDb(path, db.release(), std::move(statements)));
}

absl::StatusOr<std::vector<SessionInfo>> SessionDb::LoadAll() {
  std::lock_guard lock(mutex_);
  Statements& s = *statements_;
  // One read transaction: a consistent snapshot even while other connections write.
  Transaction transaction(db_, s.rollback.get());
  if (const int rc = transaction.Begin(s.begin_read.get()); rc != SQLITE_OK) {
    return Failure(rc, "starting to load the sessions");
  }
  std::vector<SessionInfo> sessions;
  std::unordered_map<std::string, std::size_t> position_by_id;
  {
    Query query(s.select_sessions.get());
    int rc = SQLITE_OK;
    while ((rc = query.Step()) == SQLITE_ROW) {
      SessionInfo& info = sessions.emplace_back();
      info.id = query.ColumnText(0);
      info.system_prompt = query.ColumnText(1);
      info.created_at = query.ColumnTime(2);
      info.last_used_at = query.ColumnTime(3);
      info.endpoint = query.ColumnText(4);
      info.context_start = query.ColumnInt(5);
      position_by_id.emplace(info.id, sessions.size() - 1);
    }
    if (rc != SQLITE_DONE) return Failure(rc, "loading the sessions");
  }
  {
    Query query(s.select_turns.get());
    int rc = SQLITE_OK;
    while ((rc = query.Step()) == SQLITE_ROW) {
      const std::string session_id = query.ColumnText(0);
      const std::int64_t turn_index = query.ColumnInt(1);
      auto it = position_by_id.find(session_id);
      if (it == position_by_id.end()) {
        return absl::DataLossError(radixlm::StrCat(
            DisplayName(path_), " holds turn ", turn_index, " of session \"", session_id,
            "\", which does not exist; was the file edited by another program?"));
      }
      SessionInfo& info = sessions[it->second];
      if (turn_index != static_cast<std::int64_t>(info.turns.size())) {
        return absl::DataLossError(
            radixlm::StrCat(DisplayName(path_), ": session \"", session_id, "\" has turn ",
                            turn_index, " where turn ", info.turns.size(),
                            " was expected; was the file edited by another program?"));
      }
      StoredTurn& turn = info.turns.emplace_back();
      turn.user = query.ColumnText(2);
      turn.assistant = query.ColumnText(3);
      turn.backend = query.ColumnText(4);
      turn.prompt_tokens = query.ColumnInt(5);
      turn.cached_tokens = query.ColumnInt(6);
      turn.completion_tokens = query.ColumnInt(7);
      turn.completed_at = query.ColumnTime(8);
    }
    if (rc != SQLITE_DONE) return Failure(rc, "loading the turns");
  }
  if (const int rc = transaction.Commit(s.commit.get()); rc != SQLITE_OK) {
    return Failure(rc, "finishing loading the sessions");
  }
  return sessions;
}

absl::Status SessionDb::CreateSession(const SessionInfo& info, bool replace_existing) {
  if (info.id.empty()) return absl::InvalidArgumentError("session id must not be empty");
  if (!info.turns.empty() || info.context_start != 0) {
    return absl::InvalidArgumentError(radixlm::StrCat(
        "session \"", info.id, "\": CreateSession stores a session without turns (got ",
        info.turns.size(), " turns, context_start ", info.context_start,
        "); append turns with AppendTurn"));
  }
  std::lock_guard lock(mutex_);
  Statements& s = *statements_;
  const std::string action = radixlm::StrCat("creating session \"", info.id, "\"");
  Transaction transaction(db_, s.rollback.get());
  if (const int rc = transaction.Begin(s.begin_write.get()); rc != SQLITE_OK) {
    return Failure(rc, action);
  }
  bool exists = false;
  {
    Query query(s.session_exists.get());
    const int rc = query.Text(info.id).Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Failure(rc, action);
    exists = rc == SQLITE_ROW;
  }
  if (exists) {
    if (!replace_existing) {
      return absl::AlreadyExistsError(radixlm::StrCat("session \"", info.id,
                                                      "\" already exists in ", DisplayName(path_),
                                                      "; delete it first or set replace_existing"));
    }
    if (const int rc = Query(s.delete_turns.get()).Text(info.id).Run(); rc != SQLITE_OK) {
      return Failure(rc, action);
    }
    if (const int rc = Query(s.delete_session.get()).Text(info.id).Run(); rc != SQLITE_OK) {
      return Failure(rc, action);
    }
  }
  const int insert_rc = Query(s.insert_session.get())
                            .Text(info.id)
                            .Text(info.system_prompt)
                            .Time(info.created_at)
                            .Time(info.last_used_at)
                            .Text(info.endpoint)
                            .Int(info.context_start)
                            .Run();
  if (insert_rc != SQLITE_OK) return Failure(insert_rc, action);
  if (const int rc = transaction.Commit(s.commit.get()); rc != SQLITE_OK) {
    return Failure(rc, action);
  }
  return absl::OkStatus();
}

absl::Status SessionDb::AppendTurn(std::string_view id, std::int64_t turn_index,
                                   const StoredTurn& turn, absl::Time last_used_at,
                                   std::string_view endpoint, std::int64_t context_start) {
  if (turn_index < 0 || context_start < 0 || context_start > turn_index + 1) {
    return absl::InvalidArgumentError(radixlm::StrCat(
        "session \"", id, "\": turn index ", turn_index, " with context_start ", context_start,
        " is out of range (turn index >= 0, 0 <= context_start <= turn index + 1)"));
  }
  std::lock_guard lock(mutex_);
  Statements& s = *statements_;
  const std::string action =
      radixlm::StrCat("storing turn ", turn_index, " of session \"", id, "\"");
  Transaction transaction(db_, s.rollback.get());
  if (const int rc = transaction.Begin(s.begin_write.get()); rc != SQLITE_OK) {
    return Failure(rc, action);
  }
  std::int64_t stored_turns = 0;
  {
    Query query(s.next_turn_index.get());
    const int rc = query.Text(id).Step();
    if (rc == SQLITE_DONE) {
      return NoSession(id, path_, radixlm::StrCat("turn ", turn_index, " is not stored"));
    }
    if (rc != SQLITE_ROW) return Failure(rc, action);
    stored_turns = query.ColumnInt(0);
  }
  if (turn_index != stored_turns) {
    return absl::FailedPreconditionError(radixlm::StrCat(
        "session \"", id, "\" has ", stored_turns, " stored turns, so the next is turn ",
        stored_turns, ", not ", turn_index, "; turns are stored in order, each once"));
  }
  const int insert_rc = Query(s.insert_turn.get())
                            .Text(id)
                            .Int(turn_index)
                            .Text(turn.user)
                            .Text(turn.assistant)
                            .Text(turn.backend)
                            .Int(turn.prompt_tokens)
                            .Int(turn.cached_tokens)
                            .Int(turn.completion_tokens)
                            .Time(turn.completed_at)
                            .Run();
  if (insert_rc != SQLITE_OK) return Failure(insert_rc, action);
  const int update_rc = Query(s.update_after_turn.get())
                            .Time(last_used_at)
                            .Text(endpoint)
                            .Int(context_start)
                            .Text(id)
                            .Run();
  if (update_rc != SQLITE_OK) return Failure(update_rc, action);
  if (const int rc = transaction.Commit(s.commit.get()); rc != SQLITE_OK) {
    return Failure(rc, action);
  }
  return absl::OkStatus();
}

absl::Status SessionDb::DeleteSession(std::string_view id) {
  std::lock_guard lock(mutex_);
  Statements& s = *statements_;
  const std::string action = radixlm::StrCat("deleting session \"", id, "\"");
  Transaction transaction(db_, s.rollback.get());
  if (const int rc = transaction.Begin(s.begin_write.get()); rc != SQLITE_OK) {
    return Failure(rc, action);
  }
  if (const int rc = Query(s.delete_turns.get()).Text(id).Run(); rc != SQLITE_OK) {
    return Failure(rc, action);
  }
  if (const int rc = Query(s.delete_session.get()).Text(id).Run(); rc != SQLITE_OK) {
    return Failure(rc, action);
  }
  if (sqlite3_changes(db_) == 0) return NoSession(id, path_, "nothing deleted");
  if (const int rc = transaction.Commit(s.commit.get()); rc != SQLITE_OK) {
    return Failure(rc, action);
  }
  return absl::OkStatus();
}

}  // namespace radixlm::optimization::internal
