// Scheduler: SGLang's continuous-batching loop over one model, its KV page pool and its radix
// cache (shared/protocol/SGLANG_API.md §2–3), one Step() at a time.
//
// Every request, new or running, is "tokens whose keys and values are not computed yet": a whole
// prompt minus its cached prefix before its first token, one token while decoding, prompt and
// output again after a preemption. A step packs decode tokens of running requests first, then
// chunks of prompts (at most `chunked_prefill_size` prompt tokens per step), into one Forward():
// a batch of N decodes reads the weights once.
//
// Admission takes waiting requests longest cached prefix first (or FCFS) while there are free
// request slots and enough free-or-evictable pages. A request that shares an uncached prefix with
// a request being prefilled waits one step, so the prefix is computed once and then hit. After
// every prefill chunk and at the end, a request's full pages go into the radix cache, so requests
// sharing the prefix (and the next turn of a conversation) find them. When a decode step finds no
// page, the newest running request is preempted: its computed pages go to the cache and it waits
// again, to resume where it was (with whatever of its prefix survived eviction).
//
// Thread safety: none; the Engine's scheduler thread owns the Scheduler. Callbacks are called
// from Step().
#ifndef RADIXLM_SRC_ENGINE_SCHEDULER_SCHEDULER_H_
#define RADIXLM_SRC_ENGINE_SCHEDULER_SCHEDULER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "radixlm/engine/engine.h"
#include "src/engine/cache/page_pool.h"
#include "src/engine/cache/radix_cache.h"
#include "src/engine/scheduler/request.h"
#include "src/engine/transformer/transformer.h"

namespace radixlm::engine {

struct SchedulerOptions {
  int max_running_requests = 32;
  std::int64_t chunked_prefill_size = 512;
  SchedulePolicy policy = SchedulePolicy::kLongestPrefix;
  bool enable_radix_cache = true;
  // Model EOS ids (generation_config.json and tokenizer), ignored with ignore_eos.
  std::vector<std::int32_t> eos_ids;
};

struct SchedulerCounters {
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t computed_prompt_tokens = 0;  // prefill tokens actually run (recomputation included)
  std::int64_t generated_tokens = 0;
  std::int64_t finished_requests = 0;
  std::int64_t aborted_requests = 0;
  std::int64_t preemptions = 0;
  std::int64_t forward_steps = 0;
};

class Scheduler {
 public:
  // `transformer` and `pool` must outlive the scheduler; the transformer's batch limits must
  // cover max_running_requests sequences and chunked_prefill_size + max_running_requests tokens.
  Scheduler(Transformer* transformer, PagePool* pool, const SchedulerOptions& options);
  // Aborts what is left (callbacks are called).
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a request (already validated: non-empty prompt within the context and the pool).
  void Add(std::unique_ptr<Request> request);
  // Marks a live request for abort at the next Step(); false when no such request.
  bool Abort(std::string_view rid, const absl::Status& reason);
  void AbortAll(const absl::Status& reason);

  // Runs one iteration: aborts, admission, one forward pass, sampling, callbacks. Does nothing
  // when idle().
  void Step();
  bool idle() const { return waiting_.empty() && running_.empty(); }

  absl::Status FlushCache();

  // Checks that every allocated page is owned exactly once (by the cache or one request's private
  // tail) and the cache's own invariants; kInternal naming the first broken one. Step() runs it
  // after every step in builds without NDEBUG.
  absl::Status Validate() const;

  std::int64_t waiting() const { return static_cast<std::int64_t>(waiting_.size()); }
  std::int64_t running() const { return static_cast<std::int64_t>(running_.size()); }
  const SchedulerCounters& counters() const { return counters_; }
  const RadixCache& cache() const { return cache_; }
  const PagePool& pool() const { return *pool_; }
  const SchedulerOptions& options() const { return options_; }

 private:
  struct Slot;  // one request's part of the step being built

  void ApplyAborts();
  // Picks work for this step into `slots`; admits waiting requests.
  void BuildBatch(std::vector<Slot>& slots);
  bool ScheduleDecodes(std::vector<Slot>& slots);
  void ScheduleContinuedPrefills(std::vector<Slot>& slots, std::int64_t& budget);
  void AdmitWaiting(std::vector<Slot>& slots, std::int64_t& budget);
  // Adds the next prompt chunk of running request `r` that fits `budget` and the pool.
  void SchedulePrefillChunk(Request& r, std::vector<Slot>& slots, std::int64_t& budget);
  // Pages admission keeps free for a request's expected output.
  std::int64_t OutputReservePages(const Request& r) const;
  std::vector<std::size_t> AdmissionOrder();
  bool SharesPrefixInFlight(const Request& request, std::int64_t cached) const;
  // Pages `request` needs beyond its page table for its first `end` tokens.
  std::int32_t MissingPages(const Request& request, std::int64_t end) const;
  // Ensures `count` free pages exist, evicting from the cache if needed.
  bool MakeRoom(std::int32_t count);
  bool GrowPageTable(Request& request, std::int64_t end);

  void RunBatch(std::vector<Slot>& slots);
  // Samples and appends the next token, streams it, and sets pending_finish when done.
  void AcceptToken(Request& request, std::span<float> logits);
  // Scores the prompt token after `position` with that position's logits (positions come in
  // order from request.prompt_logits_next: the cache never supplies them).
  void ScorePromptToken(Request& request, std::int64_t position, std::span<const float> logits);
  // Returns the logits buffer to its usual size after a step that grew it.
  void ShrinkLogits(std::size_t usual_size);

  // Moves the request's computed full pages into the radix cache and pins them.
  void CacheComputedPages(Request& request);
  // Inserts a releasing request's partial last page, so the next turn finds all of its tokens.
  void CacheTailPage(Request& request);
  void ReleasePages(Request& request);
  void Preempt(std::size_t running_index);
  void Finish(std::unique_ptr<Request> request, FinishReason reason, nlohmann::json matched_stop,
              absl::Status error);
  void FinishRunning(std::size_t running_index, FinishReason reason, nlohmann::json matched_stop,
                     absl::Status error);

  Transformer* const transformer_;
  PagePool* const pool_;
  const SchedulerOptions options_;
  RadixCache cache_;
  std::deque<std::unique_ptr<Request>> waiting_;
  std::vector<std::unique_ptr<Request>> running_;  // in admission order
  std::vector<float> logits_;
  std::vector<std::int32_t> suppressed_scratch_;
  std::vector<std::pair<float, std::int32_t>> top_scratch_;  // ScorePromptToken's
  SchedulerCounters counters_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_SCHEDULER_SCHEDULER_H_
