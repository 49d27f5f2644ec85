#include "src/engine/sampling/logprobs.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace radixlm::engine {

float LogNormalizer(std::span<const float> logits) {
  const float max_logit = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float logit : logits) sum += std::exp(static_cast<double>(logit - max_logit));
  return static_cast<float>(max_logit + std::log(sum));
}

std::vector<TokenLogprob> MostLikely(std::span<const float> logits, float log_normalizer,
                                     std::int32_t count,
                                     std::vector<std::pair<float, std::int32_t>>& scratch) {
  scratch.clear();
  for (std::size_t i = 0; i < logits.size(); ++i) {
    scratch.emplace_back(logits[i], static_cast<std::int32_t>(i));
  }
  const auto n = std::min(static_cast<std::size_t>(std::max(count, 0)), logits.size());
  std::partial_sort(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(n),
                    scratch.end(), std::greater<>());
  std::vector<TokenLogprob> top;
  top.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    top.push_back({scratch[i].second, scratch[i].first - log_normalizer});
  }
  return top;
}

}  // namespace radixlm::engine
