// SessionDb: the SQLite persistence of the optimization service's sessions (SessionInfo and its
// StoredTurns), so that they survive restarts and crashes.
//
// Every method that changes the store does so in one transaction: after a crash the store holds
// each session as it was after some completed call, never half of one. A turn is durable when
// AppendTurn returns OK (WAL with synchronous=FULL).
//
// Thread safety: a SessionDb may be shared by threads; calls are serialized on one connection.
// Several processes may open the same file (WAL, busy timeout 5 s), though the service uses one.
#ifndef RADIXLM_SRC_SERVICE_SESSION_DB_H_
#define RADIXLM_SRC_SERVICE_SESSION_DB_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radixlm/optimization/service.h"

struct sqlite3;

namespace radixlm::optimization::internal {

class SessionDb {
 public:
  // Opens or creates the store at `path` (its folder must exist; "" opens a private in-memory
  // store). Errors name the path and say what to do: kFailedPrecondition for a file that is not a
  // radixlm session store or was written by a newer radixlm (unknown schema version).
  static absl::StatusOr<std::unique_ptr<SessionDb>> Open(const std::string& path);
  ~SessionDb();
  SessionDb(const SessionDb&) = delete;
  SessionDb& operator=(const SessionDb&) = delete;

  // Every session with all its turns, ordered by id; turns in order. kDataLoss if the stored turn
  // indices of a session are not 0..n-1 (the file was edited by something else).
  absl::StatusOr<std::vector<SessionInfo>> LoadAll();

  // Inserts a session without turns (`info.turns` must be empty: kInvalidArgument otherwise, as
  // for an empty id). If the id exists: replaced, its turns deleted, when `replace_existing`; else
  // kAlreadyExists.
  absl::Status CreateSession(const SessionInfo& info, bool replace_existing);

  // Appends turn `turn_index` (0-based) and sets the session's last_used_at, endpoint and
  // context_start (0..turn_index + 1), together. kNotFound if the session does not exist (deleted
  // meanwhile); kFailedPrecondition if `turn_index` is not the session's current number of turns.
  absl::Status AppendTurn(std::string_view id, std::int64_t turn_index, const StoredTurn& turn,
                          absl::Time last_used_at, std::string_view endpoint,
                          std::int64_t context_start);

  // Deletes the session and its turns. kNotFound if it does not exist.
  absl::Status DeleteSession(std::string_view id);

 private:
  struct Statements;

  SessionDb(std::string path, sqlite3* db, std::unique_ptr<Statements> statements);

  // The status of a failed sqlite call (`rc`) while doing `action`; reads the connection's message,
  // so call it before any other sqlite call.
  absl::Status Failure(int rc, std::string_view action) const;

  const std::string path_;
  std::mutex mutex_;
  sqlite3* const db_;                       // used only under mutex_
  std::unique_ptr<Statements> statements_;  // used only under mutex_
};

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_SERVICE_SESSION_DB_H_
