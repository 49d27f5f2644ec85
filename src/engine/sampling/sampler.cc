#include "src/engine/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace radixlm::engine {
namespace {

// SGLang treats temperatures below this as greedy (sampling_params.py).
constexpr double kGreedyBelow = 1e-6;

double Uniform01(std::mt19937_64& random) {
  return static_cast<double>(random() >> 11) * 0x1.0p-53;
}

}  // namespace

Sampler::Sampler(const SamplingParams& params, std::int32_t vocab_size, std::uint64_t seed)
    : params_(params),
      greedy_(params.temperature < kGreedyBelow),
      random_(params.seed.value_or(seed)),
      in_prompt_(static_cast<size_t>(vocab_size), 0),
      output_count_(static_cast<size_t>(vocab_size), 0) {
  candidates_.reserve(static_cast<size_t>(vocab_size));
}

void Sampler::ObservePrompt(std::span<const std::int32_t> tokens) {
  if (params_.repetition_penalty == 1.0) return;
  for (std::int32_t token : tokens) {
    if (token < 0 || token >= static_cast<std::int32_t>(in_prompt_.size())) continue;
    if (!in_prompt_[token] && output_count_[token] == 0) seen_.push_back(token);
    in_prompt_[token] = 1;
  }
}

void Sampler::ObserveOutput(std::int32_t token) {
  if (token < 0 || token >= static_cast<std::int32_t>(output_count_.size())) return;
  if (!in_prompt_[token] && output_count_[token] == 0) seen_.push_back(token);
  ++output_count_[token];
}

void Sampler::ApplyPenalties(std::span<float> logits) const {
  const bool repetition = params_.repetition_penalty != 1.0;
  const bool additive = params_.frequency_penalty != 0.0 || params_.presence_penalty != 0.0;
  if (!repetition && !additive) return;
  const auto penalty = static_cast<float>(params_.repetition_penalty);
  for (std::int32_t token : seen_) {
    float& logit = logits[static_cast<size_t>(token)];
    if (repetition) logit = logit > 0 ? logit / penalty : logit * penalty;
    if (const std::int32_t count = output_count_[token]; additive && count > 0) {
      logit -= static_cast<float>(params_.frequency_penalty * count + params_.presence_penalty);
    }
  }
}

SampledToken Sampler::Sample(std::span<float> logits, std::span<const std::int32_t> suppressed) {
  ApplyPenalties(logits);
  for (std::int32_t token : suppressed) {
    logits[static_cast<size_t>(token)] = -std::numeric_limits<float>::infinity();
  }
  SampledToken result;
  const size_t vocab = logits.size();
  if (params_.return_logprob) {
    const float log_norm = LogNormalizer(logits);
    if (params_.top_logprobs > 0) {
      result.top = MostLikely(logits, log_norm, params_.top_logprobs, candidates_);
    }
    // The chosen token's logprob is filled in below once it is known.
    result.logprob = log_norm;
  }

  if (greedy_) {
    result.token =
        static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  } else {
    const auto inverse_temperature = static_cast<float>(1.0 / params_.temperature);
    candidates_.clear();
    for (size_t i = 0; i < vocab; ++i) {
      candidates_.emplace_back(logits[i] * inverse_temperature, static_cast<std::int32_t>(i));
    }
    size_t kept = vocab;
    if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < vocab) {
      kept = static_cast<size_t>(params_.top_k);
      std::nth_element(candidates_.begin(), candidates_.begin() + static_cast<long>(kept) - 1,
                       candidates_.end(), std::greater<>());
    }
    const bool needs_order = params_.top_p < 1.0 || params_.min_p > 0.0;
    if (needs_order) {
      std::sort(candidates_.begin(), candidates_.begin() + static_cast<long>(kept),
                std::greater<>());
    }
    float max_scaled = -std::numeric_limits<float>::infinity();
    for (size_t i = 0; i < kept; ++i) max_scaled = std::max(max_scaled, candidates_[i].first);
    double total = 0;
    for (size_t i = 0; i < kept; ++i) {
      const double p = std::exp(static_cast<double>(candidates_[i].first - max_scaled));
      candidates_[i].first = static_cast<float>(p);
      total += p;
    }
    if (params_.top_p < 1.0) {
      // Keep tokens while the mass before them is below top_p (the first always stays).
      double before = 0;
      size_t nucleus = 0;
      while (nucleus < kept && before < params_.top_p * total) {
        before += candidates_[nucleus].first;
        ++nucleus;
      }
      kept = std::max<size_t>(1, nucleus);
    }
    if (params_.min_p > 0.0) {
      const double floor = params_.min_p * candidates_[0].first;
      size_t above = 1;
      while (above < kept && candidates_[above].first >= floor) ++above;
      kept = above;
    }
    double mass = 0;
    for (size_t i = 0; i < kept; ++i) mass += candidates_[i].first;
    double target = Uniform01(random_) * mass;
    result.token = candidates_[kept - 1].second;
    for (size_t i = 0; i < kept; ++i) {
      target -= candidates_[i].first;
      if (target < 0) {
        result.token = candidates_[i].second;
        break;
      }
    }
  }
  if (params_.return_logprob) {
    result.logprob = logits[static_cast<size_t>(result.token)] - result.logprob;
  }
  return result;
}

}  // namespace radixlm::engine
