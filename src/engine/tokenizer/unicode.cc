#include "src/engine/tokenizer/unicode.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {

std::string NormalizeUnicode(NormalizationForm form, std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = nullptr;
  switch (form) {
    case NormalizationForm::kNfc:
      normalizer = icu::Normalizer2::getNFCInstance(status);
      break;
    case NormalizationForm::kNfd:
      normalizer = icu::Normalizer2::getNFDInstance(status);
      break;
    case NormalizationForm::kNfkc:
      normalizer = icu::Normalizer2::getNFKCInstance(status);
      break;
    case NormalizationForm::kNfkd:
      normalizer = icu::Normalizer2::getNFKDInstance(status);
      break;
  }
  // ICU's normalization data is compiled into libicudata; failing to load it means a broken
  // installation, and the input is then left as it is rather than corrupted.
  if (U_FAILURE(status) || normalizer == nullptr) return std::string(text);
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(text.size()));
  normalizer->normalizeUTF8(0, icu::StringPiece(text.data(), static_cast<int32_t>(text.size())),
                            sink, nullptr, status);
  if (U_FAILURE(status)) return std::string(text);
  return out;
}

std::string LowercaseUnicode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      out.push_back(static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + ('a' - 'A') : byte));
      ++pos;
      continue;
    }
    const char32_t code_point = DecodeUtf8(text, &pos);
    UChar source[2];
    int32_t source_length = 0;
    U16_APPEND_UNSAFE(source, source_length, code_point);
    UChar lowered[8];
    UErrorCode status = U_ZERO_ERROR;
    const int32_t lowered_length = u_strToLower(lowered, 8, source, source_length, "", &status);
    if (U_FAILURE(status)) {
      AppendUtf8(code_point, &out);
      continue;
    }
    for (int32_t i = 0; i < lowered_length;) {
      UChar32 lowered_code_point;
      U16_NEXT(lowered, i, lowered_length, lowered_code_point);
      AppendUtf8(static_cast<char32_t>(lowered_code_point), &out);
    }
  }
  return out;
}

bool IsWhitespace(char32_t code_point) {
  return u_hasBinaryProperty(static_cast<UChar32>(code_point), UCHAR_WHITE_SPACE);
}

bool IsWordCharacter(char32_t code_point) {
  const auto c = static_cast<UChar32>(code_point);
  const int32_t mask = U_GET_GC_MASK(c);
  return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || (mask & U_GC_M_MASK) != 0 ||
         (mask & U_GC_ND_MASK) != 0 || (mask & U_GC_PC_MASK) != 0 ||
         u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL);
}

bool IsNumeric(char32_t code_point) {
  const int32_t mask = U_GET_GC_MASK(static_cast<UChar32>(code_point));
  return (mask & (U_GC_ND_MASK | U_GC_NL_MASK | U_GC_NO_MASK)) != 0;
}

bool IsPunctuation(char32_t code_point) {
  if (code_point < 0x80) {
    return (code_point >= 0x21 && code_point <= 0x2F) ||
           (code_point >= 0x3A && code_point <= 0x40) ||
           (code_point >= 0x5B && code_point <= 0x60) || (code_point >= 0x7B && code_point <= 0x7E);
  }
  return (U_GET_GC_MASK(static_cast<UChar32>(code_point)) & U_GC_P_MASK) != 0;
}

}  // namespace radixlm::engine::internal
