// Each step mirrors one torch operation on a float32 tensor. A Python scalar operand is cast to
// float32 first (torch's wrapped-number promotion), and `scalar / tensor` is computed by torch as
// `tensor.reciprocal() * scalar` (Tensor.__rtruediv__), which rounds differently from a division,
// so it is written that way here too.
#include "src/engine/model/rope.h"

#include <cmath>
#include <cstdint>
#include <numbers>

namespace radixlm::engine {
namespace {

// _compute_default_rope_parameters: 1.0 / (base ** (arange(0, dim, 2).float() / dim)).
std::vector<float> DefaultInverseFrequencies(double theta, std::int64_t dim) {
  const auto base = static_cast<float>(theta);
  std::vector<float> inverse_frequencies;
  inverse_frequencies.reserve(static_cast<std::size_t>(dim / 2));
  for (std::int64_t i = 0; i < dim; i += 2) {
    const float exponent = static_cast<float>(i) / static_cast<float>(dim);
    // Correctly rounded float pow: the double result of two floats rounds once to float.
    const auto power =
        static_cast<float>(std::pow(static_cast<double>(base), static_cast<double>(exponent)));
    inverse_frequencies.push_back(1.0f / power);
  }
  return inverse_frequencies;
}

// _compute_llama3_parameters, element by element.
float Llama3Scale(float inverse_frequency, const RopeParameters& rope) {
  const auto factor = static_cast<float>(rope.factor);
  const auto low_freq_factor = static_cast<float>(rope.low_freq_factor);
  const auto old_context_len = static_cast<float>(rope.original_max_position_embeddings);
  // Computed in Python doubles, then compared against a float32 tensor as float32.
  const auto low_freq_wavelen = static_cast<float>(
      static_cast<double>(rope.original_max_position_embeddings) / rope.low_freq_factor);
  const auto high_freq_wavelen = static_cast<float>(
      static_cast<double>(rope.original_max_position_embeddings) / rope.high_freq_factor);
  const auto freq_factor_span = static_cast<float>(rope.high_freq_factor - rope.low_freq_factor);
  const auto two_pi = static_cast<float>(2 * std::numbers::pi);

  const float wavelen = (1.0f / inverse_frequency) * two_pi;
  const float inv_freq_llama =
      wavelen > low_freq_wavelen ? inverse_frequency / factor : inverse_frequency;
  const bool is_medium_freq = !(wavelen < high_freq_wavelen) && !(wavelen > low_freq_wavelen);
  if (!is_medium_freq) return inv_freq_llama;
  const float smooth_factor =
      ((1.0f / wavelen) * old_context_len - low_freq_factor) / freq_factor_span;
  return (1.0f - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama;
}

}  // namespace

std::vector<float> ComputeRopeInverseFrequencies(const ModelConfig& config) {
  std::vector<float> inverse_frequencies =
      DefaultInverseFrequencies(config.rope.theta, config.head_dim);
  switch (config.rope.type) {
    case RopeType::kDefault:
      break;
    case RopeType::kLinear:
      for (float& value : inverse_frequencies) value /= static_cast<float>(config.rope.factor);
      break;
    case RopeType::kLlama3:
      for (float& value : inverse_frequencies) value = Llama3Scale(value, config.rope);
      break;
  }
  return inverse_frequencies;
}

}  // namespace radixlm::engine
