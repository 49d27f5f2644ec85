#include "src/server/request_tracker.h"

#include <exception>
#include <random>
#include <utility>
#include <vector>

#include "fmt/format.h"
#include "src/common/strings.h"

namespace radixlm::server {

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", generator(), generator());
}

RequestTracker::RequestTracker(engine::Engine& engine, Metrics& metrics)
    : engine_(engine), metrics_(metrics) {}

absl::StatusOr<std::string> RequestTracker::Submit(engine::GenerateRequest request,
                                                   engine::RequestCallbacks callbacks) {
  if (request.rid.empty()) request.rid = NewRequestId();
  std::string rid = request.rid;
  {
    std::lock_guard lock(mutex_);
    if (!live_.insert(rid).second) {
      return absl::InvalidArgumentError(StrCat("Duplicate request ID detected: ", rid));
    }
  }
  const absl::Time submitted = absl::Now();
  // The route's callbacks hold its state and, through it, the HTTP connection. They are dropped
  // right after on_done, inside the window WaitIdle() waits for, so that nothing the engine still
  // holds afterwards (it may free its copies later) can reach the HTTP server.
  auto routes = std::make_shared<engine::RequestCallbacks>(std::move(callbacks));
  engine::RequestCallbacks wrapped;
  // No exception may reach the engine's scheduler thread. A route whose callback threw never
  // answers; dropping its Responder then answers 500 (or ends the stream).
  wrapped.on_delta = [routes](const engine::GenerateDelta& delta) {
    try {
      if (routes->on_delta) routes->on_delta(delta);
    } catch (const std::exception&) {
      routes->on_delta = nullptr;
    }
  };
  wrapped.on_done = [this, rid, submitted, routes](const engine::GenerateResult& result) {
    metrics_.ObserveFinished(result, absl::Now() - submitted);
    {
      // The rid is free again before the answer goes out, so a client may reuse it at once.
      std::lock_guard lock(mutex_);
      live_.erase(rid);
      ++callbacks_running_;
    }
    try {
      if (routes->on_done) routes->on_done(result);
    } catch (const std::exception&) {
    }
    routes->on_delta = nullptr;
    routes->on_done = nullptr;
    std::lock_guard lock(mutex_);
    if (--callbacks_running_ == 0 && live_.empty()) idle_.notify_all();
  };
  absl::StatusOr<std::string> submitted_rid =
      engine_.Submit(std::move(request), std::move(wrapped));
  if (!submitted_rid.ok()) {
    std::lock_guard lock(mutex_);
    live_.erase(rid);
    if (live_.empty() && callbacks_running_ == 0) idle_.notify_all();
  }
  return submitted_rid;
}

void RequestTracker::SubmitBatch(
    std::vector<engine::GenerateRequest> requests,
    const std::function<engine::RequestCallbacks(std::size_t)>& callbacks_for,
    const std::function<void(std::size_t, const absl::Status&)>& on_refused) {
  std::vector<std::string> submitted;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    absl::StatusOr<std::string> rid = Submit(std::move(requests[i]), callbacks_for(i));
    if (!rid.ok()) {
      on_refused(i, rid.status());
      for (const std::string& sent : submitted) Abort(sent);
      return;
    }
    submitted.push_back(*std::move(rid));
  }
}

int RequestTracker::AbortPrefix(std::string_view prefix) {
  std::vector<std::string> matching;
  {
    std::lock_guard lock(mutex_);
    for (auto it = live_.lower_bound(prefix);
         it != live_.end() && std::string_view(*it).substr(0, prefix.size()) == prefix; ++it) {
      matching.push_back(*it);
    }
  }
  int aborted = 0;
  for (const std::string& rid : matching) aborted += engine_.Abort(rid) ? 1 : 0;
  return aborted;
}

bool RequestTracker::Abort(std::string_view rid) { return engine_.Abort(rid); }

void RequestTracker::AbortAll() { engine_.AbortAll(); }

std::int64_t RequestTracker::live() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::int64_t>(live_.size());
}

bool RequestTracker::WaitIdle(absl::Duration timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [this] { return live_.empty() && callbacks_running_ == 0; });
}

}  // namespace radixlm::server
