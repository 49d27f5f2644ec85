// RequestDriver: submits requests to an Engine and records, per request, when it was submitted,
// when each output token arrived and its GenerateResult — everything the workloads report (TTFT,
// inter-token latency, cached tokens, throughput) — through the public API only.
//
// Engine callbacks run on the scheduler thread and must not call back into the engine, so the
// driver's owner submits follow-up requests (the next turn of a session, the next request of a
// closed loop) from its own thread: WaitNext() blocks until some request finishes and returns it.
//
// Thread safety: one thread uses a driver; the callbacks it installs synchronize with it.
#ifndef RADIXLM_BENCH_ENGINE_REQUEST_DRIVER_H_
#define RADIXLM_BENCH_ENGINE_REQUEST_DRIVER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radixlm/engine/engine.h"

namespace radixlm::bench {

struct RequestTrace {
  absl::Time submitted;
  // Arrival of each output token (a step's delta stamps all its tokens with one time).
  std::vector<absl::Time> token_times;
  engine::GenerateResult result;
  bool done = false;

  // Gaps between consecutive output tokens, in milliseconds.
  std::vector<double> InterTokenMillis() const;
};

// AggregateDecodeTokensPerSecond() is the decode throughput of requests that ran together: the
// tokens that arrived after the last of them got its first token (when all are decoding, prefill
// no longer mixes in), divided by the time from then to the last token. 0 when none arrived.
double AggregateDecodeTokensPerSecond(const std::vector<const RequestTrace*>& traces);

class RequestDriver {
 public:
  explicit RequestDriver(engine::Engine* engine) : engine_(engine) {}
  RequestDriver(const RequestDriver&) = delete;
  RequestDriver& operator=(const RequestDriver&) = delete;

  // Submit() queues `request`; returns its index for trace() and WaitNext().
  absl::StatusOr<int> Submit(engine::GenerateRequest request);

  // WaitNext() blocks until a submitted request finishes that WaitNext() has not returned yet;
  // returns its index. Must not be called with nothing in flight.
  int WaitNext();

  // WaitAll() waits for every request in flight.
  void WaitAll();

  int in_flight() const { return in_flight_; }
  // A finished request's trace (valid until the driver is destroyed).
  const RequestTrace& trace(int index) const { return *traces_[static_cast<std::size_t>(index)]; }

 private:
  engine::Engine* engine_;
  // unique_ptr: a callback holds its trace's address while more traces are added.
  std::vector<std::unique_ptr<RequestTrace>> traces_;
  int in_flight_ = 0;
  std::mutex mutex_;
  std::condition_variable finished_cv_;
  std::deque<int> finished_;  // guarded by mutex_
};

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_REQUEST_DRIVER_H_
