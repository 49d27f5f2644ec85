#include "src/engine/tokenizer/regex.h"

#include <unicode/unistr.h>
#include <unicode/uregex.h>
#include <unicode/utext.h>

#include <optional>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {
namespace {

// Rewrites the Oniguruma escapes whose ICU meaning differs (see the header).
std::string TranslateOnigPattern(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 16);
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '\\' || i + 1 == pattern.size()) {
      out.push_back(c);
      continue;
    }
    const char escaped = pattern[++i];
    switch (escaped) {
      case 's':
        out.append("\\p{White_Space}");
        break;
      case 'S':
        out.append("\\P{White_Space}");
        break;
      case 'h':
        out.append("[0-9A-Fa-f]");
        break;
      case 'H':
        out.append("[^0-9A-Fa-f]");
        break;
      default:
        out.push_back('\\');
        out.push_back(escaped);
    }
  }
  return out;
}

std::string EscapeLiteral(std::string_view literal) {
  // \Q...\E quotes everything but a literal "\E", which is spliced in escaped.
  std::string out = "\\Q";
  size_t pos = 0;
  while (true) {
    const size_t end_quote = literal.find("\\E", pos);
    if (end_quote == std::string_view::npos) break;
    out.append(literal.substr(pos, end_quote - pos));
    out.append("\\E\\\\E\\Q");
    pos = end_quote + 2;
  }
  out.append(literal.substr(pos));
  out.append("\\E");
  return out;
}

absl::StatusOr<URegularExpression*> CompileIcu(std::string_view icu_pattern,
                                               std::string_view shown_pattern) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error{};
  const icu::UnicodeString utf16 = icu::UnicodeString::fromUTF8(
      icu::StringPiece(icu_pattern.data(), static_cast<int32_t>(icu_pattern.size())));
  URegularExpression* compiled =
      uregex_open(utf16.getBuffer(), utf16.length(), UREGEX_MULTILINE | UREGEX_UNIX_LINES,
                  &parse_error, &status);
  if (U_FAILURE(status)) {
    if (compiled != nullptr) uregex_close(compiled);
    return absl::InvalidArgumentError(
        StrCat("regex pattern \"", shown_pattern, "\" does not compile (", u_errorName(status),
               " near offset ", parse_error.offset, "); fix the pattern in tokenizer.json"));
  }
  return compiled;
}

}  // namespace

absl::StatusOr<OnigRegex> OnigRegex::Compile(std::string_view pattern) {
  if (FindInvalidUtf8(pattern) != std::string_view::npos) {
    return absl::InvalidArgumentError("regex pattern is not valid UTF-8");
  }
  auto compiled = CompileIcu(TranslateOnigPattern(pattern), pattern);
  if (!compiled.ok()) return compiled.status();
  return OnigRegex(std::string(pattern), *compiled, /*literal=*/false);
}

absl::StatusOr<OnigRegex> OnigRegex::CompileLiteral(std::string_view literal) {
  if (FindInvalidUtf8(literal) != std::string_view::npos) {
    return absl::InvalidArgumentError("pattern string is not valid UTF-8");
  }
  auto compiled = CompileIcu(EscapeLiteral(literal), literal);
  if (!compiled.ok()) return compiled.status();
  return OnigRegex(std::string(literal), *compiled, /*literal=*/!literal.empty());
}

OnigRegex::OnigRegex(std::string pattern, URegularExpression* compiled, bool literal)
    : pattern_(std::move(pattern)), compiled_(compiled), literal_(literal) {}

OnigRegex::OnigRegex(OnigRegex&& other) noexcept
    : pattern_(std::move(other.pattern_)),
      compiled_(std::exchange(other.compiled_, nullptr)),
      literal_(other.literal_) {}

OnigRegex& OnigRegex::operator=(OnigRegex&& other) noexcept {
  if (this != &other) {
    if (compiled_ != nullptr) uregex_close(compiled_);
    pattern_ = std::move(other.pattern_);
    compiled_ = std::exchange(other.compiled_, nullptr);
    literal_ = other.literal_;
  }
  return *this;
}

OnigRegex::~OnigRegex() {
  if (compiled_ != nullptr) uregex_close(compiled_);
}

void OnigRegex::FindMatches(std::string_view text, std::vector<MatchSpan>* spans) const {
  if (text.empty()) {
    spans->push_back({0, 0, false});
    return;
  }
  if (literal_) {
    size_t previous_end = 0;
    for (size_t found = text.find(pattern_); found != std::string_view::npos;
         found = text.find(pattern_, found + pattern_.size())) {
      if (found != previous_end) spans->push_back({previous_end, found, false});
      spans->push_back({found, found + pattern_.size(), true});
      previous_end = found + pattern_.size();
    }
    if (previous_end != text.size()) spans->push_back({previous_end, text.size(), false});
    return;
  }
  UErrorCode status = U_ZERO_ERROR;
  URegularExpression* matcher = uregex_clone(compiled_, &status);
  UText* utext = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
  uregex_setUText(matcher, utext, &status);
  size_t previous_end = 0;
  int64_t search_from = 0;
  std::optional<int64_t> last_match_end;
  const auto length = static_cast<int64_t>(text.size());
  while (U_SUCCESS(status) && search_from <= length &&
         uregex_find64(matcher, search_from, &status)) {
    const int64_t begin = uregex_start64(matcher, 0, &status);
    const int64_t end = uregex_end64(matcher, 0, &status);
    if (U_FAILURE(status)) break;
    if (begin == end && last_match_end == end) {
      // The onig crate never yields an empty match right where the previous match ended; it
      // steps one character forward instead.
      if (end >= length) break;
      search_from = end + static_cast<int64_t>(Utf8CharLength(text, static_cast<size_t>(end)));
      continue;
    }
    search_from = end;
    last_match_end = end;
    if (static_cast<size_t>(begin) != previous_end) {
      spans->push_back({previous_end, static_cast<size_t>(begin), false});
    }
    spans->push_back({static_cast<size_t>(begin), static_cast<size_t>(end), true});
    previous_end = static_cast<size_t>(end);
  }
  if (previous_end != text.size()) spans->push_back({previous_end, text.size(), false});
  utext_close(utext);
  uregex_close(matcher);
}

}  // namespace radixlm::engine::internal
