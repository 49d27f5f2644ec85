// The statement half of the parser: template data, output tags and block tags.
#include "src/engine/chat/parser.h"

#include <algorithm>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/chat/parser_internal.h"
#include "src/engine/chat/status_macros.h"

namespace radixlm::engine::jinja {
namespace {

// Deeper nesting of blocks is refused: rendering recurses once per level.
constexpr int kMaxBlockNesting = 100;

std::string QuoteList(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += " or ";
    out += StrCat("'", name, "'");
  }
  return out;
}

std::unique_ptr<Stmt> MakeStmt(int line, decltype(Stmt::node) node) {
  auto stmt = std::make_unique<Stmt>();
  stmt->line = line;
  stmt->node = std::move(node);
  return stmt;
}

}  // namespace

std::string Parser::Describe(const Token& token) {
  switch (token.type) {
    case TokenType::kData:
      return "template data";
    case TokenType::kVariableBegin:
      return "'{{'";
    case TokenType::kVariableEnd:
      return "end of print statement '}}'";
    case TokenType::kBlockBegin:
      return "'{%'";
    case TokenType::kBlockEnd:
      return "end of statement block '%}'";
    case TokenType::kName:
    case TokenType::kOperator:
    case TokenType::kInteger:
    case TokenType::kFloat:
      return StrCat("'", token.text, "'");
    case TokenType::kString:
      return "string literal";
    case TokenType::kEnd:
      return "end of template";
  }
  return "token";
}

absl::Status Parser::Error(const Token& at, std::string_view message) const {
  return absl::InvalidArgumentError(StrCat("chat template syntax error at line ",
                                           positions_.Line(at.offset), ", column ",
                                           positions_.Column(at.offset), ": ", message));
}

absl::Status Parser::ExpectOperator(std::string_view op) {
  if (SkipOperator(op)) return absl::OkStatus();
  return Error(Current(), StrCat("expected '", op, "', got ", Describe(Current())));
}

absl::StatusOr<std::string> Parser::ExpectName() {
  if (Current().type != TokenType::kName) {
    return Error(Current(), StrCat("expected a name, got ", Describe(Current())));
  }
  std::string name = Current().text;
  Advance();
  return name;
}

absl::Status Parser::ExpectBlockEnd() {
  if (Current().type == TokenType::kBlockEnd) {
    Advance();
    return absl::OkStatus();
  }
  return Error(Current(),
               StrCat("expected end of statement block '%}', got ", Describe(Current())));
}

absl::StatusOr<StmtList> Parser::ParseTemplate() {
  CHAT_ASSIGN_OR_RETURN(StmtList body, Subparse({}, "", 0));
  if (Current().type != TokenType::kEnd) {
    return Error(Current(), StrCat("unexpected '", Current().text, "' tag outside of any block"));
  }
  return body;
}

// Parses until a block tag named in `end_tags` (left current, after its '{%') or the end of the
// template (an error when `end_tags` is not empty).
absl::StatusOr<StmtList> Parser::Subparse(std::initializer_list<std::string_view> end_tags,
                                          std::string_view block, int block_line) {
  StmtList body;
  while (true) {
    const Token& token = Current();
    switch (token.type) {
      case TokenType::kData:
        body.push_back(MakeStmt(Line(), TextStmt{token.text}));
        Advance();
        break;
      case TokenType::kVariableBegin: {
        int line = Line();
        Advance();
        CHAT_ASSIGN_OR_RETURN(ExprPtr expr, ParseTuple(false, true, {}, false));
        if (Current().type != TokenType::kVariableEnd) {
          return Error(Current(),
                       StrCat("expected end of print statement '}}', got ", Describe(Current())));
        }
        Advance();
        body.push_back(MakeStmt(line, OutputStmt{std::move(expr)}));
        break;
      }
      case TokenType::kBlockBegin: {
        Advance();
        if (Current().type == TokenType::kName &&
            std::find(end_tags.begin(), end_tags.end(), Current().text) != end_tags.end()) {
          return body;
        }
        if (Current().type == TokenType::kName && Current().text.rfind("end", 0) == 0 &&
            end_tags.size() == 0) {
          return Error(Current(),
                       StrCat("unexpected '", Current().text, "': no block is open to close"));
        }
        if (Current().type == TokenType::kName && end_tags.size() > 0 &&
            (Current().text.rfind("end", 0) == 0 || Current().text == "elif" ||
             Current().text == "else")) {
          return Error(Current(),
                       StrCat("unexpected '", Current().text, "'; expected ", QuoteList(end_tags),
                              " to close the '", block, "' block opened at line ", block_line));
        }
        CHAT_ASSIGN_OR_RETURN(std::unique_ptr<Stmt> stmt, ParseStatement());
        body.push_back(std::move(stmt));
        break;
      }
      case TokenType::kEnd:
        if (end_tags.size() == 0) return body;
        return Error(token,
                     StrCat("unexpected end of template; expected ", QuoteList(end_tags),
                            " to close the '", block, "' block opened at line ", block_line));
      default:
        return Error(token, StrCat("unexpected ", Describe(token)));
    }
  }
}

// Subparse, then consume the end tag that stopped it (and its '%}' for tags taking no arguments).
absl::StatusOr<StmtList> Parser::ParseBlockBody(std::initializer_list<std::string_view> end_tags,
                                                std::string_view block, int block_line) {
  if (++nesting_ > kMaxBlockNesting) {
    return Error(Current(), StrCat("blocks nested more than ", kMaxBlockNesting, " levels deep"));
  }
  absl::StatusOr<StmtList> body = Subparse(end_tags, block, block_line);
  --nesting_;
  return body;
}

absl::StatusOr<std::unique_ptr<Stmt>> Parser::ParseStatement() {
  const Token token = Current();
  if (token.type != TokenType::kName) return Error(token, "tag name expected");
  int line = Line();
  const std::string& tag = token.text;
  if (tag == "for") return ParseFor(line);
  if (tag == "if") return ParseIf(line);
  if (tag == "set") return ParseSet(line);
  if (tag == "macro") return ParseMacro(line);
  if (tag == "call") return ParseCallBlock(line);
  if (tag == "with") return ParseWith(line);
  if (tag == "print") {
    Advance();
    CHAT_ASSIGN_OR_RETURN(ExprPtr expr, ParseTuple(false, true, {}, false));
    CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
    return MakeStmt(line, OutputStmt{std::move(expr)});
  }
  if (tag == "break" || tag == "continue") {
    if (loop_depth_ == 0) return Error(token, StrCat("'", tag, "' outside of a for loop"));
    Advance();
    CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
    if (tag == "break") return MakeStmt(line, BreakStmt{});
    return MakeStmt(line, ContinueStmt{});
  }
  if (tag == "filter") {
    Advance();
    FilterBlockStmt block;
    CHAT_ASSIGN_OR_RETURN(block.filters, ParseFilterChain(true));
    CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
    CHAT_ASSIGN_OR_RETURN(block.body, ParseBlockBody({"endfilter"}, "filter", line));
    Advance();
    CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
    return MakeStmt(line, std::move(block));
  }
  if (tag == "generation") {
    Advance();
    CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
    GenerationStmt block;
    int saved_loop_depth = std::exchange(loop_depth_, 0);
    absl::StatusOr<StmtList> body = ParseBlockBody({"endgeneration"}, "generation", line);
    loop_depth_ = saved_loop_depth;
    if (!body.ok()) return body.status();
    block.body = *std::move(body);
    Advance();
    CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
    return MakeStmt(line, std::move(block));
  }
  static constexpr std::string_view kUnsupported[] = {"block", "extends",    "include", "import",
                                                      "from",  "autoescape", "trans",   "do"};
  for (std::string_view unsupported : kUnsupported) {
    if (tag == unsupported) {
      return Error(token, StrCat("the '", tag, "' tag is not supported in chat templates"));
    }
  }
  return Error(token, StrCat("Encountered unknown tag '", tag, "'."));
}

absl::StatusOr<std::unique_ptr<Stmt>> Parser::ParseFor(int line) {
  Advance();
  ForStmt loop;
  CHAT_ASSIGN_OR_RETURN(loop.target, ParseAssignTarget(true, false, {"in"}, false));
  if (!SkipName("in")) return Error(Current(), StrCat("expected 'in', got ", Describe(Current())));
  CHAT_ASSIGN_OR_RETURN(loop.iterable, ParseTuple(false, false, {"recursive"}, false));
  if (SkipName("if")) {
    CHAT_ASSIGN_OR_RETURN(loop.filter, ParseExpression());
  }
  if (AtName("recursive")) {
    return Error(Current(), "recursive for loops are not supported in chat templates");
  }
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  ++loop_depth_;
  absl::StatusOr<StmtList> body = ParseBlockBody({"endfor", "else"}, "for", line);
  --loop_depth_;
  if (!body.ok()) return body.status();
  loop.body = *std::move(body);
  if (SkipName("else")) {
    CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
    CHAT_ASSIGN_OR_RETURN(loop.else_body, ParseBlockBody({"endfor"}, "for", line));
  }
  Advance();  // endfor
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  return MakeStmt(line, std::move(loop));
}

absl::StatusOr<std::unique_ptr<Stmt>> Parser::ParseIf(int line) {
  Advance();
  IfStmt branches;
  while (true) {
    CHAT_ASSIGN_OR_RETURN(ExprPtr condition, ParseTuple(false, false, {}, false));
    CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
    CHAT_ASSIGN_OR_RETURN(StmtList body, ParseBlockBody({"elif", "else", "endif"}, "if", line));
    branches.branches.emplace_back(std::move(condition), std::move(body));
    if (SkipName("elif")) continue;
    if (SkipName("else")) {
      CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
      CHAT_ASSIGN_OR_RETURN(branches.else_body, ParseBlockBody({"endif"}, "if", line));
    }
    break;
  }
  Advance();  // endif
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  return MakeStmt(line, std::move(branches));
}

absl::StatusOr<std::vector<ExprPtr>> Parser::ParseFilterChain(bool inline_start) {
  // Each filter is kept separately, applied in order to the block's rendered body.
  std::vector<ExprPtr> filters;
  while (inline_start || AtOperator("|")) {
    if (!inline_start) Advance();
    inline_start = false;
    CHAT_ASSIGN_OR_RETURN(ExprPtr filter, ParseFilter(nullptr, true));
    // ParseFilter chained any further `|name` onto this one; unwind them into the list.
    std::vector<ExprPtr> chain;
    while (filter != nullptr) {
      auto& node = std::get<FilterExpr>(filter->node);
      ExprPtr inner = std::move(node.input);
      chain.push_back(std::move(filter));
      filter = std::move(inner);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) filters.push_back(std::move(*it));
  }
  return filters;
}

absl::StatusOr<std::unique_ptr<Stmt>> Parser::ParseSet(int line) {
  Advance();
  CHAT_ASSIGN_OR_RETURN(AssignTarget target, ParseAssignTarget(true, false, {}, true));
  if (SkipOperator("=")) {
    CHAT_ASSIGN_OR_RETURN(ExprPtr value, ParseTuple(false, true, {}, false));
    CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
    return MakeStmt(line, SetStmt{std::move(target), std::move(value)});
  }
  SetBlockStmt block;
  block.target = std::move(target);
  CHAT_ASSIGN_OR_RETURN(block.filters, ParseFilterChain(false));
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  CHAT_ASSIGN_OR_RETURN(block.body, ParseBlockBody({"endset"}, "set", line));
  Advance();
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  return MakeStmt(line, std::move(block));
}

absl::Status Parser::ParseSignature(MacroStmt* macro) {
  CHAT_RETURN_IF_ERROR(ExpectOperator("("));
  while (!AtOperator(")")) {
    if (!macro->params.empty()) CHAT_RETURN_IF_ERROR(ExpectOperator(","));
    const Token token = Current();
    CHAT_ASSIGN_OR_RETURN(AssignTarget name, ParseAssignTarget(false, true, {}, false));
    MacroParam param{name.names[0], nullptr};
    if (SkipOperator("=")) {
      CHAT_ASSIGN_OR_RETURN(param.default_value, ParseExpression());
    } else if (!macro->params.empty() && macro->params.back().default_value != nullptr) {
      return Error(token, "non-default argument follows default argument");
    }
    macro->params.push_back(std::move(param));
  }
  return ExpectOperator(")");
}

absl::StatusOr<std::unique_ptr<Stmt>> Parser::ParseMacro(int line) {
  Advance();
  auto macro = std::make_shared<MacroStmt>();
  CHAT_ASSIGN_OR_RETURN(AssignTarget name, ParseAssignTarget(false, true, {}, false));
  macro->name = name.names[0];
  CHAT_RETURN_IF_ERROR(ParseSignature(macro.get()));
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  macros_.push_back(macro.get());
  int saved_loop_depth = std::exchange(loop_depth_, 0);
  absl::StatusOr<StmtList> body = ParseBlockBody({"endmacro"}, "macro", line);
  loop_depth_ = saved_loop_depth;
  macros_.pop_back();
  if (!body.ok()) return body.status();
  macro->body = *std::move(body);
  Advance();
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  return MakeStmt(line, std::move(macro));
}

absl::StatusOr<std::unique_ptr<Stmt>> Parser::ParseCallBlock(int line) {
  Advance();
  auto caller = std::make_shared<MacroStmt>();
  caller->name = "caller";
  if (AtOperator("(")) CHAT_RETURN_IF_ERROR(ParseSignature(caller.get()));
  const Token call_token = Current();
  CHAT_ASSIGN_OR_RETURN(ExprPtr call, ParseExpression());
  if (!std::holds_alternative<CallExpr>(call->node)) return Error(call_token, "expected call");
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  macros_.push_back(caller.get());
  int saved_loop_depth = std::exchange(loop_depth_, 0);
  absl::StatusOr<StmtList> body = ParseBlockBody({"endcall"}, "call", line);
  loop_depth_ = saved_loop_depth;
  macros_.pop_back();
  if (!body.ok()) return body.status();
  caller->body = *std::move(body);
  Advance();
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  return MakeStmt(line, CallBlockStmt{std::move(caller), std::move(call)});
}

absl::StatusOr<std::unique_ptr<Stmt>> Parser::ParseWith(int line) {
  Advance();
  WithStmt with;
  while (Current().type != TokenType::kBlockEnd) {
    if (!with.assignments.empty()) CHAT_RETURN_IF_ERROR(ExpectOperator(","));
    CHAT_ASSIGN_OR_RETURN(AssignTarget target, ParseAssignTarget(true, false, {}, false));
    CHAT_RETURN_IF_ERROR(ExpectOperator("="));
    CHAT_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
    with.assignments.emplace_back(std::move(target), std::move(value));
  }
  Advance();
  CHAT_ASSIGN_OR_RETURN(with.body, ParseBlockBody({"endwith"}, "with", line));
  Advance();
  CHAT_RETURN_IF_ERROR(ExpectBlockEnd());
  return MakeStmt(line, std::move(with));
}

absl::StatusOr<StmtList> ParseTemplate(std::string_view source) {
  CHAT_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source));
  Parser parser(std::move(tokens), source);
  return parser.ParseTemplate();
}

}  // namespace radixlm::engine::jinja
