#include "src/engine/scheduler/scheduler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/time/clock.h"
#include "src/common/strings.h"
#include "src/engine/sampling/logprobs.h"

namespace radixlm::engine {
namespace {

// Waiting queues longer than this are admitted FCFS for the step (matching every request against
// the tree each step would cost more than it saves; SGLang uses the same bound).
constexpr std::size_t kLongestPrefixQueueLimit = 128;
// Admission keeps this share of each running request's expected output pages free (SGLang's
// new_token_ratio idea, fixed): too low and decodes preempt each other, too high and the pool
// sits idle. Outputs are counted up to kReserveTokenCap tokens.
constexpr double kOutputReserveRatio = 0.5;
constexpr std::int64_t kReserveTokenCap = 256;

std::int64_t CommonPrefix(std::span<const std::int32_t> a, std::span<const std::int32_t> b) {
  const std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return static_cast<std::int64_t>(i);
}

bool Contains(std::span<const std::int32_t> ids, std::int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The API's form of a token's log probability and its alternatives.
OutputLogprob ToOutputLogprob(std::int32_t token, float logprob,
                              const std::vector<TokenLogprob>& alternatives) {
  OutputLogprob entry{token, logprob, {}};
  for (const TokenLogprob& top : alternatives) entry.top.push_back({top.token, top.logprob});
  return entry;
}

// A running request is decoding once it has output and only its newest token is uncomputed.
bool IsDecoding(const Request& request) {
  return request.output_tokens() > 0 && request.tokens_to_compute() == 1;
}

}  // namespace

struct Scheduler::Slot {
  Request* request = nullptr;
  std::int64_t start = 0;
  std::int64_t count = 0;
  // Logits of the last `logit_rows` tokens: prompt log probabilities, then (with `sample`) the
  // row that picks the next token.
  std::int64_t logit_rows = 0;
  bool sample = false;
};

Scheduler::Scheduler(Transformer* transformer, PagePool* pool, const SchedulerOptions& options)
    : transformer_(transformer),
      pool_(pool),
      options_(options),
      cache_(pool),
      logits_(static_cast<std::size_t>(options.max_running_requests) *
              static_cast<std::size_t>(transformer->vocab_size())) {}

Scheduler::~Scheduler() {
  AbortAll(absl::UnavailableError("the engine shut down before the request finished"));
  ApplyAborts();
}

void Scheduler::Add(std::unique_ptr<Request> request) {
  request->max_output_tokens = std::max<std::int64_t>(request->max_output_tokens, 0);
  waiting_.push_back(std::move(request));
}

bool Scheduler::Abort(std::string_view rid, const absl::Status& reason) {
  auto mark = [&](Request& request) {
    if (request.rid != rid) return false;
    request.abort_requested = true;
    request.abort_reason = reason;
    return true;
  };
  for (auto& request : waiting_) {
    if (mark(*request)) return true;
  }
  for (auto& request : running_) {
    if (mark(*request)) return true;
  }
  return false;
}

void Scheduler::AbortAll(const absl::Status& reason) {
  for (auto& request : waiting_) {
    request->abort_requested = true;
    request->abort_reason = reason;
  }
  for (auto& request : running_) {
    request->abort_requested = true;
    request->abort_reason = reason;
  }
}

absl::Status Scheduler::FlushCache() {
  if (!idle()) {
    return absl::FailedPreconditionError(StrCat(
        "Cache not flushed because there are pending requests. #queue-req: ", waiting_.size(),
        ", #running-req: ", running_.size()));
  }
  return cache_.Flush();
}

void Scheduler::Step() {
  ApplyAborts();
  if (idle()) return;
  std::vector<Slot> slots;
  BuildBatch(slots);
  RunBatch(slots);
#ifndef NDEBUG
  if (absl::Status status = Validate(); !status.ok()) {
    std::fprintf(stderr, "radixlm scheduler: %s\n", std::string(status.message()).c_str());
    std::abort();
  }
#endif
}

absl::Status Scheduler::Validate() const {
  if (absl::Status status = cache_.Validate(); !status.ok()) return status;
  std::int64_t private_pages = 0;
  for (const auto& request : running_) {
    const Request& r = *request;
    if (r.shared_pages > static_cast<std::int64_t>(r.page_table.size())) {
      return absl::InternalError(StrCat("request ", r.rid, " shares more pages than it holds"));
    }
    if ((r.shared_pages > 0) != (r.cache_node != nullptr)) {
      return absl::InternalError(StrCat("request ", r.rid, " has shared pages without a lock"));
    }
    if (static_cast<std::int64_t>(r.page_table.size()) < pool_->PagesFor(r.computed)) {
      return absl::InternalError(StrCat("request ", r.rid, " computed more than its pages hold"));
    }
    for (PageId page : r.page_table) {
      if (!pool_->IsAllocated(page)) {
        return absl::InternalError(StrCat("request ", r.rid, " holds free page ", page));
      }
    }
    private_pages += static_cast<std::int64_t>(r.page_table.size()) - r.shared_pages;
  }
  for (const auto& request : waiting_) {
    if (!request->page_table.empty() || request->cache_node != nullptr) {
      return absl::InternalError(StrCat("waiting request ", request->rid, " holds pages"));
    }
  }
  const std::int64_t cached_pages = cache_.stats().cached_pages;
  if (pool_->used_pages() != cached_pages + private_pages) {
    return absl::InternalError(StrCat("page leak: ", pool_->used_pages(), " pages in use, ",
                                      cached_pages, " in the cache, ", private_pages,
                                      " private to requests"));
  }
  return absl::OkStatus();
}

void Scheduler::ApplyAborts() {
  for (std::size_t i = 0; i < waiting_.size();) {
    if (!waiting_[i]->abort_requested) {
      ++i;
      continue;
    }
    std::unique_ptr<Request> request = std::move(waiting_[i]);
    waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(i));
    absl::Status reason = request->abort_reason;
    Finish(std::move(request), FinishReason::kAbort, nullptr, std::move(reason));
  }
  for (std::size_t i = 0; i < running_.size();) {
    if (!running_[i]->abort_requested) {
      ++i;
      continue;
    }
    absl::Status reason = running_[i]->abort_reason;
    FinishRunning(i, FinishReason::kAbort, nullptr, std::move(reason));
  }
}

void Scheduler::BuildBatch(std::vector<Slot>& slots) {
  if (!ScheduleDecodes(slots)) return;
  std::int64_t budget = options_.chunked_prefill_size;
  ScheduleContinuedPrefills(slots, budget);
  AdmitWaiting(slots, budget);
  if (slots.empty() && !running_.empty()) {
    // Running requests hold pages but none can move forward: make room by preempting the newest
    // (or failing the last one, which cannot happen when admission checked the pool).
    if (running_.size() > 1) {
      Preempt(running_.size() - 1);
    } else {
      FinishRunning(0, FinishReason::kAbort, nullptr,
                    absl::ResourceExhaustedError(
                        StrCat("the KV cache (", pool_->capacity() * pool_->page_size(),
                               " tokens) cannot hold this request; raise --max-kv-tokens")));
    }
  }
}

bool Scheduler::ScheduleDecodes(std::vector<Slot>& slots) {
  // One more page per decoding request at page boundaries; when the pool (with everything
  // evictable evicted) cannot give them, preempt the newest running requests.
  while (true) {
    std::int64_t needed = 0;
    for (const auto& request : running_) {
      if (IsDecoding(*request)) needed += MissingPages(*request, request->computed + 1);
    }
    if (needed <= pool_->free_pages() + cache_.evictable_pages()) break;
    if (running_.size() == 1) {
      FinishRunning(0, FinishReason::kAbort, nullptr,
                    absl::ResourceExhaustedError(
                        StrCat("the KV cache (", pool_->capacity() * pool_->page_size(),
                               " tokens) ran out mid-generation; raise --max-kv-tokens")));
      return false;
    }
    Preempt(running_.size() - 1);
  }
  for (const auto& request : running_) {
    if (!IsDecoding(*request)) continue;
    if (!GrowPageTable(*request, request->computed + 1)) continue;  // cannot happen (checked)
    slots.push_back({request.get(), request->computed, 1, 1, true});
  }
  return true;
}

void Scheduler::ScheduleContinuedPrefills(std::vector<Slot>& slots, std::int64_t& budget) {
  for (const auto& request : running_) {
    if (budget <= 0) return;
    if (IsDecoding(*request)) continue;
    SchedulePrefillChunk(*request, slots, budget);
  }
}

void Scheduler::SchedulePrefillChunk(Request& r, std::vector<Slot>& slots, std::int64_t& budget) {
  // As many uncomputed tokens as the budget and the pool (free + evictable pages) allow.
  std::int64_t count = std::min(r.tokens_to_compute(), budget);
  const std::int64_t reachable = (static_cast<std::int64_t>(r.page_table.size()) +
                                  pool_->free_pages() + cache_.evictable_pages()) *
                                 pool_->page_size();
  count = std::min(count, reachable - r.computed);
  if (count <= 0 || !GrowPageTable(r, r.computed + count)) return;
  const std::int64_t end = r.computed + count;
  const bool sample =
      end == static_cast<std::int64_t>(r.tokens.size()) && r.output_tokens() < r.max_output_tokens;
  std::int64_t logit_rows = sample ? 1 : 0;
  if (r.prompt_logprobs_pending()) {
    // The cache supplied nothing past prompt_logits_next, so the rows from there on are here.
    logit_rows = std::max(logit_rows, end - std::max(r.computed, r.prompt_logits_next));
  }
  slots.push_back({&r, r.computed, count, logit_rows, sample});
  budget -= count;
}

std::int64_t Scheduler::OutputReservePages(const Request& r) const {
  const std::int64_t remaining =
      std::min(r.max_output_tokens - r.output_tokens(), kReserveTokenCap);
  return static_cast<std::int64_t>(kOutputReserveRatio *
                                   static_cast<double>(pool_->PagesFor(remaining)));
}

std::vector<std::size_t> Scheduler::AdmissionOrder() {
  std::vector<std::size_t> order(waiting_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const bool by_prefix = options_.policy == SchedulePolicy::kLongestPrefix &&
                         options_.enable_radix_cache && waiting_.size() <= kLongestPrefixQueueLimit;
  if (!by_prefix) return order;  // the deque is in arrival order (preempted requests in front)
  std::vector<std::int64_t> matched(waiting_.size());
  for (std::size_t i = 0; i < waiting_.size(); ++i) {
    matched[i] = cache_.MatchPrefix(waiting_[i]->cacheable_prefix()).tokens;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return matched[a] > matched[b]; });
  return order;
}

bool Scheduler::SharesPrefixInFlight(const Request& request, std::int64_t cached) const {
  if (!options_.enable_radix_cache) return false;
  for (const auto& other : running_) {
    if (other->output_tokens() > 0 || other->computed >= other->prompt_tokens) continue;
    const std::int64_t common = CommonPrefix(request.tokens, other->tokens);
    if (common >= cached + pool_->page_size()) return true;
  }
  return false;
}

void Scheduler::AdmitWaiting(std::vector<Slot>& slots, std::int64_t& budget) {
  if (waiting_.empty() || budget <= 0) return;
  std::int64_t reserved_pages = 0;
  for (const auto& request : running_) reserved_pages += OutputReservePages(*request);
  std::vector<bool> admitted(waiting_.size(), false);
  for (std::size_t index : AdmissionOrder()) {
    if (budget <= 0 || static_cast<int>(running_.size()) >= options_.max_running_requests) break;
    Request& r = *waiting_[index];
    RadixCache::Match match;
    // Matched again (AdmissionOrder's match only ordered): admitting earlier candidates may have
    // evicted nodes since.
    if (options_.enable_radix_cache) {
      match = cache_.MatchPrefix(r.cacheable_prefix());
      if (match.tokens == 0) match.node = nullptr;  // the root: nothing to pin
    }
    if (SharesPrefixInFlight(r, match.tokens)) continue;  // its prefix is being computed
    if (match.node != nullptr) cache_.Lock(match.node);
    const std::int64_t reserve = OutputReservePages(r);
    const std::int64_t needed = pool_->PagesFor(static_cast<std::int64_t>(r.tokens.size())) -
                                static_cast<std::int64_t>(match.pages.size()) + reserve;
    const std::int64_t available = pool_->free_pages() + cache_.evictable_pages();
    if (!running_.empty() && available - reserved_pages < needed) {
      if (match.node != nullptr) cache_.Unlock(match.node);
      break;
    }
    // Admit.
    r.cache_node = match.node;
    r.page_table = std::move(match.pages);
    r.shared_pages = static_cast<std::int64_t>(r.page_table.size());
    r.computed = match.tokens;
    if (match.partial_tokens > 0) {
      // The slots of a cached partial page that continue the match (the previous turn's last
      // page, typically) are copied into the request's own next page instead of recomputed.
      cache_.Lock(match.partial_node);  // its page must survive the allocation's evictions
      if (GrowPageTable(r, match.tokens + match.partial_tokens)) {
        transformer_->CopyKvSlots(match.partial_page, r.page_table.back(), match.partial_tokens);
        r.computed += match.partial_tokens;
      }
      cache_.Unlock(match.partial_node);
    }
    if (!r.cached_tokens_reported && !r.first_scheduled.has_value()) {
      r.cached_tokens = r.computed;
      counters_.prompt_tokens += r.prompt_tokens;
      counters_.cached_tokens += r.computed;
    }
    if (!r.first_scheduled.has_value()) r.first_scheduled = absl::Now();
    if (!r.prompt_observed) {
      r.sampler.ObservePrompt(std::span(r.tokens).first(static_cast<std::size_t>(r.prompt_tokens)));
      r.prompt_observed = true;
    }
    reserved_pages += reserve;
    admitted[index] = true;
    running_.push_back(std::move(waiting_[index]));
    SchedulePrefillChunk(*running_.back(), slots, budget);
  }
  std::deque<std::unique_ptr<Request>> still_waiting;
  for (std::size_t i = 0; i < waiting_.size(); ++i) {
    if (!admitted[i]) still_waiting.push_back(std::move(waiting_[i]));
  }
  waiting_ = std::move(still_waiting);
}

std::int32_t Scheduler::MissingPages(const Request& request, std::int64_t end) const {
  return std::max<std::int32_t>(
      pool_->PagesFor(end) - static_cast<std::int32_t>(request.page_table.size()), 0);
}

bool Scheduler::MakeRoom(std::int32_t count) {
  if (pool_->free_pages() < count) cache_.Evict(count - pool_->free_pages());
  return pool_->free_pages() >= count;
}

bool Scheduler::GrowPageTable(Request& request, std::int64_t end) {
  const std::int32_t missing = MissingPages(request, end);
  if (missing == 0) return true;
  if (!MakeRoom(missing)) return false;
  std::optional<std::vector<PageId>> pages = pool_->Allocate(missing);
  if (!pages.has_value()) return false;
  request.page_table.insert(request.page_table.end(), pages->begin(), pages->end());
  return true;
}

void Scheduler::RunBatch(std::vector<Slot>& slots) {
  if (slots.empty()) return;
  std::vector<ForwardSequence> batch;
  batch.reserve(slots.size());
  std::int64_t logit_rows = 0;
  for (const Slot& slot : slots) {
    const Request& r = *slot.request;
    batch.push_back({std::span(r.tokens).subspan(static_cast<std::size_t>(slot.start),
                                                 static_cast<std::size_t>(slot.count)),
                     slot.start, r.page_table, slot.logit_rows});
    logit_rows += slot.logit_rows;
  }
  // Prompt log probabilities can ask for more rows than the usual one per request; the buffer
  // grows for that step only.
  const std::int64_t vocab = transformer_->vocab_size();
  const auto usual_size = logits_.size();
  if (logits_.size() < static_cast<std::size_t>(logit_rows * vocab)) {
    logits_.resize(static_cast<std::size_t>(logit_rows * vocab));
  }
  const absl::Status status = transformer_->Forward(batch, logits_);
  ++counters_.forward_steps;
  if (!status.ok()) {
    for (const Slot& slot : slots) {
      slot.request->abort_requested = true;
      slot.request->abort_reason =
          absl::InternalError(StrCat("the forward pass failed: ", status.message()));
    }
    ApplyAborts();
    ShrinkLogits(usual_size);
    return;
  }
  std::int64_t logits_row = 0;
  for (const Slot& slot : slots) {
    Request& r = *slot.request;
    r.computed += slot.count;
    if (r.output_tokens() == 0 || slot.count > 1) {
      counters_.computed_prompt_tokens += slot.count;
      // After each prefill chunk, publish the computed prefix to concurrent requests.
      CacheComputedPages(r);
    }
    auto row = [&](std::int64_t index) {
      return std::span<float>(logits_.data() + (logits_row + index) * vocab,
                              static_cast<std::size_t>(vocab));
    };
    if (r.prompt_logprobs_pending()) {
      const std::int64_t first_position = slot.start + slot.count - slot.logit_rows;
      const std::int64_t end = std::min(slot.start + slot.count, r.prompt_tokens - 1);
      for (std::int64_t p = std::max(first_position, r.prompt_logits_next); p < end; ++p) {
        ScorePromptToken(r, p, row(p - first_position));
      }
    }
    if (slot.sample) {
      AcceptToken(r, row(slot.logit_rows - 1));
    } else if (r.computed == static_cast<std::int64_t>(r.tokens.size()) &&  // prefill only
               r.output_tokens() >= r.max_output_tokens) {
      r.pending_finish = FinishReason::kLength;
    }
    logits_row += slot.logit_rows;
  }
  for (std::size_t i = 0; i < running_.size();) {
    if (!running_[i]->pending_finish.has_value()) {
      ++i;
      continue;
    }
    const FinishReason reason = *running_[i]->pending_finish;
    nlohmann::json matched = std::move(running_[i]->matched_stop);
    FinishRunning(i, reason, std::move(matched), absl::OkStatus());
  }
  ShrinkLogits(usual_size);
}

void Scheduler::ShrinkLogits(std::size_t usual_size) {
  if (logits_.size() <= usual_size) return;
  logits_.resize(usual_size);
  logits_.shrink_to_fit();
}

void Scheduler::ScorePromptToken(Request& r, std::int64_t position, std::span<const float> logits) {
  const std::int32_t token = r.tokens[static_cast<std::size_t>(position + 1)];
  const float log_normalizer = LogNormalizer(logits);
  r.prompt_logprobs.push_back(
      ToOutputLogprob(token, logits[static_cast<std::size_t>(token)] - log_normalizer,
                      r.params.top_logprobs > 0
                          ? MostLikely(logits, log_normalizer, r.params.top_logprobs, top_scratch_)
                          : std::vector<TokenLogprob>{}));
  r.prompt_logits_next = position + 1;
}

void Scheduler::AcceptToken(Request& r, std::span<float> logits) {
  suppressed_scratch_.clear();
  const bool may_stop = r.output_tokens() >= r.params.min_new_tokens;
  if (!may_stop) {
    if (!r.params.ignore_eos) {
      suppressed_scratch_.insert(suppressed_scratch_.end(), options_.eos_ids.begin(),
                                 options_.eos_ids.end());
    }
    suppressed_scratch_.insert(suppressed_scratch_.end(), r.params.stop_token_ids.begin(),
                               r.params.stop_token_ids.end());
  }
  SampledToken sampled = r.sampler.Sample(logits, suppressed_scratch_);
  r.sampler.ObserveOutput(sampled.token);
  r.tokens.push_back(sampled.token);
  ++counters_.generated_tokens;
  const absl::Time now = absl::Now();
  if (!r.first_token.has_value()) r.first_token = now;

  GenerateDelta delta;
  delta.rid = r.rid;
  delta.token_ids.push_back(sampled.token);
  if (r.params.return_logprob) {
    OutputLogprob logprob = ToOutputLogprob(sampled.token, sampled.logprob, sampled.top);
    r.logprobs.push_back(logprob);
    delta.logprobs.push_back(std::move(logprob));
  }
  if (!r.cached_tokens_reported) {
    delta.cached_tokens = r.cached_tokens;
    delta.prompt_logprobs = r.prompt_logprobs;
    r.cached_tokens_reported = true;
  }

  const bool stop_token =
      may_stop && ((!r.params.ignore_eos && Contains(options_.eos_ids, sampled.token)) ||
                   Contains(r.params.stop_token_ids, sampled.token));
  if (stop_token) {
    // SGLang trims the matched stop token from the text unless no_stop_trim.
    if (r.params.no_stop_trim)
      delta.text += r.stop_strings.Push(r.detokenizer.Push(sampled.token)).text;
    r.pending_finish = FinishReason::kStop;
    r.matched_stop = sampled.token;
  } else {
    StopStrings::Step step = r.stop_strings.Push(r.detokenizer.Push(sampled.token));
    delta.text = std::move(step.text);
    if (step.matched.has_value()) {
      r.pending_finish = FinishReason::kStop;
      r.matched_stop = *step.matched;
    } else if (r.output_tokens() >= r.max_output_tokens) {
      r.pending_finish = FinishReason::kLength;
    }
  }
  if (r.pending_finish.has_value() && !r.matched_stop.is_string()) {
    // The detokenizer may hold the last bytes back; they can still complete a stop string.
    StopStrings::Step tail = r.stop_strings.Push(r.detokenizer.Flush());
    delta.text += tail.text;
    if (tail.matched.has_value()) {
      r.pending_finish = FinishReason::kStop;
      r.matched_stop = *tail.matched;
    } else {
      delta.text += r.stop_strings.Flush();
    }
  }
  r.text += delta.text;
  if (r.callbacks.on_delta) r.callbacks.on_delta(delta);
}

void Scheduler::CacheComputedPages(Request& r) {
  if (!options_.enable_radix_cache) return;
  const std::int64_t page_size = pool_->page_size();
  const std::int64_t full_pages = r.computed / page_size;
  if (full_pages <= r.shared_pages) return;
  const std::int64_t aligned = full_pages * page_size;
  const std::span<const std::int32_t> tokens =
      std::span(r.tokens).first(static_cast<std::size_t>(aligned));
  const std::int64_t already =
      cache_.Insert(tokens, std::span(r.page_table).first(static_cast<std::size_t>(full_pages)));
  RadixCache::Match match = cache_.MatchPrefix(tokens);
  // Pages [shared_pages, already / page_size) duplicate what another request cached first.
  for (std::int64_t i = r.shared_pages; i < already / page_size; ++i) {
    const PageId own = r.page_table[static_cast<std::size_t>(i)];
    if (own != match.pages[static_cast<std::size_t>(i)]) pool_->Free(std::span(&own, 1));
  }
  std::copy(match.pages.begin(), match.pages.end(), r.page_table.begin());
  cache_.Lock(match.node);
  if (r.cache_node != nullptr) cache_.Unlock(r.cache_node);
  r.cache_node = match.node;
  r.shared_pages = full_pages;
}

void Scheduler::CacheTailPage(Request& r) {
  if (!options_.enable_radix_cache) return;
  const std::int64_t page_size = pool_->page_size();
  const std::int64_t full_pages = r.computed / page_size;
  // CacheComputedPages() left every whole page in the tree (shared_pages == full_pages).
  if (r.computed % page_size == 0 || r.shared_pages != full_pages ||
      static_cast<std::int64_t>(r.page_table.size()) <= full_pages) {
    return;
  }
  const std::int64_t already =
      cache_.Insert(std::span(r.tokens).first(static_cast<std::size_t>(r.computed)),
                    std::span(r.page_table).first(static_cast<std::size_t>(full_pages + 1)));
  if (already < r.computed) r.shared_pages = full_pages + 1;  // the tree owns the tail page now
}

void Scheduler::ReleasePages(Request& r) {
  if (r.computed > 0) {
    CacheComputedPages(r);
    CacheTailPage(r);
  }
  if (r.cache_node != nullptr) cache_.Unlock(r.cache_node);
  r.cache_node = nullptr;
  pool_->Free(std::span(r.page_table).subspan(static_cast<std::size_t>(r.shared_pages)));
  r.page_table.clear();
  r.shared_pages = 0;
  r.computed = 0;
}

void Scheduler::Preempt(std::size_t running_index) {
  std::unique_ptr<Request> request = std::move(running_[running_index]);
  running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(running_index));
  ReleasePages(*request);
  ++request->retractions;
  ++counters_.preemptions;
  waiting_.push_front(std::move(request));
}

void Scheduler::FinishRunning(std::size_t running_index, FinishReason reason,
                              nlohmann::json matched_stop, absl::Status error) {
  std::unique_ptr<Request> request = std::move(running_[running_index]);
  running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(running_index));
  Finish(std::move(request), reason, std::move(matched_stop), std::move(error));
}

void Scheduler::Finish(std::unique_ptr<Request> request, FinishReason reason,
                       nlohmann::json matched_stop, absl::Status error) {
  Request& r = *request;
  ReleasePages(r);
  if (reason == FinishReason::kAbort) {
    ++counters_.aborted_requests;
    // An aborted request keeps what it streamed; text held back for stop strings is dropped.
  }
  ++counters_.finished_requests;
  if (!r.first_scheduled.has_value()) {
    counters_.prompt_tokens += r.prompt_tokens;  // never admitted: nothing was cached for it
  }
  const absl::Time now = absl::Now();
  GenerateResult result;
  result.rid = r.rid;
  result.text = std::move(r.text);
  result.output_ids.assign(r.tokens.begin() + r.prompt_tokens, r.tokens.end());
  result.logprobs = std::move(r.logprobs);
  result.prompt_logprobs = std::move(r.prompt_logprobs);
  result.finish_reason = reason;
  result.matched_stop = std::move(matched_stop);
  result.error = std::move(error);
  result.prompt_tokens = r.prompt_tokens;
  result.cached_tokens = r.cached_tokens;
  result.completion_tokens = r.output_tokens();
  result.retractions = r.retractions;
  const absl::Time scheduled = r.first_scheduled.value_or(now);
  const absl::Time first_token = r.first_token.value_or(now);
  result.queue_time = scheduled - r.submitted;
  result.prefill_time = first_token - scheduled;
  result.decode_time = now - first_token;
  result.time_to_first_token = first_token - r.submitted;
  result.latency = now - r.submitted;
  if (r.callbacks.on_done) r.callbacks.on_done(result);
}

}  // namespace radixlm::engine
