// Invariants: tokens come out in source order; every kVariableBegin/kBlockBegin is followed by
// the tag's tokens and then its end marker, unless the source ends inside the tag (the parser
// reports that); data tokens are never empty.
#include "src/engine/chat/lexer.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/chat/python_literals.h"
#include "src/engine/chat/text.h"

namespace radixlm::engine::jinja {
namespace {

// Decodes the code point at `pos`; `length` receives its byte length.
char32_t CodePointAt(std::string_view s, size_t pos, size_t* length) {
  auto byte = static_cast<unsigned char>(s[pos]);
  size_t n = byte < 0x80 ? 1 : (byte & 0xe0) == 0xc0 ? 2 : (byte & 0xf0) == 0xe0 ? 3 : 4;
  n = std::min(n, s.size() - pos);
  *length = n;
  return DecodeUtf8(s.substr(pos, n)).front();
}

// Position after the run of (Unicode) whitespace starting at `pos`.
size_t SkipSpace(std::string_view s, size_t pos) {
  while (pos < s.size()) {
    size_t length;
    if (!IsPythonSpace(CodePointAt(s, pos, &length))) break;
    pos += length;
  }
  return pos;
}

// Length of `text` without its trailing whitespace (Python's str.rstrip()).
size_t RightStrippedLength(std::string_view text) {
  std::u32string code_points = DecodeUtf8(text);
  size_t end = code_points.size();
  while (end > 0 && IsPythonSpace(code_points[end - 1])) --end;
  return EncodeUtf8(std::u32string_view(code_points).substr(0, end)).size();
}

bool IsAllSpace(std::string_view text) {
  return !text.empty() && SkipSpace(text, 0) == text.size();
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source), positions_(source) {}

  absl::StatusOr<std::vector<Token>> Run() {
    size_t pos = 0;
    while (pos < source_.size()) {
      size_t tag = FindTagStart(pos);
      if (tag == std::string_view::npos) {
        EmitData(source_.substr(pos), pos);
        break;
      }
      char kind = source_[tag + 1];
      char sign = tag + 2 < source_.size() && (source_[tag + 2] == '-' || source_[tag + 2] == '+')
                      ? source_[tag + 2]
                      : '\0';
      size_t after_sign = tag + 2 + (sign != '\0' ? 1 : 0);
      std::optional<size_t> raw_end = kind == '%' ? MatchRawBegin(after_sign) : std::nullopt;
      EmitData(ApplyWhitespaceControl(source_.substr(pos, tag - pos), sign, kind != '{'), pos);
      absl::StatusOr<size_t> next;
      if (raw_end.has_value()) {
        next = LexRaw(*raw_end, tag);
      } else if (kind == '#') {
        next = LexComment(after_sign, tag);
      } else {
        next = LexTag(kind == '{', after_sign, tag);
      }
      if (!next.ok()) return next.status();
      pos = *next;
    }
    tokens_.push_back(Token{TokenType::kEnd, "", 0, 0, source_.size()});
    return std::move(tokens_);
  }

 private:
  absl::Status Error(size_t offset, std::string_view message) const {
    return absl::InvalidArgumentError(StrCat("chat template syntax error at line ",
                                             positions_.Line(offset), ", column ",
                                             positions_.Column(offset), ": ", message));
  }

  size_t FindTagStart(size_t pos) const {
    while (true) {
      pos = source_.find('{', pos);
      if (pos == std::string_view::npos || pos + 1 >= source_.size()) return std::string_view::npos;
      char next = source_[pos + 1];
      if (next == '{' || next == '%' || next == '#') return pos;
      ++pos;
    }
  }

  // jinja2's OptionalLStrip: `-` strips all whitespace before the tag; otherwise, for block and
  // comment tags (lstrip_blocks), whitespace between the start of the line and the tag goes.
  std::string_view ApplyWhitespaceControl(std::string_view text, char sign, bool lstrip) const {
    if (sign == '-') return text.substr(0, RightStrippedLength(text));
    if (sign == '+' || !lstrip) return text;
    size_t newline = text.rfind('\n');
    size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
    if ((line_start > 0 || line_starting_) && IsAllSpace(text.substr(line_start))) {
      return text.substr(0, line_start);
    }
    return text;
  }

  void EmitData(std::string_view text, size_t offset) {
    if (!text.empty()) tokens_.push_back(Token{TokenType::kData, std::string(text), 0, 0, offset});
  }

  // Matches `\s*raw\s*(-%}\s*|%})` at `pos`; returns the position after it.
  std::optional<size_t> MatchRawBegin(size_t pos) const {
    pos = SkipSpace(source_, pos);
    if (source_.substr(pos, 3) != "raw") return std::nullopt;
    pos = SkipSpace(source_, pos + 3);
    if (source_.substr(pos, 3) == "-%}") return SkipSpace(source_, pos + 3);
    if (source_.substr(pos, 2) == "%}") return pos + 2;
    return std::nullopt;
  }

  // Matches a block end (`+%}`, `-%}` plus whitespace, `%}` plus one newline) at `pos`.
  std::optional<size_t> MatchBlockEnd(size_t pos) const {
    if (source_.substr(pos, 3) == "+%}") return pos + 3;
    if (source_.substr(pos, 3) == "-%}") return SkipSpace(source_, pos + 3);
    if (source_.substr(pos, 2) == "%}") {
      pos += 2;
      if (pos < source_.size() && source_[pos] == '\n') ++pos;  // trim_blocks
      return pos;
    }
    return std::nullopt;
  }

  void NoteMatchEnd(size_t end) { line_starting_ = end > 0 && source_[end - 1] == '\n'; }

  absl::StatusOr<size_t> LexComment(size_t pos, size_t tag) {
    for (size_t i = pos; i < source_.size(); ++i) {
      std::optional<size_t> end;
      if (source_.substr(i, 3) == "+#}") {
        end = i + 3;
      } else if (source_.substr(i, 3) == "-#}") {
        end = SkipSpace(source_, i + 3);
      } else if (source_.substr(i, 2) == "#}") {
        end = i + 2;
        if (*end < source_.size() && source_[*end] == '\n') ++*end;
      }
      if (end.has_value()) {
        NoteMatchEnd(*end);
        return *end;
      }
    }
    return Error(tag, "missing end of comment tag '#}'");
  }

  absl::StatusOr<size_t> LexRaw(size_t pos, size_t tag) {
    line_starting_ = pos > 0 && source_[pos - 1] == '\n';
    for (size_t i = pos; i + 1 < source_.size(); ++i) {
      if (source_[i] != '{' || source_[i + 1] != '%') continue;
      size_t j = i + 2;
      char sign =
          j < source_.size() && (source_[j] == '-' || source_[j] == '+') ? source_[j] : '\0';
      if (sign != '\0') ++j;
      j = SkipSpace(source_, j);
      if (source_.substr(j, 6) != "endraw") continue;
      std::optional<size_t> end = MatchBlockEnd(SkipSpace(source_, j + 6));
      if (!end.has_value()) continue;
      EmitData(ApplyWhitespaceControl(source_.substr(pos, i - pos), sign, true), pos);
      NoteMatchEnd(*end);
      return *end;
    }
    return Error(tag, "missing end of raw directive; expected {% endraw %}");
  }

  absl::StatusOr<size_t> LexTag(bool variable, size_t pos, size_t tag) {
    tokens_.push_back(
        Token{variable ? TokenType::kVariableBegin : TokenType::kBlockBegin, "", 0, 0, tag});
    std::vector<char> balance;
    while (pos < source_.size()) {
      if (balance.empty()) {
        std::optional<size_t> end;
        if (variable) {
          if (source_.substr(pos, 3) == "-}}") {
            end = SkipSpace(source_, pos + 3);
          } else if (source_.substr(pos, 2) == "}}") {
            end = pos + 2;
          }
        } else {
          end = MatchBlockEnd(pos);
        }
        if (end.has_value()) {
          tokens_.push_back(
              Token{variable ? TokenType::kVariableEnd : TokenType::kBlockEnd, "", 0, 0, pos});
          NoteMatchEnd(*end);
          return *end;
        }
      }
      size_t skipped = SkipSpace(source_, pos);
      if (skipped != pos) {
        pos = skipped;
        continue;
      }
      absl::StatusOr<size_t> next = LexInnerToken(pos, &balance);
      if (!next.ok()) return next.status();
      pos = *next;
    }
    // The source ended inside the tag: the parser reports what it expected.
    return pos;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  // `(\d+_)*\d+` at `pos`; returns its end or npos.
  size_t MatchDigits(size_t pos) const {
    size_t i = pos;
    if (i >= source_.size() || !IsDigit(source_[i])) return std::string_view::npos;
    while (true) {
      while (i < source_.size() && IsDigit(source_[i])) ++i;
      if (i + 1 < source_.size() && source_[i] == '_' && IsDigit(source_[i + 1])) {
        ++i;
        continue;
      }
      return i;
    }
  }

  // jinja2's float_re; returns the end of the literal or npos.
  size_t MatchFloat(size_t pos) const {
    if (pos > 0 && source_[pos - 1] == '.') return std::string_view::npos;
    size_t i = MatchDigits(pos);
    if (i == std::string_view::npos) return i;
    size_t fraction_end = std::string_view::npos;
    if (i < source_.size() && source_[i] == '.') fraction_end = MatchDigits(i + 1);
    size_t mantissa_end = fraction_end != std::string_view::npos ? fraction_end : i;
    if (mantissa_end < source_.size() && (source_[mantissa_end] | 0x20) == 'e') {
      size_t e = mantissa_end + 1;
      if (e < source_.size() && (source_[e] == '+' || source_[e] == '-')) ++e;
      size_t exponent_end = MatchDigits(e);
      if (exponent_end != std::string_view::npos) return exponent_end;
    }
    return fraction_end;
  }

  // jinja2's integer_re (binary, octal, hex, decimal, zero); returns the end or npos.
  size_t MatchInteger(size_t pos, int* base) const {
    auto digit_run = [&](size_t i, auto is_digit) {
      size_t start = i;
      while (true) {
        size_t j = i;
        if (j < source_.size() && source_[j] == '_') ++j;
        if (j < source_.size() && is_digit(source_[j])) {
          i = j + 1;
        } else {
          return i == start ? std::string_view::npos : i;
        }
      }
    };
    if (source_[pos] == '0' && pos + 1 < source_.size()) {
      char prefix = static_cast<char>(source_[pos + 1] | 0x20);
      size_t end = std::string_view::npos;
      if (prefix == 'b') {
        *base = 2;
        end = digit_run(pos + 2, [](char c) { return c == '0' || c == '1'; });
      } else if (prefix == 'o') {
        *base = 8;
        end = digit_run(pos + 2, [](char c) { return c >= '0' && c <= '7'; });
      } else if (prefix == 'x') {
        *base = 16;
        end = digit_run(pos + 2,
                        [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
      }
      if (end != std::string_view::npos) return end;
    }
    *base = 10;
    if (source_[pos] == '0') {
      size_t end = digit_run(pos + 1, [](char c) { return c == '0'; });
      return end == std::string_view::npos ? pos + 1 : end;
    }
    if (!IsDigit(source_[pos])) return std::string_view::npos;
    size_t end = digit_run(pos + 1, IsDigit);
    return end == std::string_view::npos ? pos + 1 : end;
  }

  absl::StatusOr<size_t> LexInnerToken(size_t pos, std::vector<char>* balance) {
    char c = source_[pos];
    if (size_t end = MatchFloat(pos); end != std::string_view::npos) {
      std::string digits;
      for (char d : source_.substr(pos, end - pos)) {
        if (d != '_') digits.push_back(d);
      }
      double value = 0;
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
      tokens_.push_back(Token{TokenType::kFloat, std::move(digits), 0, value, pos});
      return end;
    }
    int base = 10;
    if (size_t end = MatchInteger(pos, &base); end != std::string_view::npos) {
      std::string digits;
      for (char d : source_.substr(pos + (base == 10 ? 0 : 2), end - pos - (base == 10 ? 0 : 2))) {
        if (d != '_') digits.push_back(d);
      }
      int64_t value = 0;
      auto [ptr, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
      if (error != std::errc() || ptr != digits.data() + digits.size()) {
        return Error(pos, "integer literal does not fit in 64 bits");
      }
      tokens_.push_back(
          Token{TokenType::kInteger, std::string(source_.substr(pos, end - pos)), value, 0, pos});
      return end;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_') {
      size_t end = pos + 1;
      while (end < source_.size() &&
             (std::isalnum(static_cast<unsigned char>(source_[end])) != 0 || source_[end] == '_')) {
        ++end;
      }
      if (end < source_.size() && static_cast<unsigned char>(source_[end]) >= 0x80) {
        return Error(end, "non-ASCII identifiers are not supported in chat templates");
      }
      tokens_.push_back(
          Token{TokenType::kName, std::string(source_.substr(pos, end - pos)), 0, 0, pos});
      return end;
    }
    if (c == '\'' || c == '"') return LexString(pos);
    static constexpr std::string_view kTwoCharOperators[] = {"//", "**", "==", "!=", ">=", "<="};
    for (std::string_view op : kTwoCharOperators) {
      if (source_.substr(pos, 2) == op) {
        tokens_.push_back(Token{TokenType::kOperator, std::string(op), 0, 0, pos});
        return pos + 2;
      }
    }
    if (std::string_view("+-/*%~[](){}|.,:;=<>").find(c) != std::string_view::npos) {
      if (c == '(' || c == '[' || c == '{') {
        balance->push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
      } else if (c == ')' || c == ']' || c == '}') {
        if (balance->empty()) return Error(pos, StrCat("unexpected '", std::string(1, c), "'"));
        char expected = balance->back();
        balance->pop_back();
        if (expected != c) {
          return Error(pos, StrCat("unexpected '", std::string(1, c), "', expected '",
                                   std::string(1, expected), "'"));
        }
      }
      tokens_.push_back(Token{TokenType::kOperator, std::string(1, c), 0, 0, pos});
      return pos + 1;
    }
    size_t length;
    char32_t code_point = CodePointAt(source_, pos, &length);
    std::string shown;
    AppendUtf8(code_point, &shown);
    return Error(pos, StrCat("unexpected character ", PythonStringRepr(shown)));
  }

  // A quoted literal, unescaped as Python's "unicode-escape" codec does.
  absl::StatusOr<size_t> LexString(size_t pos) {
    char quote = source_[pos];
    size_t i = pos + 1;
    while (i < source_.size() && source_[i] != quote) i += source_[i] == '\\' ? 2 : 1;
    if (i >= source_.size()) return Error(pos, "unterminated string literal");
    std::string_view body = source_.substr(pos + 1, i - pos - 1);
    std::string value;
    for (size_t k = 0; k < body.size(); ++k) {
      if (body[k] != '\\' || k + 1 >= body.size()) {
        value.push_back(body[k]);
        continue;
      }
      char e = body[++k];
      auto hex_escape = [&](size_t digits, std::string_view name) -> absl::Status {
        uint32_t code_point = 0;
        for (size_t d = 1; d <= digits; ++d) {
          char h = k + d < body.size() ? body[k + d] : '\0';
          if (std::isxdigit(static_cast<unsigned char>(h)) == 0) {
            return Error(pos, StrCat("truncated ", name, " escape"));
          }
          int nibble =
              std::isdigit(static_cast<unsigned char>(h)) != 0 ? h - '0' : (h | 0x20) - 'a' + 10;
          code_point = code_point * 16 + static_cast<uint32_t>(nibble);
        }
        if (code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff)) {
          return Error(pos, "illegal Unicode character in string escape");
        }
        AppendUtf8(code_point, &value);
        k += digits;
        return absl::OkStatus();
      };
      absl::Status escape_status;
      switch (e) {
        case '\n':
          break;  // Line continuation.
        case '\\':
        case '\'':
        case '"':
          value.push_back(e);
          break;
        case 'a':
          value.push_back('\a');
          break;
        case 'b':
          value.push_back('\b');
          break;
        case 'f':
          value.push_back('\f');
          break;
        case 'n':
          value.push_back('\n');
          break;
        case 'r':
          value.push_back('\r');
          break;
        case 't':
          value.push_back('\t');
          break;
        case 'v':
          value.push_back('\v');
          break;
        case 'x':
          escape_status = hex_escape(2, "\\xXX");
          break;
        case 'u':
          escape_status = hex_escape(4, "\\uXXXX");
          break;
        case 'U':
          escape_status = hex_escape(8, "\\UXXXXXXXX");
          break;
        case 'N':
          return Error(pos, "\\N{...} escapes are not supported in chat templates");
        default:
          if (e >= '0' && e <= '7') {
            uint32_t code_point = static_cast<uint32_t>(e - '0');
            for (int d = 0;
                 d < 2 && k + 1 < body.size() && body[k + 1] >= '0' && body[k + 1] <= '7'; ++d) {
              code_point = code_point * 8 + static_cast<uint32_t>(body[++k] - '0');
            }
            AppendUtf8(code_point, &value);
          } else {
            // Unknown escapes keep their backslash.
            value.push_back('\\');
            value.push_back(e);
          }
      }
      if (!escape_status.ok()) return escape_status;
    }
    tokens_.push_back(Token{TokenType::kString, std::move(value), 0, 0, pos});
    return i + 1;
  }

  std::string_view source_;
  SourcePositions positions_;
  std::vector<Token> tokens_;
  bool line_starting_ = true;
};

}  // namespace

SourcePositions::SourcePositions(std::string_view source) : source_(source) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\n') line_starts_.push_back(i + 1);
  }
}

int SourcePositions::Line(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<int>(it - line_starts_.begin());
}

int SourcePositions::Column(size_t offset) const {
  size_t start = line_starts_[static_cast<size_t>(Line(offset) - 1)];
  offset = std::min(offset, source_.size());
  return static_cast<int>(CodePointCount(source_.substr(start, offset - start))) + 1;
}

std::string NormalizeNewlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out.push_back(source[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

absl::StatusOr<std::vector<Token>> Tokenize(std::string_view source) { return Lexer(source).Run(); }

}  // namespace radixlm::engine::jinja
