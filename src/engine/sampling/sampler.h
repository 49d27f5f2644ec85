// Sampler: picks one sequence's next token from the model's logits (SamplingParams), with its
// penalties state and its own seeded random stream.
//
// Per token: repetition / frequency / presence penalties on the logits, then log-probabilities
// (when asked; computed here, after penalties and before temperature, as SGLang reports them), then
// argmax (temperature 0) or temperature → top-k → softmax → top-p → min-p → sample.
//
// Thread safety: none; one Sampler per sequence. No allocation per token after construction.
#ifndef RADIXLM_SRC_ENGINE_SAMPLING_SAMPLER_H_
#define RADIXLM_SRC_ENGINE_SAMPLING_SAMPLER_H_

#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "radixlm/engine/sampling_params.h"
#include "src/engine/sampling/logprobs.h"

namespace radixlm::engine {

struct SampledToken {
  std::int32_t token = 0;
  // Filled only when SamplingParams::return_logprob.
  float logprob = 0;
  std::vector<TokenLogprob> top;  // most likely first, SamplingParams::top_logprobs of them
};

class Sampler {
 public:
  // `seed` is used when params.seed is unset.
  Sampler(const SamplingParams& params, std::int32_t vocab_size, std::uint64_t seed);

  // Prompt tokens count for the repetition penalty only (SGLang and Hugging Face penalize prompt
  // tokens too); generated tokens count for all three penalties.
  void ObservePrompt(std::span<const std::int32_t> tokens);
  void ObserveOutput(std::int32_t token);

  // Chooses the next token. `logits` (vocab_size floats) is used as scratch and changed.
  // `suppressed` tokens (e.g. EOS before min_new_tokens) cannot be chosen.
  SampledToken Sample(std::span<float> logits, std::span<const std::int32_t> suppressed);

  bool greedy() const { return greedy_; }

 private:
  void ApplyPenalties(std::span<float> logits) const;

  const SamplingParams params_;
  const bool greedy_;
  std::mt19937_64 random_;
  std::vector<std::uint8_t> in_prompt_;     // per vocab id
  std::vector<std::int32_t> output_count_;  // per vocab id
  std::vector<std::int32_t> seen_;          // ids with in_prompt_ or output_count_ set
  std::vector<std::pair<float, std::int32_t>> candidates_;  // scratch
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_SAMPLING_SAMPLER_H_
