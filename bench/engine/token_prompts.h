// Deterministic prompts as token ids.
//
// The workloads (../shared/workloads/README.md) are specified in tokens of the model under test.
// The models made by `radixlm model make` have the vocabulary of their shape (49152, 128256) but a
// tokenizer trained on a small corpus (a few thousand tokens), so text cannot reach most ids;
// the benchmark therefore draws token ids directly. The cost of a step does not depend on which
// ids it sees, and the ids are a function of (seed, stream) only, so every run and machine sees
// the same prompts.
#ifndef RADIXLM_BENCH_ENGINE_TOKEN_PROMPTS_H_
#define RADIXLM_BENCH_ENGINE_TOKEN_PROMPTS_H_

#include <cstdint>
#include <vector>

namespace radixlm::bench {

// Ids are drawn from [kFirstPromptId, kEndPromptId): above the special tokens the made tokenizers
// put at the bottom of the vocabulary (SmolLM2's <|endoftext|> = 0, ...) and below Llama 3's
// specials (128000+), inside both shapes' vocabularies.
inline constexpr std::int32_t kFirstPromptId = 256;
inline constexpr std::int32_t kEndPromptId = 32000;

class TokenPrompts {
 public:
  explicit TokenPrompts(std::uint64_t seed) : seed_(seed) {}

  // Tokens() returns `count` ids of stream `stream`: the same (seed, stream, count) gives the same
  // ids, and a longer count extends a shorter one.
  std::vector<std::int32_t> Tokens(std::uint64_t stream, std::int64_t count) const;

 private:
  std::uint64_t seed_;
};

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_TOKEN_PROMPTS_H_
