// radixlm/engine/sampling_params.h — how the embedded engine picks each next token.
//
// Field names and defaults follow SGLang's `sampling_params` (shared/protocol/SGLANG_API.md §1.4),
// so the server maps requests field by field. The order of operations per token is SGLang's (and
// Hugging Face's): penalties on the raw logits, then temperature, then top-k, top-p and min-p
// filtering, then sampling (or argmax when temperature is 0).
#ifndef RADIXLM_ENGINE_SAMPLING_PARAMS_H_
#define RADIXLM_ENGINE_SAMPLING_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace radixlm::engine {

struct SamplingParams {
  // Tokens to generate at most; the context length may cut it shorter.
  std::int64_t max_new_tokens = 128;
  // EOS and stop tokens are ignored until this many tokens were generated.
  std::int64_t min_new_tokens = 0;
  // 0 (below 1e-6) means greedy.
  double temperature = 1.0;
  // Nucleus filtering: keep the smallest set of tokens whose probability sums to >= top_p.
  double top_p = 1.0;
  // Keep the k most likely tokens; -1 keeps all.
  std::int32_t top_k = -1;
  // Drop tokens whose probability is below min_p times the most likely token's.
  double min_p = 0.0;
  // OpenAI-style: subtract frequency_penalty × count and presence_penalty × (count > 0) from the
  // logit of every token already generated.
  double frequency_penalty = 0.0;
  double presence_penalty = 0.0;
  // Hugging Face-style: divide positive logits (multiply negative ones) of every token in the
  // prompt or output by this.
  double repetition_penalty = 1.0;
  // Generation stops when the output text contains one of these (across token boundaries).
  std::vector<std::string> stop;
  // ... or when one of these tokens is generated (in addition to the model's EOS tokens).
  std::vector<std::int32_t> stop_token_ids;
  bool ignore_eos = false;
  bool skip_special_tokens = true;
  // Keep the matched stop string in the output.
  bool no_stop_trim = false;
  // Same seed, same request → same output. Unset: a per-request random seed.
  std::optional<std::uint64_t> seed;
  // Per-token log probabilities of the output, with this many alternatives per position (0 = the
  // chosen token only) when return_logprob is set.
  bool return_logprob = false;
  std::int32_t top_logprobs = 0;
  // With return_logprob, prompt log probabilities too (SGLang's logprob_start_len): each prompt
  // token after position logprob_start_len gets its log probability given the tokens before it
  // (log_softmax of the raw logits: no penalties, no temperature) and top_logprobs alternatives.
  // -1: none. Must be below the prompt length. The prompt's tokens from this position on are
  // computed even when the prefix cache holds them.
  std::int64_t logprob_start_len = -1;
};

// Validate() checks the ranges SGLang checks, with SGLang's messages ("top_p must be in (0, 1], got
// 0.0."), as kInvalidArgument.
absl::Status Validate(const SamplingParams& params, std::int64_t vocab_size);

}  // namespace radixlm::engine

#endif  // RADIXLM_ENGINE_SAMPLING_PARAMS_H_
