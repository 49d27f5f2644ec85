#include "bench/engine/token_prompts.h"

namespace radixlm::bench {
namespace {

// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014): one
// 64-bit state, good enough mixing for drawing ids, identical on every platform.
std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<std::int32_t> TokenPrompts::Tokens(std::uint64_t stream, std::int64_t count) const {
  std::uint64_t state = seed_ * 0x100000001b3ULL ^ (stream + 1) * 0xc2b2ae3d27d4eb4fULL;
  constexpr auto kRange = static_cast<std::uint64_t>(kEndPromptId - kFirstPromptId);
  std::vector<std::int32_t> ids;
  ids.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    ids.push_back(kFirstPromptId + static_cast<std::int32_t>(SplitMix64(state) % kRange));
  }
  return ids;
}

}  // namespace radixlm::bench
