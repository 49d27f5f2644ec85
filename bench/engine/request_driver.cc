#include "bench/engine/request_driver.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace radixlm::bench {

std::vector<double> RequestTrace::InterTokenMillis() const {
  std::vector<double> gaps;
  for (std::size_t i = 1; i < token_times.size(); ++i) {
    gaps.push_back(absl::ToDoubleMilliseconds(token_times[i] - token_times[i - 1]));
  }
  return gaps;
}

double AggregateDecodeTokensPerSecond(const std::vector<const RequestTrace*>& traces) {
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfinitePast();
  for (const RequestTrace* trace : traces) {
    if (trace->token_times.empty()) continue;
    start = std::max(start, trace->token_times.front());
    end = std::max(end, trace->token_times.back());
  }
  std::int64_t tokens = 0;
  for (const RequestTrace* trace : traces) {
    for (const absl::Time time : trace->token_times) tokens += time > start ? 1 : 0;
  }
  const double seconds = absl::ToDoubleSeconds(end - start);
  return tokens > 0 && seconds > 0 ? static_cast<double>(tokens) / seconds : 0;
}

absl::StatusOr<int> RequestDriver::Submit(engine::GenerateRequest request) {
  const int index = static_cast<int>(traces_.size());
  traces_.push_back(std::make_unique<RequestTrace>());
  RequestTrace* trace = traces_.back().get();
  trace->token_times.reserve(static_cast<std::size_t>(request.sampling.max_new_tokens));
  engine::RequestCallbacks callbacks;
  // The scheduler thread writes the trace until on_done; the owner reads it only after WaitNext()
  // returned its index, which the mutex orders after on_done.
  callbacks.on_delta = [trace](const engine::GenerateDelta& delta) {
    const absl::Time now = absl::Now();
    for (std::size_t i = 0; i < delta.token_ids.size(); ++i) trace->token_times.push_back(now);
  };
  callbacks.on_done = [this, trace, index](const engine::GenerateResult& result) {
    trace->result = result;
    std::lock_guard<std::mutex> lock(mutex_);
    trace->done = true;
    finished_.push_back(index);
    finished_cv_.notify_one();
  };
  trace->submitted = absl::Now();
  absl::StatusOr<std::string> rid = engine_->Submit(std::move(request), std::move(callbacks));
  if (!rid.ok()) {
    traces_.pop_back();
    return rid.status();
  }
  ++in_flight_;
  return index;
}

int RequestDriver::WaitNext() {
  std::unique_lock<std::mutex> lock(mutex_);
  finished_cv_.wait(lock, [this] { return !finished_.empty(); });
  const int index = finished_.front();
  finished_.pop_front();
  --in_flight_;
  return index;
}

void RequestDriver::WaitAll() {
  while (in_flight_ > 0) WaitNext();
}

}  // namespace radixlm::bench
