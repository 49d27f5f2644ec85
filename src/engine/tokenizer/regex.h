// Regular expressions with Oniguruma's semantics, evaluated by ICU.
//
// Hugging Face `tokenizers` compiles Split/Replace/ByteLevel patterns with Oniguruma (Ruby
// syntax). ICU's engine supports the same constructs the real tokenizers use (\p{L}, \p{N},
// (?i:...), lookahead), and OnigRegex closes the remaining gaps: `\s`/`\S` mean the Unicode
// White_Space property (ICU's `\s` lacks U+000B and U+0085), `\h` is a hex digit, `.`, `^` and
// `$` treat only "\n" as a line end, and iteration skips an empty match that touches the
// previous match's end, as the `onig` crate's find_iter does.
//
// Thread safety: an OnigRegex is immutable; FindMatches clones ICU's matcher per call, so one
// pattern may be used by many threads at once.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_REGEX_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_REGEX_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

struct URegularExpression;

namespace radixlm::engine::internal {

// A byte range of the searched text and whether the pattern matched it. A full list covers
// the text without gaps, alternating matched and unmatched ranges.
struct MatchSpan {
  size_t begin;
  size_t end;
  bool is_match;
};

class OnigRegex {
 public:
  // Compiles `pattern`; an error names the pattern and the offset ICU rejected.
  static absl::StatusOr<OnigRegex> Compile(std::string_view pattern);
  // A pattern matching `literal` exactly.
  static absl::StatusOr<OnigRegex> CompileLiteral(std::string_view literal);

  OnigRegex(OnigRegex&&) noexcept;
  OnigRegex& operator=(OnigRegex&&) noexcept;
  ~OnigRegex();

  // Appends `tokenizers`' Pattern::find_matches result for `text` (valid UTF-8) to `spans`:
  // every match, with the unmatched stretches between them; an empty text gives one empty
  // unmatched span.
  void FindMatches(std::string_view text, std::vector<MatchSpan>* spans) const;

 private:
  OnigRegex(std::string pattern, URegularExpression* compiled, bool literal);

  std::string pattern_;
  URegularExpression* compiled_;
  // A non-empty literal is matched with string search, which gives the same spans faster.
  bool literal_;
};

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_REGEX_H_
