// Unicode character classes and normalization forms, backed by ICU.
//
// Each predicate mirrors the Rust function Hugging Face `tokenizers` calls, so that splitting
// and stripping decisions agree with the reference implementation.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_UNICODE_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_UNICODE_H_

#include <string>
#include <string_view>

namespace radixlm::engine::internal {

enum class NormalizationForm { kNfc, kNfd, kNfkc, kNfkd };

// `text` (valid UTF-8) in the given normalization form.
std::string NormalizeUnicode(NormalizationForm form, std::string_view text);

// Rust's `char::to_lowercase` applied to each code point (full mappings, no context), as the
// Lowercase normalizer does.
std::string LowercaseUnicode(std::string_view text);

// Rust `char::is_whitespace`: the Unicode White_Space property.
bool IsWhitespace(char32_t code_point);
// Rust regex `\w`: Alphabetic, marks, decimal numbers, connector punctuation, join controls.
bool IsWordCharacter(char32_t code_point);
// Rust `char::is_numeric`: general categories Nd, Nl and No.
bool IsNumeric(char32_t code_point);
// `tokenizers`' is_punc: ASCII punctuation or any general category P*.
bool IsPunctuation(char32_t code_point);

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_UNICODE_H_
