// Log probabilities from one row of logits (log_softmax), for the output tokens the Sampler picks
// and for prompt tokens (SGLang's input_token_logprobs).
//
// Thread safety: pure functions.
#ifndef RADIXLM_SRC_ENGINE_SAMPLING_LOGPROBS_H_
#define RADIXLM_SRC_ENGINE_SAMPLING_LOGPROBS_H_

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace radixlm::engine {

struct TokenLogprob {
  std::int32_t token = 0;
  float logprob = 0;
};

// log(sum(exp(logits))), computed stably: a token's log probability is its logit minus this.
float LogNormalizer(std::span<const float> logits);

// The `count` most likely tokens (all when the vocabulary is smaller), most likely first, with
// their log probabilities. `scratch` is reused between calls.
std::vector<TokenLogprob> MostLikely(std::span<const float> logits, float log_normalizer,
                                     std::int32_t count,
                                     std::vector<std::pair<float, std::int32_t>>& scratch);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_SAMPLING_LOGPROBS_H_
