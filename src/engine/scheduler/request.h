// Request: everything the scheduler keeps about one generation request, from admission to its
// last callback. Owned by the Scheduler; never shared between threads.
//
// KV ownership: page_table[0, shared_pages) are pages of the radix cache, pinned by locking
// `cache_node`; page_table[shared_pages, ...) are the request's own pages. `computed` tokens of
// `tokens` have their keys and values in those pages.
#ifndef RADIXLM_SRC_ENGINE_SCHEDULER_REQUEST_H_
#define RADIXLM_SRC_ENGINE_SCHEDULER_REQUEST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "radixlm/engine/engine.h"
#include "src/engine/cache/page_pool.h"
#include "src/engine/sampling/sampler.h"
#include "src/engine/scheduler/stop_strings.h"
#include "src/engine/tokenizer/incremental_detokenizer.h"

namespace radixlm::engine {

struct RadixNode;

struct Request {
  Request(std::string rid_in, std::vector<std::int32_t> prompt_in, const SamplingParams& params_in,
          std::int32_t vocab_size, std::uint64_t seed, const Tokenizer& tokenizer,
          RequestCallbacks callbacks_in)
      : rid(std::move(rid_in)),
        params(params_in),
        tokens(std::move(prompt_in)),
        prompt_tokens(static_cast<std::int64_t>(tokens.size())),
        sampler(params_in, vocab_size, seed),
        detokenizer(tokenizer, params_in.skip_special_tokens),
        stop_strings(params_in.stop, params_in.no_stop_trim),
        callbacks(std::move(callbacks_in)) {
    prompt_logits_next = params.return_logprob && params.logprob_start_len >= 0
                             ? params.logprob_start_len
                             : prompt_tokens - 1;
  }

  std::int64_t output_tokens() const {
    return static_cast<std::int64_t>(tokens.size()) - prompt_tokens;
  }
  // Tokens whose KV must exist before the next token can be sampled: all but the last sampled
  // one while decoding; the whole prompt before the first.
  std::int64_t tokens_to_compute() const {
    return static_cast<std::int64_t>(tokens.size()) - computed;
  }
  // Prompt log probabilities still to be scored (SamplingParams::logprob_start_len).
  bool prompt_logprobs_pending() const { return prompt_logits_next < prompt_tokens - 1; }
  // The leading tokens the radix cache may supply: never the last (its logits pick the next
  // token), nor a position whose logits are still wanted for a prompt log probability.
  std::span<const std::int32_t> cacheable_prefix() const {
    return std::span(tokens).first(static_cast<std::size_t>(
        prompt_logprobs_pending() ? prompt_logits_next
                                  : static_cast<std::int64_t>(tokens.size()) - 1));
  }

  const std::string rid;
  const SamplingParams params;
  // Prompt followed by the output so far.
  std::vector<std::int32_t> tokens;
  const std::int64_t prompt_tokens;
  // Output stops at this many tokens (max_new_tokens clipped to the context length).
  std::int64_t max_output_tokens = 0;

  Sampler sampler;
  IncrementalDetokenizer detokenizer;
  StopStrings stop_strings;
  RequestCallbacks callbacks;

  // KV state (see the file comment).
  std::vector<PageId> page_table;
  std::int64_t shared_pages = 0;
  RadixNode* cache_node = nullptr;
  std::int64_t computed = 0;

  // Reporting.
  std::int64_t cached_tokens = 0;
  bool cached_tokens_reported = false;
  bool prompt_observed = false;
  std::int64_t retractions = 0;
  std::string text;
  std::vector<OutputLogprob> logprobs;
  // The next prompt position whose logits score the token after it (prompt_tokens - 1 when no
  // more are wanted), and the prompt log probabilities scored so far.
  std::int64_t prompt_logits_next = 0;
  std::vector<OutputLogprob> prompt_logprobs;
  absl::Time submitted;
  std::optional<absl::Time> first_scheduled;
  std::optional<absl::Time> first_token;
  std::uint64_t arrival = 0;  // submission order, for FCFS and ties

  // Set when the request ends in this step (the scheduler finishes it after the step).
  std::optional<FinishReason> pending_finish;
  nlohmann::json matched_stop;
  // Set through Scheduler::Abort(); acted on at the next step.
  bool abort_requested = false;
  absl::Status abort_reason;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_SCHEDULER_REQUEST_H_
