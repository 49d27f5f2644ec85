#include "src/engine/chat/text.h"

#include <locale.h>
#include <wctype.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace radixlm::engine::jinja {
namespace {

// Simple Unicode case mappings come from glibc's C.UTF-8 locale (the same tables CPython's are
// generated from); the multi-character mappings CPython also applies are special-cased below.
locale_t Utf8Locale() {
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return locale;
}

char32_t SimpleUpper(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  locale_t locale = Utf8Locale();
  return locale == static_cast<locale_t>(0) ? c : static_cast<char32_t>(towupper_l(c, locale));
}

char32_t SimpleLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  locale_t locale = Utf8Locale();
  return locale == static_cast<locale_t>(0) ? c : static_cast<char32_t>(towlower_l(c, locale));
}

bool IsCased(char32_t c) { return SimpleUpper(c) != c || SimpleLower(c) != c; }

void AppendUpper(char32_t c, std::u32string* out) {
  if (c == U'\u00df') {  // ß → SS (SpecialCasing.txt).
    out->append(U"SS");
    return;
  }
  out->push_back(SimpleUpper(c));
}

void AppendLower(char32_t c, std::u32string* out) {
  if (c == U'\u0130') {  // İ → i + combining dot above.
    out->append(U"i\u0307");
    return;
  }
  out->push_back(SimpleLower(c));
}

// CPython lowers a capital sigma to final sigma (ς) at the end of a word.
bool IsFinalSigma(const std::u32string& text, size_t index) {
  bool cased_before = false;
  for (size_t i = index; i-- > 0;) {
    if (IsCased(text[i])) {
      cased_before = true;
      break;
    }
    if (!IsPythonSpace(text[i]) && text[i] != U'\'') break;
  }
  if (!cased_before) return false;
  for (size_t i = index + 1; i < text.size(); ++i) {
    if (IsCased(text[i])) return false;
    if (!IsPythonSpace(text[i]) && text[i] != U'\'') break;
  }
  return true;
}

std::u32string LowerAll(const std::u32string& text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == U'\u03a3' && IsFinalSigma(text, i)) {
      out.push_back(U'\u03c2');
    } else {
      AppendLower(text[i], &out);
    }
  }
  return out;
}

bool IsLineBreak(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e ||
         c == 0x85 || c == 0x2028 || c == 0x2029;
}

bool IsWordChar(char32_t c) {
  if (c < 0x80)
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  // Approximates Unicode \w: letters, digits and marks, i.e. anything but spaces, punctuation
  // and symbols in the common blocks.
  if (IsPythonSpace(c)) return false;
  if (c <= 0xbf) return c == 0xaa || c == 0xb2 || c == 0xb3 || c == 0xb5 || c == 0xb9 || c == 0xba;
  if (c == 0xd7 || c == 0xf7) return false;
  if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) ||
      (c >= 0xff00 && c <= 0xff0f) || (c >= 0x1f000 && c <= 0x1faff)) {
    return false;
  }
  return true;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t length;
    char32_t c;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xe0) == 0xc0) {
      length = 2;
      c = byte & 0x1f;
    } else if ((byte & 0xf0) == 0xe0) {
      length = 3;
      c = byte & 0x0f;
    } else if ((byte & 0xf8) == 0xf0) {
      length = 4;
      c = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      c = (c << 6) | (next & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::array<char32_t, 5> kMinimum = {0, 0, 0x80, 0x800, 0x10000};
    if (c < kMinimum[length] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80 ? 1 : (byte & 0xe0) == 0xc0 ? 2 : (byte & 0xf0) == 0xe0 ? 3 : 4;
    char32_t c = length == 1   ? byte
                 : length == 2 ? (byte & 0x1f)
                 : length == 3 ? (byte & 0x0f)
                               : (byte & 0x07);
    for (size_t k = 1; k < length && i + k < text.size(); ++k) {
      c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    }
    out.push_back(c);
    i += length;
  }
  return out;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  }
}

std::string EncodeUtf8(std::u32string_view code_points) {
  std::string out;
  out.reserve(code_points.size());
  for (char32_t c : code_points) AppendUtf8(c, &out);
  return out;
}

size_t CodePointCount(std::string_view text) {
  size_t count = 0;
  for (char byte : text) {
    if ((static_cast<unsigned char>(byte) & 0xc0) != 0x80) ++count;
  }
  return count;
}

bool IsPythonSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
         c == 0x205f || c == 0x3000;
}

std::string PythonUpper(std::string_view text) {
  std::u32string out;
  for (char32_t c : DecodeUtf8(text)) AppendUpper(c, &out);
  return EncodeUtf8(out);
}

std::string PythonLower(std::string_view text) { return EncodeUtf8(LowerAll(DecodeUtf8(text))); }

std::string PythonTitle(std::string_view text) {
  std::u32string out;
  bool previous_cased = false;
  for (char32_t c : DecodeUtf8(text)) {
    if (previous_cased) {
      AppendLower(c, &out);
    } else {
      AppendUpper(c, &out);
    }
    previous_cased = IsCased(c);
  }
  return EncodeUtf8(out);
}

std::string PythonCapitalize(std::string_view text) {
  std::u32string code_points = DecodeUtf8(text);
  if (code_points.empty()) return "";
  std::u32string out;
  AppendUpper(code_points[0], &out);
  out += LowerAll(code_points.substr(1));
  return EncodeUtf8(out);
}

std::string JinjaTitle(std::string_view text) {
  // Words start after runs of -, whitespace, (, {, [ or <; each word is upper-cased at its first
  // character and lower-cased after it.
  std::u32string code_points = DecodeUtf8(text);
  std::u32string out;
  bool at_word_start = true;
  std::u32string word;
  auto is_separator = [](char32_t c) {
    return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || IsPythonSpace(c);
  };
  for (char32_t c : code_points) {
    if (is_separator(c)) {
      if (!word.empty()) {
        out += LowerAll(word);
        word.clear();
      }
      out.push_back(c);
      at_word_start = true;
    } else if (at_word_start) {
      AppendUpper(c, &out);
      at_word_start = false;
    } else {
      word.push_back(c);
    }
  }
  out += LowerAll(word);
  return EncodeUtf8(out);
}

bool PythonIsLower(std::string_view text) {
  bool has_cased = false;
  for (char32_t c : DecodeUtf8(text)) {
    if (SimpleUpper(c) != c && SimpleLower(c) == c) has_cased = true;
    if (SimpleLower(c) != c) return false;
  }
  return has_cased;
}

bool PythonIsUpper(std::string_view text) {
  bool has_cased = false;
  for (char32_t c : DecodeUtf8(text)) {
    if (SimpleLower(c) != c && SimpleUpper(c) == c) has_cased = true;
    if (SimpleUpper(c) != c) return false;
  }
  return has_cased;
}

std::string PythonStrip(std::string_view text, const std::optional<std::string>& chars, bool left,
                        bool right) {
  std::u32string code_points = DecodeUtf8(text);
  std::u32string strip_set = chars.has_value() ? DecodeUtf8(*chars) : std::u32string();
  auto strips = [&](char32_t c) {
    return chars.has_value() ? strip_set.find(c) != std::u32string::npos : IsPythonSpace(c);
  };
  size_t begin = 0;
  size_t end = code_points.size();
  if (left) {
    while (begin < end && strips(code_points[begin])) ++begin;
  }
  if (right) {
    while (end > begin && strips(code_points[end - 1])) --end;
  }
  return EncodeUtf8(std::u32string_view(code_points).substr(begin, end - begin));
}

std::vector<std::string> PythonSplit(std::string_view text,
                                     const std::optional<std::string>& separator, int64_t max_split,
                                     bool from_right) {
  std::vector<std::string> parts;
  if (separator.has_value()) {
    const std::string& sep = *separator;
    if (!from_right) {
      size_t start = 0;
      while (max_split < 0 || static_cast<int64_t>(parts.size()) < max_split) {
        size_t found = text.find(sep, start);
        if (found == std::string_view::npos) break;
        parts.emplace_back(text.substr(start, found - start));
        start = found + sep.size();
      }
      parts.emplace_back(text.substr(start));
    } else {
      size_t end = text.size();
      std::vector<std::string> reversed;
      while (max_split < 0 || static_cast<int64_t>(reversed.size()) < max_split) {
        if (end < sep.size()) break;
        size_t found = text.rfind(sep, end - sep.size());
        if (found == std::string_view::npos) break;
        reversed.emplace_back(text.substr(found + sep.size(), end - found - sep.size()));
        end = found;
      }
      reversed.emplace_back(text.substr(0, end));
      parts.assign(reversed.rbegin(), reversed.rend());
    }
    return parts;
  }
  // Whitespace splitting drops empty strings and, once max_split is reached, keeps the rest
  // (stripped only on the side the split started from).
  std::u32string cps = DecodeUtf8(text);
  if (!from_right) {
    size_t i = 0;
    while (true) {
      while (i < cps.size() && IsPythonSpace(cps[i])) ++i;
      if (i == cps.size()) break;
      if (max_split >= 0 && static_cast<int64_t>(parts.size()) == max_split) {
        parts.push_back(EncodeUtf8(std::u32string_view(cps).substr(i)));
        break;
      }
      size_t start = i;
      while (i < cps.size() && !IsPythonSpace(cps[i])) ++i;
      parts.push_back(EncodeUtf8(std::u32string_view(cps).substr(start, i - start)));
    }
    return parts;
  }
  size_t i = cps.size();
  std::vector<std::string> reversed;
  while (true) {
    while (i > 0 && IsPythonSpace(cps[i - 1])) --i;
    if (i == 0) break;
    if (max_split >= 0 && static_cast<int64_t>(reversed.size()) == max_split) {
      reversed.push_back(EncodeUtf8(std::u32string_view(cps).substr(0, i)));
      break;
    }
    size_t end = i;
    while (i > 0 && !IsPythonSpace(cps[i - 1])) --i;
    reversed.push_back(EncodeUtf8(std::u32string_view(cps).substr(i, end - i)));
  }
  parts.assign(reversed.rbegin(), reversed.rend());
  return parts;
}

std::vector<std::string> PythonSplitLines(std::string_view text, bool keep_ends) {
  std::u32string cps = DecodeUtf8(text);
  std::vector<std::string> lines;
  size_t start = 0;
  size_t i = 0;
  while (i < cps.size()) {
    if (!IsLineBreak(cps[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    size_t next = i + 1;
    if (cps[i] == '\r' && next < cps.size() && cps[next] == '\n') ++next;
    lines.push_back(
        EncodeUtf8(std::u32string_view(cps).substr(start, (keep_ends ? next : end) - start)));
    start = next;
    i = next;
  }
  if (start < cps.size()) lines.push_back(EncodeUtf8(std::u32string_view(cps).substr(start)));
  return lines;
}

std::string PythonCenter(std::string_view text, int64_t width) {
  auto length = static_cast<int64_t>(CodePointCount(text));
  if (width <= length) return std::string(text);
  int64_t padding = width - length;
  // CPython: left = pad / 2 + (pad & width & 1).
  int64_t left = padding / 2 + (padding & width & 1);
  return std::string(static_cast<size_t>(left), ' ') + std::string(text) +
         std::string(static_cast<size_t>(padding - left), ' ');
}

std::string PythonReplace(std::string_view text, std::string_view old_text,
                          std::string_view new_text, int64_t count) {
  std::string out;
  if (old_text.empty()) {
    // Inserts `new_text` before every character and at the end.
    std::u32string cps = DecodeUtf8(text);
    int64_t done = 0;
    for (char32_t c : cps) {
      if (count < 0 || done < count) {
        out += new_text;
        ++done;
      }
      AppendUtf8(c, &out);
    }
    if (count < 0 || done < count) out += new_text;
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t found = text.find(old_text, start);
    if (found == std::string_view::npos) break;
    out += text.substr(start, found - start);
    out += new_text;
    start = found + old_text.size();
    ++done;
  }
  out += text.substr(start);
  return out;
}

int64_t PythonFind(std::string_view text, std::string_view needle, bool from_right) {
  size_t found = from_right ? text.rfind(needle) : text.find(needle);
  if (found == std::string_view::npos) return -1;
  return static_cast<int64_t>(CodePointCount(text.substr(0, found)));
}

int64_t PythonCount(std::string_view text, std::string_view needle) {
  if (needle.empty()) return static_cast<int64_t>(CodePointCount(text)) + 1;
  int64_t count = 0;
  size_t start = 0;
  while ((start = text.find(needle, start)) != std::string_view::npos) {
    ++count;
    start += needle.size();
  }
  return count;
}

int64_t WordCount(std::string_view text) {
  int64_t words = 0;
  bool in_word = false;
  for (char32_t c : DecodeUtf8(text)) {
    bool word_char = IsWordChar(c);
    if (word_char && !in_word) ++words;
    in_word = word_char;
  }
  return words;
}

}  // namespace radixlm::engine::jinja
