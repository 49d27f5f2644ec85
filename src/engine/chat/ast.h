// The syntax tree of a parsed chat template: jinja2's node types for the subset chat templates
// use. Nodes own their children; `line` is the 1-based source line runtime errors report.
#ifndef RADIXLM_SRC_ENGINE_CHAT_AST_H_
#define RADIXLM_SRC_ENGINE_CHAT_AST_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "src/engine/chat/value.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct Stmt;
using StmtList = std::vector<std::unique_ptr<Stmt>>;

struct CallArguments {
  std::vector<ExprPtr> positional;
  std::vector<std::pair<std::string, ExprPtr>> keyword;
};

struct LiteralExpr {
  Value value;
};
struct NameExpr {
  std::string name;
};
struct ListExpr {
  std::vector<ExprPtr> items;
};
struct TupleExpr {
  std::vector<ExprPtr> items;
};
struct DictExpr {
  std::vector<std::pair<ExprPtr, ExprPtr>> entries;
};
struct GetAttrExpr {  // object.attribute
  ExprPtr object;
  std::string attribute;
};
struct GetItemExpr {  // object[index]
  ExprPtr object;
  ExprPtr index;
};
struct SliceExpr {  // object[start:stop:step]; absent parts are null.
  ExprPtr object;
  ExprPtr start;
  ExprPtr stop;
  ExprPtr step;
};
struct CallExpr {
  ExprPtr callee;
  CallArguments args;
};
struct FilterExpr {  // input | name(args); `input` is null inside {% filter %} blocks.
  ExprPtr input;
  std::string name;
  CallArguments args;
};
struct TestExpr {  // input is [not] name(args)
  ExprPtr input;
  std::string name;
  CallArguments args;
  bool negated = false;
};
enum class UnaryOp { kNot, kNegate, kPlus };
struct UnaryExpr {
  UnaryOp op;
  ExprPtr operand;
};
struct BinaryExpr {  // Arithmetic; `concat` (~) is kept apart as it stringifies its operands.
  BinaryOp op;
  bool concat = false;
  ExprPtr left;
  ExprPtr right;
};
enum class LogicOp { kAnd, kOr };
struct LogicExpr {
  LogicOp op;
  ExprPtr left;
  ExprPtr right;
};
struct CompareExpr {  // first op1 x1 op2 x2 ..., chained as in Python.
  ExprPtr first;
  std::vector<std::pair<CompareOp, ExprPtr>> rest;
};
struct ConditionalExpr {  // if_true if condition else if_false (if_false may be null)
  ExprPtr condition;
  ExprPtr if_true;
  ExprPtr if_false;
};

struct Expr {
  int line = 0;
  int depth = 1;  // Height of this subtree; the parser bounds it so evaluation cannot overflow.
  std::variant<LiteralExpr, NameExpr, ListExpr, TupleExpr, DictExpr, GetAttrExpr, GetItemExpr,
               SliceExpr, CallExpr, FilterExpr, TestExpr, UnaryExpr, BinaryExpr, LogicExpr,
               CompareExpr, ConditionalExpr>
      node;
};

// What `set`, `for` and `with` assign to: a name, a tuple of names, or `namespace.attribute`.
struct AssignTarget {
  std::vector<std::string> names;  // One name, or several for tuple unpacking.
  bool is_tuple = false;
  std::string namespace_attribute;  // Non-empty for `ns.attr`; names[0] is the namespace.
};

struct TextStmt {
  std::string text;
};
struct OutputStmt {
  ExprPtr expr;
};
struct IfStmt {
  std::vector<std::pair<ExprPtr, StmtList>> branches;  // if, then each elif.
  StmtList else_body;
};
struct ForStmt {
  AssignTarget target;
  ExprPtr iterable;
  ExprPtr filter;  // `for x in xs if cond`; may be null.
  StmtList body;
  StmtList else_body;
};
struct SetStmt {
  AssignTarget target;
  ExprPtr value;
};
struct SetBlockStmt {  // {% set x | filters %}body{% endset %}
  AssignTarget target;
  std::vector<ExprPtr> filters;  // FilterExprs with null input, applied in order.
  StmtList body;
};
struct MacroParam {
  std::string name;
  ExprPtr default_value;  // May be null.
};
struct MacroStmt {
  std::string name;
  std::vector<MacroParam> params;
  StmtList body;
  // Whether the body mentions these names, which makes the macro accept a caller, extra
  // keyword arguments, or extra positional arguments (jinja2's find_undeclared).
  bool uses_caller = false;
  bool uses_kwargs = false;
  bool uses_varargs = false;
};
struct CallBlockStmt {                // {% call(params) macro(args) %}body{% endcall %}
  std::shared_ptr<MacroStmt> caller;  // The body, as the `caller` macro.
  ExprPtr call;                       // A CallExpr.
};
struct FilterBlockStmt {
  std::vector<ExprPtr> filters;
  StmtList body;
};
struct WithStmt {
  std::vector<std::pair<AssignTarget, ExprPtr>> assignments;
  StmtList body;
};
struct GenerationStmt {  // transformers' {% generation %}: renders its body.
  StmtList body;
};
struct BreakStmt {};
struct ContinueStmt {};

struct Stmt {
  int line = 0;
  std::variant<TextStmt, OutputStmt, IfStmt, ForStmt, SetStmt, SetBlockStmt,
               std::shared_ptr<MacroStmt>, CallBlockStmt, FilterBlockStmt, WithStmt, GenerationStmt,
               BreakStmt, ContinueStmt>
      node;
};

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_AST_H_
