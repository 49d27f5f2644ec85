// Pre-tokenizers: split normalized text into the words the model encodes independently
// (tokenizer.json "pre_tokenizer").
//
// Supported types: ByteLevel, Split, Metaspace, Digits, Punctuation, Whitespace,
// WhitespaceSplit, Sequence. Splitting follows `tokenizers`' NormalizedString::split exactly,
// including its five delimiter behaviors and `invert`.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_PRE_TOKENIZERS_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_PRE_TOKENIZERS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace radixlm::engine::internal {

// One piece of the input on its way to the model.
struct PreToken {
  std::string text;
  // Whether the piece begins at byte 0 of the caller's original text (Metaspace's
  // prepend_scheme "first" prepends only there).
  bool at_input_start = false;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces `pieces` by their sub-pieces; empty pieces are dropped.
  virtual void PreTokenize(std::vector<PreToken>* pieces) const = 0;
};

absl::StatusOr<std::unique_ptr<PreTokenizer>> ParsePreTokenizer(const nlohmann::json& json,
                                                                std::string_view path);

// A ByteLevel pre-tokenizer: optional leading space, optional GPT-2 regex split, then every
// byte mapped to its printable stand-in. The BPE trainer uses the same object.
std::unique_ptr<PreTokenizer> MakeByteLevelPreTokenizer(bool add_prefix_space, bool use_regex);
// A Split pre-tokenizer with an Isolated regex, as Llama-3 and Qwen2 declare it.
absl::StatusOr<std::unique_ptr<PreTokenizer>> MakeIsolatingRegexSplit(std::string_view pattern);
// Applies `steps` in order.
std::unique_ptr<PreTokenizer> MakePreTokenizerSequence(
    std::vector<std::unique_ptr<PreTokenizer>> steps);

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_PRE_TOKENIZERS_H_
