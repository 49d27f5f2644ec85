#include "src/engine/chat/python_literals.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "src/engine/chat/text.h"

namespace radixlm::engine::jinja {
namespace {

// Characters repr() escapes because str.isprintable() is false for them (categories Cc, Cf, Zs
// other than space, Zl, Zp, Co, Cs and a few noncharacters).
bool IsPrintable(char32_t c) {
  if (c < 0x20 || c == 0x7f) return false;
  if (c < 0x7f) return true;
  static constexpr std::array<std::pair<char32_t, char32_t>, 24> kNonPrintable = {{
      {0x80, 0xa0},       {0xad, 0xad},       {0x600, 0x605},      {0x61c, 0x61c},
      {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x1680, 0x1680},    {0x180e, 0x180e},
      {0x2000, 0x200f},   {0x2028, 0x202f},   {0x205f, 0x2064},    {0x2066, 0x206f},
      {0x3000, 0x3000},   {0xd800, 0xf8ff},   {0xfeff, 0xfeff},    {0xfff9, 0xfffb},
      {0xfffe, 0xffff},   {0x110bd, 0x110bd}, {0x1bca0, 0x1bca3},  {0x1d173, 0x1d17a},
      {0xe0001, 0xe0001}, {0xe0020, 0xe007f}, {0xf0000, 0x10ffff}, {0xfdd0, 0xfdef},
  }};
  for (const auto& [low, high] : kNonPrintable) {
    if (c >= low && c <= high) return false;
  }
  return true;
}

}  // namespace

std::string PythonStringRepr(std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  static constexpr char kHex[] = "0123456789abcdef";
  for (char32_t c : DecodeUtf8(text)) {
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (IsPrintable(c)) {
      AppendUtf8(c, &out);
    } else {
      int digits = c <= 0xff ? 2 : c <= 0xffff ? 4 : 8;
      out += digits == 2 ? "\\x" : digits == 4 ? "\\u" : "\\U";
      for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        out.push_back(kHex[(c >> shift) & 0xf]);
    }
  }
  out.push_back(quote);
  return out;
}

std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest round-trip digits in scientific form: "-d.ddde+XX".
  std::array<char, 64> buffer{};
  auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                              std::chars_format::scientific);
  std::string_view scientific(buffer.data(), static_cast<size_t>(result.ptr - buffer.data()));
  bool negative = scientific.front() == '-';
  if (negative) scientific.remove_prefix(1);
  size_t e_pos = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = std::stoi(std::string(scientific.substr(e_pos + 1)));
  // CPython's decimal point position: value = 0.DIGITS × 10^decimal_point.
  int decimal_point = exponent + 1;
  std::string out = negative ? "-" : "";
  if (decimal_point > -4 && decimal_point <= 16) {
    auto point = static_cast<size_t>(std::max(decimal_point, 0));
    if (decimal_point <= 0) {
      out.append("0.").append(static_cast<size_t>(-decimal_point), '0').append(digits);
    } else if (point >= digits.size()) {
      out.append(digits).append(point - digits.size(), '0').append(".0");
    } else {
      out.append(digits, 0, point).append(1, '.').append(digits, point);
    }
    return out;
  }
  out.append(digits, 0, 1);
  if (digits.size() > 1) out.append(1, '.').append(digits, 1);
  int shown = decimal_point - 1;
  out.append(shown < 0 ? "e-" : "e+");
  std::string magnitude = std::to_string(shown < 0 ? -shown : shown);
  if (magnitude.size() < 2) magnitude.insert(0, 1, '0');
  return out + magnitude;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

namespace {

// Digits of `text` with Python's single underscores between digits removed; nullopt if an
// underscore is misplaced or a character is not a digit of `base`.
std::optional<std::string> DigitsWithoutUnderscores(std::string_view text, int base,
                                                    bool allow_leading_underscore) {
  std::string digits;
  bool previous_digit = allow_leading_underscore;
  for (char c : text) {
    if (c == '_') {
      if (!previous_digit) return std::nullopt;
      previous_digit = false;
      continue;
    }
    int value = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'z') ? c - 'a' + 10
                : (c >= 'A' && c <= 'Z') ? c - 'A' + 10
                                         : 99;
    if (value >= base) return std::nullopt;
    digits.push_back(c);
    previous_digit = true;
  }
  if (digits.empty() || !previous_digit) return std::nullopt;
  return digits;
}

}  // namespace

std::optional<int64_t> ParsePythonInt(std::string_view text, int64_t base) {
  std::string stripped = PythonStrip(text, std::nullopt, true, true);
  std::string_view rest = stripped;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (base != 0 && (base < 2 || base > 36)) return std::nullopt;
  bool prefixed = false;
  if (rest.size() >= 2 && rest[0] == '0') {
    char p = static_cast<char>(rest[1] | 0x20);
    int prefix_base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (prefix_base != 0 && (base == 0 || base == prefix_base)) {
      base = prefix_base;
      rest.remove_prefix(2);
      prefixed = true;
    }
  }
  if (base == 0) {
    // Without a prefix, base 0 means decimal without leading zeros (except zero itself).
    base = 10;
    std::string_view digits = rest;
    if (digits.size() > 1 && digits[0] == '0' &&
        digits.find_first_not_of("0_") != std::string_view::npos) {
      return std::nullopt;
    }
  }
  std::optional<std::string> digits =
      DigitsWithoutUnderscores(rest, static_cast<int>(base), prefixed);
  if (!digits.has_value()) return std::nullopt;
  int64_t value = 0;
  for (char c : *digits) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c | 0x20) - 'a' + 10;
    if (__builtin_mul_overflow(value, base, &value) || __builtin_sub_overflow(value, d, &value)) {
      return std::nullopt;
    }
  }
  // Accumulated negatively so that INT64_MIN parses.
  if (!negative) {
    if (value == INT64_MIN) return std::nullopt;
    value = -value;
  }
  return value;
}

std::optional<double> ParsePythonFloat(std::string_view text) {
  std::string stripped = PythonStrip(text, std::nullopt, true, true);
  std::string_view rest = stripped;
  std::string normalized;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  std::string lower = PythonLower(rest);
  if (lower == "inf" || lower == "infinity") {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (lower == "nan") return std::numeric_limits<double>::quiet_NaN();
  // digits [. digits] [e [sign] digits], with at least one digit before or after the point.
  size_t e = lower.find('e');
  std::string_view mantissa = std::string_view(lower).substr(0, e);
  size_t dot = mantissa.find('.');
  std::string_view whole = mantissa.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  if (!whole.empty()) {
    auto digits = DigitsWithoutUnderscores(whole, 10, false);
    if (!digits.has_value()) return std::nullopt;
    normalized += *digits;
  }
  if (dot != std::string_view::npos) {
    normalized.push_back('.');
    if (!fraction.empty()) {
      auto digits = DigitsWithoutUnderscores(fraction, 10, false);
      if (!digits.has_value()) return std::nullopt;
      normalized += *digits;
    }
  }
  if (e != std::string::npos) {
    std::string_view exponent = std::string_view(lower).substr(e + 1);
    normalized.push_back('e');
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
      normalized.push_back(exponent[0]);
      exponent.remove_prefix(1);
    }
    auto digits = DigitsWithoutUnderscores(exponent, 10, false);
    if (!digits.has_value()) return std::nullopt;
    normalized += *digits;
  }
  double value = 0;
  std::from_chars(normalized.data(), normalized.data() + normalized.size(), value);
  return negative ? -value : value;
}

}  // namespace radixlm::engine::jinja
