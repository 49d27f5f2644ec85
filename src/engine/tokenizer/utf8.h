// UTF-8 helpers shared by the tokenizer components.
//
// Tokenizer text is UTF-8 throughout (as in Hugging Face `tokenizers`, whose strings are Rust
// `String`s). These helpers validate input, walk code points and reproduce Rust's
// `String::from_utf8_lossy`, which the ByteLevel decoder relies on.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_UTF8_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace radixlm::engine::internal {

// Byte offset of the first ill-formed sequence in `text`, or std::string_view::npos when
// `text` is well-formed UTF-8 (no surrogates, no overlongs, nothing above U+10FFFF).
size_t FindInvalidUtf8(std::string_view text);

// Length in bytes of the code point starting at `text[pos]`; `text` must be valid UTF-8.
inline size_t Utf8CharLength(std::string_view text, size_t pos) {
  const auto lead = static_cast<uint8_t>(text[pos]);
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Decodes the code point at `text[pos]` (valid UTF-8) and advances `pos` past it.
char32_t DecodeUtf8(std::string_view text, size_t* pos);

// Appends the UTF-8 encoding of `code_point` to `out`.
void AppendUtf8(char32_t code_point, std::string* out);

// Number of code points in valid UTF-8 `text`.
size_t CountCodePoints(std::string_view text);

// Rust's `String::from_utf8_lossy`: every maximal ill-formed subpart becomes one U+FFFD
// (the Unicode "substitution of maximal subparts" practice).
std::string Utf8Lossy(std::string_view bytes);

// Length of the suffix of `bytes` that is a proper prefix of a well-formed UTF-8 sequence (an
// incomplete character that more bytes could still complete); 0 when there is none.
size_t IncompleteUtf8Suffix(std::string_view bytes);

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_UTF8_H_
