// Decoders (tokenizer.json "decoder"): turn token strings back into text.
//
// Supported types: ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence; with no
// decoder, tokens are joined with spaces, as in `tokenizers`. Each step reproduces the
// corresponding `decode_chain` of `tokenizers`, including its position-dependent rules: the
// Metaspace decoder drops replacement characters in the first token only, and a Strip after
// Fuse strips the start of the whole text only.
//
// Streaming support: a window of tokens that does not start the sequence can be decoded with
// `starts_sequence` false. For "splittable" chains (all real tokenizers' chains), decoding
// tokens A then B separately equals decoding A+B, provided A ends at a stable point: no
// incomplete UTF-8 in byte-level bytes and no open run of byte-fallback tokens at its end
// (UnstableSuffixTokens counts the tokens to hold back).
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_DECODERS_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_DECODERS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace radixlm::engine::internal {

// Where a list of token strings sits in the whole decoded sequence.
struct DecodeState {
  bool starts_sequence = true;  // The list's first token is the sequence's first token.
  bool fused = false;           // An earlier step joined the list into one string.
};

class DecoderStep {
 public:
  virtual ~DecoderStep() = default;
  virtual void Apply(std::vector<std::string>* tokens, DecodeState* state) const = 0;
};

class DecoderChain {
 public:
  // Parses `json`; a null `json` means "join with spaces".
  static absl::StatusOr<DecoderChain> Parse(const nlohmann::json* json, std::string_view path);

  // The text of `tokens`; see DecodeState for `starts_sequence`.
  std::string Decode(std::vector<std::string> tokens, bool starts_sequence) const;

  // How many tokens at the end of `tokens` could still decode differently once more tokens
  // follow (a partial UTF-8 character, an unfinished byte-fallback run).
  size_t UnstableSuffixTokens(const std::vector<std::string>& tokens) const;

  // Whether decoding may be split at stable points (see the file comment). When false, a
  // streaming decoder must re-decode from the start of the sequence.
  bool splittable() const { return splittable_; }

 private:
  std::vector<std::unique_ptr<DecoderStep>> steps_;
  bool join_with_spaces_ = false;
  bool has_byte_level_ = false;
  bool has_byte_fallback_ = false;
  bool splittable_ = true;
};

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_DECODERS_H_
