// IncrementalDetokenizer: streaming decode, one token id at a time.
//
// Each Push returns only text that can no longer change: never part of a UTF-8 character
// (byte-level tokens and byte-fallback tokens may split one across tokens), and never text
// that the decoder's sequence-start rules (SentencePiece's leading-space removal) would still
// alter. The concatenation of every Push result and Flush equals
// Tokenizer::Decode(all ids, skip_special_tokens).
//
//   IncrementalDetokenizer stream(tokenizer, /*skip_special_tokens=*/true);
//   for (int32_t id : generated) send(stream.Push(id));
//   send(stream.Flush());
//
// Cost: tokens are decoded in a small window that is dropped at each stable point, so a
// stream costs O(total tokens) for the decoders of real tokenizers. A decoder chain that
// cannot be split (see DecoderChain::splittable) is re-decoded from the start on each Push.
//
// Thread safety: one stream per request; not for concurrent use. The Tokenizer must outlive
// it.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_INCREMENTAL_DETOKENIZER_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_INCREMENTAL_DETOKENIZER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "src/engine/tokenizer/tokenizer.h"

namespace radixlm::engine {

class IncrementalDetokenizer {
 public:
  IncrementalDetokenizer(const Tokenizer& tokenizer, bool skip_special_tokens);

  // Adds `id` to the sequence and returns the newly completed text (possibly empty).
  std::string Push(int32_t id);
  // Returns the text still held back (an unfinished character decodes to U+FFFD, as in
  // Decode) and starts a new, empty sequence.
  std::string Flush();

 private:
  const internal::TokenizerPipeline* pipeline_;
  bool skip_special_tokens_;
  // Invariant: `window_` holds the tokens since the last stable point; `emitted_bytes_` bytes
  // of their decoding have been returned; `window_starts_sequence_` is true until the first
  // stable point of the sequence.
  std::vector<std::string> window_;
  size_t emitted_bytes_ = 0;
  bool window_starts_sequence_ = true;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_INCREMENTAL_DETOKENIZER_H_
