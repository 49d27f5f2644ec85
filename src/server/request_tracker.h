// RequestTracker: every engine request the server submits goes through here, so that the server
// knows which rids are live (SGLang's /abort_request aborts every rid that STARTS WITH the given
// one; the engine only aborts exact ids), can wait for in-flight work at shutdown, and records
// per-request latency metrics when a request finishes.
//
// Thread safety: all methods may be called from any thread; the wrapped callbacks run on the
// engine's scheduler thread.
#ifndef RADIXLM_SRC_SERVER_REQUEST_TRACKER_H_
#define RADIXLM_SRC_SERVER_REQUEST_TRACKER_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radixlm/engine/engine.h"
#include "src/server/metrics.h"

namespace radixlm::server {

// A fresh request id: 32 lowercase hex digits (SGLang's uuid4().hex).
std::string NewRequestId();

class RequestTracker {
 public:
  RequestTracker(engine::Engine& engine, Metrics& metrics);
  RequestTracker(const RequestTracker&) = delete;
  RequestTracker& operator=(const RequestTracker&) = delete;

  // Engine::Submit with the request counted as live until its on_done ran. An empty rid gets
  // NewRequestId(). A rid that is already live is kInvalidArgument ("Duplicate request ID").
  absl::StatusOr<std::string> Submit(engine::GenerateRequest request,
                                     engine::RequestCallbacks callbacks);

  // Submits one HTTP call's requests in order, the i-th with callbacks_for(i). At the first
  // refusal it calls on_refused(i, status) and then aborts the ones already submitted, so that
  // half a batch does not run for an answer that is an error; the rest are not submitted.
  void SubmitBatch(std::vector<engine::GenerateRequest> requests,
                   const std::function<engine::RequestCallbacks(std::size_t)>& callbacks_for,
                   const std::function<void(std::size_t, const absl::Status&)>& on_refused);

  // Aborts every live request whose rid starts with `prefix`; returns how many.
  int AbortPrefix(std::string_view prefix);
  bool Abort(std::string_view rid);
  void AbortAll();

  std::int64_t live() const;
  // Waits until no request is live and no on_done callback runs, or `timeout` passed; true when
  // idle. After it, no engine callback of a tracked request touches the server any more.
  bool WaitIdle(absl::Duration timeout);

 private:
  engine::Engine& engine_;
  Metrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::set<std::string, std::less<>> live_;  // guarded by mutex_
  // on_done callbacks still running (their rids already left live_); guarded by mutex_.
  std::int64_t callbacks_running_ = 0;
};

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_REQUEST_TRACKER_H_
