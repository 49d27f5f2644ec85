// The BPE model of tokenizer.json ("model": {"type": "BPE", ...}): vocabulary, ranked merges
// and the per-word merge loop.
//
// Encoding a word starts from its characters (with `continuing_subword_prefix` /
// `end_of_word_suffix` when configured; characters outside the vocabulary become byte tokens
// "<0xNN>" with `byte_fallback`, else `unk_token`, fused when `fuse_unk`), then repeatedly
// applies the lowest-ranked merge among adjacent pairs, leftmost first — the exact order of
// `tokenizers`' Word::merge_all, implemented with a priority queue so long words stay
// O(n log n). `ignore_merges` (Llama-3) first looks the whole word up in the vocabulary.
//
// Words of 256 bytes or more (SentencePiece-style tokenizers have no pre-tokenizer, so a whole
// text is one word) are merged in chunks that no merge can cross; see adjacent_in_merges_.
//
// Thread safety: Tokenize may be called concurrently; the word cache is guarded by a mutex.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_BPE_MODEL_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_BPE_MODEL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace radixlm::engine::internal {

class BpeModel {
 public:
  // Parses the "model" object; `path` is its JSON path for errors.
  static absl::StatusOr<std::unique_ptr<BpeModel>> Parse(const nlohmann::json& json,
                                                         std::string_view path);

  BpeModel(const BpeModel&) = delete;
  BpeModel& operator=(const BpeModel&) = delete;

  // Appends the ids of `word` (one pre-token, valid UTF-8) to `ids`.
  void Tokenize(std::string_view word, std::vector<int32_t>* ids) const;

  std::optional<int32_t> TokenToId(std::string_view token) const;
  // The vocabulary entry for `id`, or nullptr when no entry has that id.
  const std::string* IdToToken(int32_t id) const;
  // Number of vocabulary entries (what `tokenizers` numbers new added tokens from).
  size_t size() const { return vocab_.size(); }
  // One more than the largest id in the vocabulary.
  int32_t id_limit() const { return static_cast<int32_t>(id_to_token_.size()); }

 private:
  struct Merge {
    uint32_t rank;
    int32_t merged_id;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  struct StringEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };

  BpeModel() = default;

  static uint64_t PairKey(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  const Merge* FindMerge(int32_t left, int32_t right) const;
  // Appends the merge result of `word`, from the cache when possible.
  void MergeCached(std::string_view word, std::vector<int32_t>* ids) const;
  void MergeWord(std::string_view word, std::vector<int32_t>* ids) const;

  absl::flat_hash_map<std::string, int32_t, StringHash, StringEq> vocab_;
  std::vector<std::optional<std::string>> id_to_token_;
  absl::flat_hash_map<uint64_t, Merge> merges_;
  std::optional<int32_t> unk_id_;
  std::string continuing_subword_prefix_;
  std::string end_of_word_suffix_;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  std::optional<int32_t> byte_ids_[256];  // "<0xNN>" ids, when byte_fallback.
  // Every pair of code points adjacent inside some merged token. Between two characters that
  // are vocabulary tokens themselves and form no such pair, no merge can ever apply, so a long
  // word (SentencePiece-style tokenizers pass whole texts as one word) is merged in
  // independent, cacheable chunks with an identical result.
  absl::flat_hash_set<uint64_t> adjacent_in_merges_;

  // Words (or chunks) already merged; bounded, and pieces of 256 bytes or more are never
  // cached (as in `tokenizers`), so memory stays small however much text passes through.
  mutable std::mutex cache_mutex_;
  mutable absl::flat_hash_map<std::string, std::vector<int32_t>, StringHash, StringEq> cache_;
};

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_BPE_MODEL_H_
