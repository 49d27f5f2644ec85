// Normalizers: the first stage of encoding, applied to each stretch of text between added
// tokens (tokenizer.json "normalizer").
//
// Supported types: NFC, NFD, NFKC, NFKD, Lowercase, Strip, Prepend, Replace, Sequence. Offsets
// are not tracked: the engine needs ids, not alignments.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_NORMALIZERS_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_NORMALIZERS_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/engine/tokenizer/regex.h"

namespace radixlm::engine::internal {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  // Rewrites `text` (valid UTF-8) in place; the result is valid UTF-8.
  virtual void Normalize(std::string* text) const = 0;
};

// Builds the normalizer `json` describes; `path` locates it in tokenizer.json for errors.
absl::StatusOr<std::unique_ptr<Normalizer>> ParseNormalizer(const nlohmann::json& json,
                                                            std::string_view path);

// A `{"String": "..."}` (literal) or `{"Regex": "..."}` pattern, as the Replace normalizer, the
// Split pre-tokenizer and the Replace decoder write it.
absl::StatusOr<OnigRegex> ParsePattern(const nlohmann::json& json, std::string_view path);

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_NORMALIZERS_H_
