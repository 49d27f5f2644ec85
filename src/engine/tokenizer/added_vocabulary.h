// Added tokens (tokenizer.json "added_tokens"): special tokens such as <|eot_id|> and other
// tokens matched verbatim before the model sees the text.
//
// Encoding first splits the text on added tokens whose `normalized` is false, normalizes the
// stretches in between, then splits those on the normalized forms of the `normalized` added
// tokens. Matching is leftmost-longest (as tokenizers' Aho-Corasick with LeftmostLongest);
// `single_word` rejects a match touching a word character, `lstrip`/`rstrip` absorb adjacent
// whitespace into the token.
//
// Thread safety: immutable after construction.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_ADDED_VOCABULARY_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_ADDED_VOCABULARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/engine/tokenizer/bpe_model.h"
#include "src/engine/tokenizer/normalizers.h"

namespace radixlm::engine::internal {

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

// A stretch of input after splitting on added tokens: either an added token's id, or text
// still to be pre-tokenized and encoded by the model.
struct AddedSplit {
  std::optional<int32_t> added_id;
  std::string text;
  bool at_input_start = false;
};

class AddedVocabulary {
 public:
  // Parses "added_tokens" and assigns ids the way tokenizers' AddedVocabulary::add_tokens
  // does: a token already in the model's vocabulary takes that id, others are numbered from
  // the model's size on. `normalizer` (may be null) gives the matching form of `normalized`
  // tokens.
  static absl::StatusOr<AddedVocabulary> Parse(const nlohmann::json* json, std::string_view path,
                                               const BpeModel& model, const Normalizer* normalizer);

  // Splits `text` on added tokens, normalizing the rest with `normalizer` (may be null).
  // Empty stretches are dropped.
  std::vector<AddedSplit> Split(std::string_view text, const Normalizer* normalizer) const;

  const AddedToken* FindById(int32_t id) const;
  std::optional<int32_t> FindByContent(std::string_view content) const;
  // The string the decoder receives for added token `id`: its normalized form when it is
  // matched normalized and the normalizer changes it, else its content.
  const std::string* DecodingForm(int32_t id) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  // A byte trie over token patterns; `terminal_id` is set where a pattern ends.
  struct TrieNode {
    absl::flat_hash_map<uint8_t, int32_t> children;
    std::optional<int32_t> terminal_id;
  };
  struct Trie {
    std::vector<TrieNode> nodes{TrieNode{}};
    bool first_bytes[256] = {};
    void Insert(std::string_view pattern, int32_t id);
    bool empty() const { return nodes.size() == 1; }
  };
  struct Match {
    size_t begin;
    size_t end;
    int32_t id;
  };

  // tokenizers' AddedVocabulary::find_matches: the splits of `text`, with ids on added tokens.
  std::vector<Match> FindMatches(std::string_view text, const Trie& trie) const;

  std::vector<AddedToken> tokens_;
  absl::flat_hash_map<int32_t, size_t> index_by_id_;
  absl::flat_hash_map<std::string, int32_t> id_by_content_;
  absl::flat_hash_map<int32_t, std::string> normalized_form_;
  Trie raw_trie_;
  Trie normalized_trie_;
};

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_ADDED_VOCABULARY_H_
