// Recursive-descent parser from tokens to the syntax tree, following jinja2's grammar
// (jinja2/parser.py) so that operator precedence, filter binding (`a + b|trim` trims b only),
// tests without parentheses (`x is divisibleby 3`) and tuple/slice forms parse as they do there.
#ifndef RADIXLM_SRC_ENGINE_CHAT_PARSER_H_
#define RADIXLM_SRC_ENGINE_CHAT_PARSER_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/chat/ast.h"
#include "src/engine/chat/lexer.h"

namespace radixlm::engine::jinja {

// Parses a normalized template source (see NormalizeNewlines). Syntax errors, unknown filters or
// tests, and constructs this interpreter does not support are kInvalidArgument naming the line
// and column and what was expected.
absl::StatusOr<StmtList> ParseTemplate(std::string_view source);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_PARSER_H_
