// The parser's state, shared by its statement half (parser.cc) and its expression half
// (parse_expression.cc). Method names follow jinja2/parser.py.
#ifndef RADIXLM_SRC_ENGINE_CHAT_PARSER_INTERNAL_H_
#define RADIXLM_SRC_ENGINE_CHAT_PARSER_INTERNAL_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/chat/ast.h"
#include "src/engine/chat/lexer.h"

namespace radixlm::engine::jinja {

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view source)
      : tokens_(std::move(tokens)), positions_(source) {}

  absl::StatusOr<StmtList> ParseTemplate();

  // Expressions (parse_expression.cc).
  absl::StatusOr<ExprPtr> ParseExpression(bool with_conditional = true);
  absl::StatusOr<ExprPtr> ParseTuple(bool simplified, bool with_conditional,
                                     std::initializer_list<std::string_view> extra_end_names,
                                     bool explicit_parentheses);
  // Filters after `|` (or, with `inline_start`, a bare filter name as in {% filter x %}).
  absl::StatusOr<ExprPtr> ParseFilter(ExprPtr input, bool inline_start);
  absl::StatusOr<AssignTarget> ParseAssignTarget(bool with_tuple, bool name_only,
                                                 std::initializer_list<std::string_view> end_names,
                                                 bool with_namespace);

 private:
  // Statements (parser.cc).
  absl::StatusOr<StmtList> Subparse(std::initializer_list<std::string_view> end_tags,
                                    std::string_view block, int block_line);
  absl::StatusOr<StmtList> ParseBlockBody(std::initializer_list<std::string_view> end_tags,
                                          std::string_view block, int block_line);
  absl::StatusOr<std::unique_ptr<Stmt>> ParseStatement();
  absl::StatusOr<std::unique_ptr<Stmt>> ParseFor(int line);
  absl::StatusOr<std::unique_ptr<Stmt>> ParseIf(int line);
  absl::StatusOr<std::unique_ptr<Stmt>> ParseSet(int line);
  absl::StatusOr<std::unique_ptr<Stmt>> ParseMacro(int line);
  absl::StatusOr<std::unique_ptr<Stmt>> ParseCallBlock(int line);
  absl::StatusOr<std::unique_ptr<Stmt>> ParseWith(int line);
  absl::Status ParseSignature(MacroStmt* macro);
  absl::StatusOr<std::vector<ExprPtr>> ParseFilterChain(bool inline_start);

  // Expression levels (parse_expression.cc).
  absl::StatusOr<ExprPtr> ParseConditional();
  absl::StatusOr<ExprPtr> ParseOr();
  absl::StatusOr<ExprPtr> ParseAnd();
  absl::StatusOr<ExprPtr> ParseNot();
  absl::StatusOr<ExprPtr> ParseCompare();
  absl::StatusOr<ExprPtr> ParseMath1();
  absl::StatusOr<ExprPtr> ParseConcat();
  absl::StatusOr<ExprPtr> ParseMath2();
  absl::StatusOr<ExprPtr> ParsePow();
  absl::StatusOr<ExprPtr> ParseUnary(bool with_filter);
  absl::StatusOr<ExprPtr> ParsePrimary();
  absl::StatusOr<ExprPtr> ParseList();
  absl::StatusOr<ExprPtr> ParseDict();
  absl::StatusOr<ExprPtr> ParsePostfix(ExprPtr node);
  absl::StatusOr<ExprPtr> ParseFilterExpr(ExprPtr node);
  absl::StatusOr<ExprPtr> ParseSubscript(ExprPtr node);
  absl::StatusOr<ExprPtr> ParseSubscribed();
  absl::StatusOr<ExprPtr> ParseTest(ExprPtr node);
  absl::StatusOr<CallArguments> ParseCallArgs();
  absl::StatusOr<std::string> ParseDottedName();

 public:
  // Token access and errors, shared by both halves.
  const Token& Current() const { return tokens_[index_]; }
  const Token& Look() const { return tokens_[std::min(index_ + 1, tokens_.size() - 1)]; }
  void Advance() {
    if (index_ + 1 < tokens_.size()) ++index_;
  }
  bool AtName(std::string_view name) const {
    return Current().type == TokenType::kName && Current().text == name;
  }
  bool AtOperator(std::string_view op) const {
    return Current().type == TokenType::kOperator && Current().text == op;
  }
  bool SkipOperator(std::string_view op) {
    if (!AtOperator(op)) return false;
    Advance();
    return true;
  }
  bool SkipName(std::string_view name) {
    if (!AtName(name)) return false;
    Advance();
    return true;
  }
  absl::Status ExpectOperator(std::string_view op);
  absl::StatusOr<std::string> ExpectName();
  absl::Status ExpectBlockEnd();
  int Line() const { return positions_.Line(Current().offset); }
  absl::Status Error(const Token& at, std::string_view message) const;
  static std::string Describe(const Token& token);
  // Finishes a node: sets its line and depth, refusing trees too deep to evaluate safely.
  absl::StatusOr<ExprPtr> Make(int line, decltype(Expr::node) node);

 private:
  std::vector<Token> tokens_;
  size_t index_ = 0;
  SourcePositions positions_;
  int nesting_ = 0;     // Open blocks and parenthesised expressions.
  int loop_depth_ = 0;  // Enclosing for-loop bodies in the current macro (for break/continue).
  std::vector<MacroStmt*> macros_;  // Macros being parsed, for their caller/kwargs/varargs use.

  friend class NestingGuard;
};

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_PARSER_INTERNAL_H_
