// The expression half of the parser: jinja2's precedence ladder, from the conditional
// expression down to primaries, postfix subscripts/calls, filters and tests.
#include <algorithm>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/chat/builtins.h"
#include "src/engine/chat/parser_internal.h"
#include "src/engine/chat/status_macros.h"

namespace radixlm::engine::jinja {
namespace {

// Deeper trees are refused: evaluation recurses once per level.
constexpr int kMaxExpressionDepth = 256;

int Depth(const ExprPtr& e) { return e == nullptr ? 0 : e->depth; }

int Depth(const CallArguments& args) {
  int depth = 0;
  for (const auto& arg : args.positional) depth = std::max(depth, Depth(arg));
  for (const auto& arg : args.keyword) depth = std::max(depth, Depth(arg.second));
  return depth;
}

int ChildDepth(const decltype(Expr::node)& node) {
  return std::visit(
      [](const auto& n) -> int {
        using T = std::decay_t<decltype(n)>;
        int depth = 0;
        if constexpr (std::is_same_v<T, ListExpr> || std::is_same_v<T, TupleExpr>) {
          for (const auto& item : n.items) depth = std::max(depth, Depth(item));
        } else if constexpr (std::is_same_v<T, DictExpr>) {
          for (const auto& [k, v] : n.entries) depth = std::max({depth, Depth(k), Depth(v)});
        } else if constexpr (std::is_same_v<T, GetAttrExpr>) {
          depth = Depth(n.object);
        } else if constexpr (std::is_same_v<T, GetItemExpr>) {
          depth = std::max(Depth(n.object), Depth(n.index));
        } else if constexpr (std::is_same_v<T, SliceExpr>) {
          depth = std::max({Depth(n.object), Depth(n.start), Depth(n.stop), Depth(n.step)});
        } else if constexpr (std::is_same_v<T, CallExpr>) {
          depth = std::max(Depth(n.callee), Depth(n.args));
        } else if constexpr (std::is_same_v<T, FilterExpr> || std::is_same_v<T, TestExpr>) {
          depth = std::max(Depth(n.input), Depth(n.args));
        } else if constexpr (std::is_same_v<T, UnaryExpr>) {
          depth = Depth(n.operand);
        } else if constexpr (std::is_same_v<T, BinaryExpr> || std::is_same_v<T, LogicExpr>) {
          depth = std::max(Depth(n.left), Depth(n.right));
        } else if constexpr (std::is_same_v<T, CompareExpr>) {
          depth = Depth(n.first);
          for (const auto& [op, e] : n.rest) depth = std::max(depth, Depth(e));
        } else if constexpr (std::is_same_v<T, ConditionalExpr>) {
          depth = std::max({Depth(n.condition), Depth(n.if_true), Depth(n.if_false)});
        }
        return depth;
      },
      node);
}

}  // namespace

absl::StatusOr<ExprPtr> Parser::Make(int line, decltype(Expr::node) node) {
  auto expr = std::make_unique<Expr>();
  expr->line = line;
  expr->depth = ChildDepth(node) + 1;
  expr->node = std::move(node);
  if (expr->depth > kMaxExpressionDepth) {
    return Error(Current(),
                 StrCat("expression nested more than ", kMaxExpressionDepth, " levels deep"));
  }
  return expr;
}

absl::StatusOr<ExprPtr> Parser::ParseExpression(bool with_conditional) {
  if (with_conditional) return ParseConditional();
  return ParseOr();
}

absl::StatusOr<ExprPtr> Parser::ParseConditional() {
  int line = Line();
  CHAT_ASSIGN_OR_RETURN(ExprPtr expr, ParseOr());
  while (SkipName("if")) {
    CHAT_ASSIGN_OR_RETURN(ExprPtr condition, ParseOr());
    ExprPtr otherwise;
    if (SkipName("else")) {
      CHAT_ASSIGN_OR_RETURN(otherwise, ParseConditional());
    }
    CHAT_ASSIGN_OR_RETURN(expr, Make(line, ConditionalExpr{std::move(condition), std::move(expr),
                                                           std::move(otherwise)}));
  }
  return expr;
}

absl::StatusOr<ExprPtr> Parser::ParseOr() {
  int line = Line();
  CHAT_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  while (SkipName("or")) {
    CHAT_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    CHAT_ASSIGN_OR_RETURN(left,
                          Make(line, LogicExpr{LogicOp::kOr, std::move(left), std::move(right)}));
  }
  return left;
}

absl::StatusOr<ExprPtr> Parser::ParseAnd() {
  int line = Line();
  CHAT_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  while (SkipName("and")) {
    CHAT_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    CHAT_ASSIGN_OR_RETURN(left,
                          Make(line, LogicExpr{LogicOp::kAnd, std::move(left), std::move(right)}));
  }
  return left;
}

absl::StatusOr<ExprPtr> Parser::ParseNot() {
  if (AtName("not")) {
    int line = Line();
    Advance();
    CHAT_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
    return Make(line, UnaryExpr{UnaryOp::kNot, std::move(operand)});
  }
  return ParseCompare();
}

absl::StatusOr<ExprPtr> Parser::ParseCompare() {
  int line = Line();
  CHAT_ASSIGN_OR_RETURN(ExprPtr first, ParseMath1());
  std::vector<std::pair<CompareOp, ExprPtr>> rest;
  while (true) {
    std::optional<CompareOp> op;
    if (Current().type == TokenType::kOperator) {
      const std::string& text = Current().text;
      if (text == "==") op = CompareOp::kEq;
      if (text == "!=") op = CompareOp::kNe;
      if (text == "<") op = CompareOp::kLt;
      if (text == "<=") op = CompareOp::kLe;
      if (text == ">") op = CompareOp::kGt;
      if (text == ">=") op = CompareOp::kGe;
      if (op.has_value()) Advance();
    } else if (AtName("in")) {
      op = CompareOp::kIn;
      Advance();
    } else if (AtName("not") && Look().type == TokenType::kName && Look().text == "in") {
      op = CompareOp::kNotIn;
      Advance();
      Advance();
    }
    if (!op.has_value()) break;
    CHAT_ASSIGN_OR_RETURN(ExprPtr operand, ParseMath1());
    rest.emplace_back(*op, std::move(operand));
  }
  if (rest.empty()) return first;
  return Make(line, CompareExpr{std::move(first), std::move(rest)});
}

absl::StatusOr<ExprPtr> Parser::ParseMath1() {
  int line = Line();
  CHAT_ASSIGN_OR_RETURN(ExprPtr left, ParseConcat());
  while (AtOperator("+") || AtOperator("-")) {
    BinaryOp op = Current().text == "+" ? BinaryOp::kAdd : BinaryOp::kSub;
    Advance();
    CHAT_ASSIGN_OR_RETURN(ExprPtr right, ParseConcat());
    CHAT_ASSIGN_OR_RETURN(left,
                          Make(line, BinaryExpr{op, false, std::move(left), std::move(right)}));
  }
  return left;
}

absl::StatusOr<ExprPtr> Parser::ParseConcat() {
  int line = Line();
  CHAT_ASSIGN_OR_RETURN(ExprPtr left, ParseMath2());
  while (SkipOperator("~")) {
    CHAT_ASSIGN_OR_RETURN(ExprPtr right, ParseMath2());
    CHAT_ASSIGN_OR_RETURN(
        left, Make(line, BinaryExpr{BinaryOp::kAdd, true, std::move(left), std::move(right)}));
  }
  return left;
}

absl::StatusOr<ExprPtr> Parser::ParseMath2() {
  int line = Line();
  CHAT_ASSIGN_OR_RETURN(ExprPtr left, ParsePow());
  while (AtOperator("*") || AtOperator("/") || AtOperator("//") || AtOperator("%")) {
    const std::string& text = Current().text;
    BinaryOp op = text == "*"    ? BinaryOp::kMul
                  : text == "/"  ? BinaryOp::kDiv
                  : text == "//" ? BinaryOp::kFloorDiv
                                 : BinaryOp::kMod;
    Advance();
    CHAT_ASSIGN_OR_RETURN(ExprPtr right, ParsePow());
    CHAT_ASSIGN_OR_RETURN(left,
                          Make(line, BinaryExpr{op, false, std::move(left), std::move(right)}));
  }
  return left;
}

absl::StatusOr<ExprPtr> Parser::ParsePow() {
  int line = Line();
  CHAT_ASSIGN_OR_RETURN(ExprPtr left, ParseUnary(true));
  while (SkipOperator("**")) {
    CHAT_ASSIGN_OR_RETURN(ExprPtr right, ParseUnary(true));
    CHAT_ASSIGN_OR_RETURN(
        left, Make(line, BinaryExpr{BinaryOp::kPow, false, std::move(left), std::move(right)}));
  }
  return left;
}

absl::StatusOr<ExprPtr> Parser::ParseUnary(bool with_filter) {
  int line = Line();
  ExprPtr node;
  if (AtOperator("-") || AtOperator("+")) {
    UnaryOp op = Current().text == "-" ? UnaryOp::kNegate : UnaryOp::kPlus;
    Advance();
    if (++nesting_ > kMaxExpressionDepth) return Error(Current(), "expression nested too deeply");
    absl::StatusOr<ExprPtr> operand = ParseUnary(false);
    --nesting_;
    if (!operand.ok()) return operand.status();
    CHAT_ASSIGN_OR_RETURN(node, Make(line, UnaryExpr{op, *std::move(operand)}));
  } else {
    CHAT_ASSIGN_OR_RETURN(node, ParsePrimary());
  }
  CHAT_ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
  if (with_filter) return ParseFilterExpr(std::move(node));
  return node;
}

absl::StatusOr<ExprPtr> Parser::ParsePrimary() {
  const Token& token = Current();
  int line = Line();
  switch (token.type) {
    case TokenType::kName: {
      const std::string& name = token.text;
      Value literal;
      bool is_literal = true;
      if (name == "true" || name == "True") {
        literal = Value::Bool(true);
      } else if (name == "false" || name == "False") {
        literal = Value::Bool(false);
      } else if (name == "none" || name == "None") {
        literal = Value::None();
      } else {
        is_literal = false;
      }
      std::string text = name;
      Advance();
      if (is_literal) return Make(line, LiteralExpr{literal});
      if (text == "caller" || text == "kwargs" || text == "varargs") {
        for (MacroStmt* macro : macros_) {
          macro->uses_caller |= text == "caller";
          macro->uses_kwargs |= text == "kwargs";
          macro->uses_varargs |= text == "varargs";
        }
      }
      return Make(line, NameExpr{std::move(text)});
    }
    case TokenType::kString: {
      // Adjacent literals concatenate, as in Python.
      std::string text;
      while (Current().type == TokenType::kString) {
        text += Current().text;
        Advance();
      }
      return Make(line, LiteralExpr{Value::String(std::move(text))});
    }
    case TokenType::kInteger: {
      Value value = Value::Int(token.int_value);
      Advance();
      return Make(line, LiteralExpr{value});
    }
    case TokenType::kFloat: {
      Value value = Value::Float(token.float_value);
      Advance();
      return Make(line, LiteralExpr{value});
    }
    case TokenType::kOperator:
      if (token.text == "(" || token.text == "[" || token.text == "{") {
        if (++nesting_ > kMaxExpressionDepth) return Error(token, "expression nested too deeply");
        absl::StatusOr<ExprPtr> result;
        if (token.text == "(") {
          Advance();
          result = ParseTuple(false, true, {}, true);
          if (result.ok()) {
            absl::Status closed = ExpectOperator(")");
            if (!closed.ok()) result = closed;
          }
        } else {
          result = token.text == "[" ? ParseList() : ParseDict();
        }
        --nesting_;
        return result;
      }
      break;
    default:
      break;
  }
  return Error(token, StrCat("unexpected ", Describe(token)));
}

absl::StatusOr<ExprPtr> Parser::ParseTuple(bool simplified, bool with_conditional,
                                           std::initializer_list<std::string_view> extra_end_names,
                                           bool explicit_parentheses) {
  int line = Line();
  std::vector<ExprPtr> items;
  bool is_tuple = false;
  auto at_end = [&] {
    const Token& t = Current();
    if (t.type == TokenType::kVariableEnd || t.type == TokenType::kBlockEnd ||
        (t.type == TokenType::kOperator && t.text == ")")) {
      return true;
    }
    return std::any_of(extra_end_names.begin(), extra_end_names.end(),
                       [&](std::string_view name) { return AtName(name); });
  };
  while (true) {
    if (!items.empty()) CHAT_RETURN_IF_ERROR(ExpectOperator(","));
    if (at_end()) break;
    if (simplified) {
      CHAT_ASSIGN_OR_RETURN(ExprPtr item, ParsePrimary());
      items.push_back(std::move(item));
    } else {
      CHAT_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(with_conditional));
      items.push_back(std::move(item));
    }
    if (!AtOperator(",")) break;
    is_tuple = true;
  }
  if (!is_tuple) {
    if (!items.empty()) return std::move(items.front());
    if (!explicit_parentheses) {
      return Error(Current(), StrCat("expected an expression, got ", Describe(Current())));
    }
  }
  return Make(line, TupleExpr{std::move(items)});
}

absl::StatusOr<ExprPtr> Parser::ParseList() {
  int line = Line();
  CHAT_RETURN_IF_ERROR(ExpectOperator("["));
  std::vector<ExprPtr> items;
  while (!AtOperator("]")) {
    if (!items.empty()) CHAT_RETURN_IF_ERROR(ExpectOperator(","));
    if (AtOperator("]")) break;
    CHAT_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression());
    items.push_back(std::move(item));
  }
  CHAT_RETURN_IF_ERROR(ExpectOperator("]"));
  return Make(line, ListExpr{std::move(items)});
}

absl::StatusOr<ExprPtr> Parser::ParseDict() {
  int line = Line();
  CHAT_RETURN_IF_ERROR(ExpectOperator("{"));
  std::vector<std::pair<ExprPtr, ExprPtr>> entries;
  while (!AtOperator("}")) {
    if (!entries.empty()) CHAT_RETURN_IF_ERROR(ExpectOperator(","));
    if (AtOperator("}")) break;
    CHAT_ASSIGN_OR_RETURN(ExprPtr key, ParseExpression());
    CHAT_RETURN_IF_ERROR(ExpectOperator(":"));
    CHAT_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
    entries.emplace_back(std::move(key), std::move(value));
  }
  CHAT_RETURN_IF_ERROR(ExpectOperator("}"));
  return Make(line, DictExpr{std::move(entries)});
}

absl::StatusOr<ExprPtr> Parser::ParsePostfix(ExprPtr node) {
  while (true) {
    if (AtOperator(".") || AtOperator("[")) {
      CHAT_ASSIGN_OR_RETURN(node, ParseSubscript(std::move(node)));
    } else if (AtOperator("(")) {
      int line = Line();
      CHAT_ASSIGN_OR_RETURN(CallArguments args, ParseCallArgs());
      CHAT_ASSIGN_OR_RETURN(node, Make(line, CallExpr{std::move(node), std::move(args)}));
    } else {
      return node;
    }
  }
}

absl::StatusOr<ExprPtr> Parser::ParseFilterExpr(ExprPtr node) {
  while (true) {
    if (AtOperator("|")) {
      CHAT_ASSIGN_OR_RETURN(node, ParseFilter(std::move(node), false));
    } else if (AtName("is")) {
      CHAT_ASSIGN_OR_RETURN(node, ParseTest(std::move(node)));
    } else if (AtOperator("(")) {
      int line = Line();
      CHAT_ASSIGN_OR_RETURN(CallArguments args, ParseCallArgs());
      CHAT_ASSIGN_OR_RETURN(node, Make(line, CallExpr{std::move(node), std::move(args)}));
    } else {
      return node;
    }
  }
}

absl::StatusOr<ExprPtr> Parser::ParseSubscript(ExprPtr node) {
  int line = Line();
  if (SkipOperator(".")) {
    const Token& attribute = Current();
    if (attribute.type == TokenType::kName) {
      std::string name = attribute.text;
      Advance();
      return Make(line, GetAttrExpr{std::move(node), std::move(name)});
    }
    if (attribute.type != TokenType::kInteger) return Error(attribute, "expected name or number");
    CHAT_ASSIGN_OR_RETURN(ExprPtr index, Make(line, LiteralExpr{Value::Int(attribute.int_value)}));
    Advance();
    return Make(line, GetItemExpr{std::move(node), std::move(index)});
  }
  CHAT_RETURN_IF_ERROR(ExpectOperator("["));
  std::vector<ExprPtr> args;
  while (!AtOperator("]")) {
    if (!args.empty()) CHAT_RETURN_IF_ERROR(ExpectOperator(","));
    CHAT_ASSIGN_OR_RETURN(ExprPtr arg, ParseSubscribed());
    args.push_back(std::move(arg));
  }
  CHAT_RETURN_IF_ERROR(ExpectOperator("]"));
  if (args.size() == 1 && std::holds_alternative<SliceExpr>(args[0]->node)) {
    auto& slice = std::get<SliceExpr>(args[0]->node);
    slice.object = std::move(node);
    return Make(line, std::move(args[0]->node));
  }
  ExprPtr index;
  if (args.size() == 1) {
    index = std::move(args[0]);
  } else {
    CHAT_ASSIGN_OR_RETURN(index, Make(line, TupleExpr{std::move(args)}));
  }
  return Make(line, GetItemExpr{std::move(node), std::move(index)});
}

absl::StatusOr<ExprPtr> Parser::ParseSubscribed() {
  int line = Line();
  ExprPtr start;
  if (!AtOperator(":")) {
    CHAT_ASSIGN_OR_RETURN(start, ParseExpression());
    if (!AtOperator(":")) return start;
  }
  Advance();  // ':'
  ExprPtr stop;
  ExprPtr step;
  if (!AtOperator(":") && !AtOperator("]") && !AtOperator(",")) {
    CHAT_ASSIGN_OR_RETURN(stop, ParseExpression());
  }
  if (SkipOperator(":") && !AtOperator("]") && !AtOperator(",")) {
    CHAT_ASSIGN_OR_RETURN(step, ParseExpression());
  }
  return Make(line, SliceExpr{nullptr, std::move(start), std::move(stop), std::move(step)});
}

absl::StatusOr<CallArguments> Parser::ParseCallArgs() {
  const Token& open = Current();
  CHAT_RETURN_IF_ERROR(ExpectOperator("("));
  CallArguments args;
  bool require_comma = false;
  while (!AtOperator(")")) {
    if (require_comma) {
      CHAT_RETURN_IF_ERROR(ExpectOperator(","));
      if (AtOperator(")")) break;
    }
    if (AtOperator("*") || AtOperator("**")) {
      return Error(Current(), "*args and **kwargs in calls are not supported in chat templates");
    }
    if (Current().type == TokenType::kName && Look().type == TokenType::kOperator &&
        Look().text == "=") {
      std::string key = Current().text;
      Advance();
      Advance();
      CHAT_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
      args.keyword.emplace_back(std::move(key), std::move(value));
    } else {
      if (!args.keyword.empty()) {
        return Error(open,
                     "invalid syntax for function call expression: positional argument "
                     "after keyword argument");
      }
      CHAT_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
      args.positional.push_back(std::move(value));
    }
    require_comma = true;
  }
  CHAT_RETURN_IF_ERROR(ExpectOperator(")"));
  return args;
}

absl::StatusOr<std::string> Parser::ParseDottedName() {
  CHAT_ASSIGN_OR_RETURN(std::string name, ExpectName());
  while (SkipOperator(".")) {
    CHAT_ASSIGN_OR_RETURN(std::string part, ExpectName());
    name += "." + part;
  }
  return name;
}

absl::StatusOr<ExprPtr> Parser::ParseFilter(ExprPtr input, bool inline_start) {
  while (AtOperator("|") || inline_start) {
    if (!inline_start) Advance();
    inline_start = false;
    const Token name_token = Current();
    int line = Line();
    CHAT_ASSIGN_OR_RETURN(std::string name, ParseDottedName());
    BuiltinStatus status = FilterStatus(name);
    if (status == BuiltinStatus::kUnknown) {
      return Error(name_token, StrCat("No filter named '", name, "'."));
    }
    if (status == BuiltinStatus::kUnsupported) {
      return Error(name_token,
                   StrCat("the '", name, "' filter is not supported in chat templates"));
    }
    CallArguments args;
    if (AtOperator("(")) {
      CHAT_ASSIGN_OR_RETURN(args, ParseCallArgs());
    }
    CHAT_ASSIGN_OR_RETURN(
        input, Make(line, FilterExpr{std::move(input), std::move(name), std::move(args)}));
  }
  return input;
}

absl::StatusOr<ExprPtr> Parser::ParseTest(ExprPtr node) {
  int line = Line();
  Advance();  // 'is'
  bool negated = SkipName("not");
  const Token name_token = Current();
  CHAT_ASSIGN_OR_RETURN(std::string name, ParseDottedName());
  BuiltinStatus status = TestStatus(name);
  if (status == BuiltinStatus::kUnknown) {
    return Error(name_token, StrCat("No test named '", name, "'."));
  }
  if (status == BuiltinStatus::kUnsupported) {
    return Error(name_token, StrCat("the '", name, "' test is not supported in chat templates"));
  }
  CallArguments args;
  const Token& next = Current();
  bool starts_argument =
      next.type == TokenType::kName || next.type == TokenType::kString ||
      next.type == TokenType::kInteger || next.type == TokenType::kFloat ||
      (next.type == TokenType::kOperator && (next.text == "[" || next.text == "{"));
  if (AtOperator("(")) {
    CHAT_ASSIGN_OR_RETURN(args, ParseCallArgs());
  } else if (starts_argument && !AtName("else") && !AtName("or") && !AtName("and")) {
    if (AtName("is")) return Error(Current(), "You cannot chain multiple tests with is");
    CHAT_ASSIGN_OR_RETURN(ExprPtr argument, ParsePrimary());
    CHAT_ASSIGN_OR_RETURN(argument, ParsePostfix(std::move(argument)));
    args.positional.push_back(std::move(argument));
  }
  return Make(line, TestExpr{std::move(node), std::move(name), std::move(args), negated});
}

absl::StatusOr<AssignTarget> Parser::ParseAssignTarget(
    bool with_tuple, bool name_only, std::initializer_list<std::string_view> end_names,
    bool with_namespace) {
  AssignTarget target;
  if (with_namespace && Current().type == TokenType::kName && Look().type == TokenType::kOperator &&
      Look().text == ".") {
    target.names.push_back(Current().text);
    Advance();
    Advance();
    CHAT_ASSIGN_OR_RETURN(target.namespace_attribute, ExpectName());
    return target;
  }
  if (name_only || !with_tuple) {
    const Token token = Current();
    CHAT_ASSIGN_OR_RETURN(std::string name, ExpectName());
    if (name == "true" || name == "false" || name == "none" || name == "True" || name == "False" ||
        name == "None") {
      return Error(token, StrCat("can't assign to '", name, "'"));
    }
    target.names.push_back(std::move(name));
    return target;
  }
  const Token start = Current();
  CHAT_ASSIGN_OR_RETURN(ExprPtr expr, ParseTuple(true, true, end_names, false));
  auto add_name = [&](const Expr& e) -> absl::Status {
    if (!std::holds_alternative<NameExpr>(e.node)) {
      return Error(start, "can't assign to this expression; expected a name or names");
    }
    target.names.push_back(std::get<NameExpr>(e.node).name);
    return absl::OkStatus();
  };
  if (auto* tuple = std::get_if<TupleExpr>(&expr->node)) {
    target.is_tuple = true;
    for (const auto& item : tuple->items) CHAT_RETURN_IF_ERROR(add_name(*item));
  } else {
    CHAT_RETURN_IF_ERROR(add_name(*expr));
  }
  return target;
}

}  // namespace radixlm::engine::jinja
