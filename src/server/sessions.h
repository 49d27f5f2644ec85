// SessionStore: SGLang's server-side sessions (/open_session, /close_session and /generate's
// `session_params`, protocol §1.12). A session is a tree of requests keyed by rid; a new request
// names the rid it continues, and its prompt becomes that request's prompt + output (optionally
// cut at `offset`, or without the output) + the new tokens. The radix cache then finds the shared
// prefix, so a session turn only prefills its new tokens.
//
// Invariants: a node's input_ids are the whole prompt its request ran with; output_ids are set
// when it finished. Children always name an existing parent. An idle session with a timeout is
// removed on the next access after it expired.
//
// Thread safety: all methods may be called from any thread.
#ifndef RADIXLM_SRC_SERVER_SESSIONS_H_
#define RADIXLM_SRC_SERVER_SESSIONS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace radixlm::server {

struct SessionParams {
  std::string id;
  std::optional<std::string> rid;
  std::int64_t offset = 0;
  bool replace = false;
  bool drop_previous_output = false;
};

struct OpenSessionOptions {
  std::optional<std::string> session_id;
  std::int64_t capacity_of_str_len = 0;  // stored, not enforced (as SGLang)
  std::optional<double> timeout_seconds;
};

// What Begin() decided for a new session request.
struct SessionTurn {
  std::vector<std::int32_t> input_ids;     // the whole prompt to submit
  std::vector<std::string> rids_to_abort;  // unfinished requests a `replace` supersedes
};

class SessionStore {
 public:
  SessionStore() = default;
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // Opens a session; returns its id. kInvalidArgument when the id is already open.
  absl::StatusOr<std::string> Open(const OpenSessionOptions& options);
  // Closes a session (unknown ids are ignored, as SGLang). Requests in flight finish normally.
  void Close(std::string_view id);

  // Plans request `rid` of session `params.id` with new tokens `new_ids` and records it as
  // unfinished. kInvalidArgument: unknown session, unknown `params.rid`, appending to an
  // unfinished request, or a duplicate rid.
  absl::StatusOr<SessionTurn> Begin(const SessionParams& params, std::string_view rid,
                                    std::span<const std::int32_t> new_ids);
  // Records the output of request `rid` (a no-op when the session or node is gone).
  void Finish(std::string_view session_id, std::string_view rid,
              std::vector<std::int32_t> output_ids);

  bool IsOpen(std::string_view id);
  std::size_t size();

 private:
  struct Node {
    std::vector<std::int32_t> input_ids;
    std::vector<std::int32_t> output_ids;
    bool finished = false;
    std::string parent;  // "" for a root
    std::vector<std::string> children;
  };
  struct Session {
    std::map<std::string, Node, std::less<>> nodes;
    std::int64_t capacity_of_str_len = 0;
    std::optional<absl::Duration> timeout;
    absl::Time last_used;
  };

  void ReapLocked(absl::Time now);
  // Removes `rid`'s descendants (not rid itself); appends the unfinished ones to `aborted`.
  static void RemoveDescendants(Session& session, const std::string& rid,
                                std::vector<std::string>& aborted);

  std::mutex mutex_;
  std::map<std::string, Session, std::less<>> sessions_;  // guarded by mutex_
};

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_SESSIONS_H_
