// SessionStore: the client-side state of multi-turn sessions.
//
// Invariants:
//  - A session's `history` alternates user, assistant messages and holds only completed turns.
//  - At most one turn per session is in flight (`turn_in_progress`); other turns wait for it on
//    `turn_done`, each with its own deadline and cancellation token.
//  - `mutex` (per session) and `map_mutex_` (the map) are never held during network I/O, and
//    `map_mutex_` is never acquired while a session mutex is held.
//  - A deleted session is removed from the map at once; a turn in flight on it finishes but its
//    result is not recorded (`deleted` is set).
//
// Thread safety: all methods may be called concurrently.
#ifndef RADIXLM_SRC_CLIENT_SESSION_STORE_H_
#define RADIXLM_SRC_CLIENT_SESSION_STORE_H_

#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radixlm/call_options.h"
#include "radixlm/sglang/client_config.h"
#include "radixlm/sglang/types.h"

namespace radixlm::sglang::internal {

struct SessionState {
  std::mutex mutex;
  std::condition_variable_any turn_done;
  Session data;                        // guarded by mutex
  bool turn_in_progress = false;       // guarded by mutex
  bool deleted = false;                // guarded by mutex
  // Content bytes of the last request sent; with last_prompt_tokens it calibrates the estimate
  // of how many tokens a message costs (SessionPolicy::max_prompt_tokens).
  std::size_t last_request_bytes = 0;  // guarded by mutex
  const CompletionRequest request_template;

  explicit SessionState(CompletionRequest request) : request_template(std::move(request)) {}
};

// What a turn sends; produced by BeginTurn under the session's lock.
struct PreparedTurn {
  std::shared_ptr<SessionState> state;
  CompletionRequest request;
  // Oldest turns left out of `request` by the context budget; removed from the history only when
  // the turn succeeds.
  std::size_t dropped_turns = 0;
};

class SessionStore {
 public:
  explicit SessionStore(SessionPolicy policy) : policy_(policy) {}

  absl::StatusOr<Session> Create(std::string_view id, std::string_view system_prompt,
                                 const SessionOptions& options);
  absl::Status Erase(std::string_view id);
  std::size_t EraseIdle(absl::Duration max_age, absl::Time now);
  std::vector<Session> List() const;
  absl::StatusOr<Session> Get(std::string_view id) const;

  // Waits for the session's previous turn (honouring `options`), marks a turn in flight, applies
  // the context budget and returns the request to send: system + history + `user_message`.
  absl::StatusOr<PreparedTurn> BeginTurn(std::string_view id, std::string_view user_message,
                                         const CallOptions& options);
  // Ends the turn; on success (`response` ok and not stopped) records both messages and counts.
  void EndTurn(const PreparedTurn& turn, const absl::StatusOr<CompletionResponse>& response);

 private:
  std::shared_ptr<SessionState> Find(std::string_view id) const;

  const SessionPolicy policy_;
  mutable std::mutex map_mutex_;
  std::map<std::string, std::shared_ptr<SessionState>, std::less<>> sessions_;
};

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_SESSION_STORE_H_
