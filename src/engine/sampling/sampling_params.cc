#include "radixlm/engine/sampling_params.h"

#include "src/common/strings.h"

namespace radixlm::engine {

absl::Status Validate(const SamplingParams& params, std::int64_t vocab_size) {
  auto invalid = [](auto... parts) { return absl::InvalidArgumentError(StrCat(parts...)); };
  if (params.max_new_tokens < 0) {
    return invalid("max_new_tokens must be at least 0, got ", params.max_new_tokens, ".");
  }
  if (params.min_new_tokens < 0 || params.min_new_tokens > params.max_new_tokens) {
    return invalid("min_new_tokens must be in [0, max_new_tokens], got ", params.min_new_tokens,
                   ".");
  }
  if (!(params.temperature >= 0)) {
    return invalid("temperature must be non-negative, got ", params.temperature, ".");
  }
  if (!(params.top_p > 0 && params.top_p <= 1)) {
    return invalid("top_p must be in (0, 1], got ", params.top_p, ".");
  }
  if (params.top_k < 1 && params.top_k != -1) {
    return invalid("top_k must be -1 (disable), or at least 1, got ", params.top_k, ".");
  }
  if (!(params.min_p >= 0 && params.min_p <= 1)) {
    return invalid("min_p must be in [0, 1], got ", params.min_p, ".");
  }
  if (!(params.frequency_penalty >= -2 && params.frequency_penalty <= 2)) {
    return invalid("frequency_penalty must be in [-2, 2], got ", params.frequency_penalty, ".");
  }
  if (!(params.presence_penalty >= -2 && params.presence_penalty <= 2)) {
    return invalid("presence_penalty must be in [-2, 2], got ", params.presence_penalty, ".");
  }
  if (!(params.repetition_penalty > 0 && params.repetition_penalty <= 2)) {
    return invalid("repetition_penalty must be in (0, 2], got ", params.repetition_penalty, ".");
  }
  if (params.top_logprobs < 0) {
    return invalid("top_logprobs must be at least 0, got ", params.top_logprobs, ".");
  }
  if (params.logprob_start_len < -1) {
    return invalid("logprob_start_len must be -1 (no prompt logprobs) or at least 0, got ",
                   params.logprob_start_len, ".");
  }
  for (std::int32_t token : params.stop_token_ids) {
    if (token < 0 || token >= vocab_size) {
      return invalid("stop_token_ids contains ", token, ", which is outside the vocabulary [0, ",
                     vocab_size, ").");
    }
  }
  for (const std::string& stop : params.stop) {
    if (stop.empty()) return invalid("stop strings must not be empty.");
  }
  return absl::OkStatus();
}

}  // namespace radixlm::engine
