// Byte-level BPE training: produces a real tokenizer.json + tokenizer_config.json pair that
// Tokenizer (and Hugging Face `tokenizers`) load, for the small models `radixlm model make`
// builds.
//
// The corpus is pre-tokenized with the same pre-tokenizer the output file declares (GPT-2's
// ByteLevel regex, SmolLM2's Digits + ByteLevel, or Llama-3's Split regex + ByteLevel), then
// merges are learned by the classic algorithm: repeatedly merge the most frequent adjacent
// pair (ties: the pair of smaller symbol ids), counting incrementally. Training is
// deterministic: the same corpus and options give byte-identical files.
//
// A corpus supports only so many merges: when no pair occurs `min_pair_frequency` times, training
// stops early and says so; the tokenizer's vocabulary is then smaller than asked, which is
// fine (a model's vocab_size may exceed its tokenizer's).
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_BPE_TRAINER_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_BPE_TRAINER_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace radixlm::engine {

enum class BpePreTokenization {
  kGpt2,     // ByteLevel pre-tokenizer with GPT-2's regex.
  kSmolLm2,  // Digits (individual) then ByteLevel with GPT-2's regex.
  kLlama3,   // Split with Llama-3's regex, then ByteLevel without its regex; ignore_merges.
};

struct BpeTrainerOptions {
  // Target vocabulary size, special tokens included.
  int32_t vocab_size = 49152;
  BpePreTokenization pre_tokenization = BpePreTokenization::kLlama3;
  // Added as special tokens, in this order.
  std::vector<std::string> special_tokens;
  // Whether the special tokens take ids 0.. (SmolLM2) rather than following the BPE
  // vocabulary (Llama-3).
  bool special_tokens_first = false;
  // When set (it must be one of special_tokens), the post-processor prepends it.
  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
  int64_t model_max_length = 8192;
  std::optional<std::string> chat_template;
  int64_t min_pair_frequency = 2;
};

// Options matching Llama-3's tokenizer: <|begin_of_text|> (BOS, prepended), <|end_of_text|>,
// <|start_header_id|>, <|end_header_id|>, <|eot_id|> (EOS) after the BPE vocabulary.
BpeTrainerOptions Llama3TokenizerOptions(int32_t vocab_size);
// Options matching SmolLM2's tokenizer: <|endoftext|>, <|im_start|>, <|im_end|> as ids 0..2,
// Digits + ByteLevel pre-tokenization, no BOS; EOS is <|im_end|>.
BpeTrainerOptions SmolLm2TokenizerOptions(int32_t vocab_size);

struct TrainedTokenizer {
  std::string tokenizer_json;
  std::string tokenizer_config_json;
  int32_t vocab_size = 0;  // Ids used, special tokens included.
  int32_t merge_count = 0;
  // The corpus ran out of pairs occurring min_pair_frequency times before vocab_size.
  bool stopped_early = false;
};

absl::StatusOr<TrainedTokenizer> TrainByteLevelBpe(std::string_view corpus,
                                                   const BpeTrainerOptions& options);

// Writes tokenizer.json and tokenizer_config.json into `dir` (which must exist).
absl::Status WriteTokenizerFiles(const TrainedTokenizer& tokenizer,
                                 const std::filesystem::path& dir);

// The merge-learning core, exposed for tests that build other tokenizer styles: `words` are
// symbol sequences with their corpus counts; returns up to `max_merges` merges in rank order.
// `stopped_early` is set when the best remaining pair occurs fewer than `min_pair_frequency`
// times.
std::vector<std::pair<std::string, std::string>> LearnBpeMerges(
    const std::vector<std::pair<std::vector<std::string>, int64_t>>& words, size_t max_merges,
    int64_t min_pair_frequency, bool* stopped_early);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_BPE_TRAINER_H_
