// Splits a chat template into tokens the way jinja2's lexer does under transformers' settings
// (trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False): template text outside tags
// becomes data tokens with `-`/`+` whitespace control and both trimming options applied; tags
// become begin/end markers around name, literal and operator tokens; comments vanish; raw blocks
// become data.
#ifndef RADIXLM_SRC_ENGINE_CHAT_LEXER_H_
#define RADIXLM_SRC_ENGINE_CHAT_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace radixlm::engine::jinja {

enum class TokenType {
  kData,           // Template text; `text` holds it.
  kVariableBegin,  // {{
  kVariableEnd,    // }}
  kBlockBegin,     // {%
  kBlockEnd,       // %}
  kName,           // Identifier or keyword; `text`.
  kString,         // String literal; `text` holds the unescaped value.
  kInteger,        // `int_value`.
  kFloat,          // `float_value`.
  kOperator,       // `text`: one of + - * / // % ** ~ == != < <= > >= = | . , : ; ( ) [ ] { }
  kEnd,            // End of the template.
};

struct Token {
  TokenType type;
  std::string text;
  int64_t int_value = 0;
  double float_value = 0;
  size_t offset = 0;  // Byte offset in the normalized source, for error positions.
};

// Maps byte offsets of the normalized source to 1-based line and column (in characters).
class SourcePositions {
 public:
  explicit SourcePositions(std::string_view source);
  int Line(size_t offset) const;
  int Column(size_t offset) const;

 private:
  std::string_view source_;
  std::vector<size_t> line_starts_;
};

// The source as jinja2 lexes it: \r\n and \r become \n, and one trailing newline is dropped.
std::string NormalizeNewlines(std::string_view source);

// Tokenizes a normalized source (see NormalizeNewlines). Errors are kInvalidArgument with the
// line and column of the offending character.
absl::StatusOr<std::vector<Token>> Tokenize(std::string_view source);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_LEXER_H_
