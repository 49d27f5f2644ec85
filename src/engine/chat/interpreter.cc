// Invariants: a Scope's parent outlives it (children hold their parent); the root scope holds
// the render's variables; every error leaving Eval or ExecStmt carries the template line it
// happened on (added once, by the innermost node), except raise_exception's, whose message is
// the template's own.
#include "src/engine/chat/interpreter.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/cord.h"
#include "src/common/strings.h"
#include "src/engine/chat/builtins.h"
#include "src/engine/chat/python_literals.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {
namespace {

constexpr std::string_view kLinePayload = "type.radixlm.dev/chat_template_line";
constexpr std::string_view kRaisedPayload = "type.radixlm.dev/chat_template_raised";

// Appends a weak reference, first dropping expired ones whenever the vector would grow, so that
// templates creating many scopes or namespaces keep it proportional to the live ones.
template <typename T>
void Remember(std::vector<std::weak_ptr<T>>* references, std::weak_ptr<T> reference) {
  if (references->size() >= 64 && references->size() == references->capacity()) {
    std::erase_if(*references, [](const std::weak_ptr<T>& w) { return w.expired(); });
  }
  references->push_back(std::move(reference));
}

absl::Status WithLine(absl::Status status, int line) {
  if (status.ok() || status.GetPayload(ToAbsl(kLinePayload)).has_value() ||
      status.GetPayload(ToAbsl(kRaisedPayload)).has_value()) {
    return status;
  }
  absl::Status annotated(
      status.code(), StrCat("chat template error at line ", line, ": ", ToStd(status.message())));
  annotated.SetPayload(ToAbsl(kLinePayload), absl::Cord(std::to_string(line)));
  return annotated;
}

}  // namespace

const Value* Scope::Find(std::string_view name) const {
  for (const auto& [key, value] : variables) {
    if (key == name) return &value;
  }
  return nullptr;
}

void Scope::Set(std::string_view name, Value value) {
  for (auto& [key, existing] : variables) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  variables.emplace_back(std::string(name), std::move(value));
}

Interpreter::Interpreter(InterpreterLimits limits, std::optional<std::tm> local_time)
    : limits_(limits), local_time_(local_time) {}

Interpreter::~Interpreter() {
  for (const auto& weak : closure_scopes_) {
    if (auto scope = weak.lock()) scope->variables.clear();
  }
  for (const auto& weak : namespaces_) {
    if (auto ns = weak.lock()) static_cast<Dict*>(ns.get())->Clear();
  }
}

std::tm Interpreter::LocalTime() const {
  if (local_time_.has_value()) return *local_time_;
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  return local;
}

absl::Status Interpreter::Tick(int64_t steps) {
  steps_ += steps;
  if (steps_ > limits_.max_steps) {
    return absl::ResourceExhaustedError(
        StrCat("the chat template ran more than ", limits_.max_steps,
               " steps (ChatTemplateLimits::max_steps); it may loop without end"));
  }
  return absl::OkStatus();
}

void Interpreter::TrackNamespace(const Value& ns) { Remember(&namespaces_, ns.WeakObject()); }

absl::Status Interpreter::Append(std::string* out, std::string_view text) const {
  if (out->size() + text.size() > limits_.max_output_bytes) {
    return absl::ResourceExhaustedError(StrCat("the chat template's output exceeds ",
                                               limits_.max_output_bytes,
                                               " bytes (ChatTemplateLimits::max_output_bytes)"));
  }
  out->append(text);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Interpreter::Render(
    const StmtList& body, std::vector<std::pair<std::string, Value>> variables) {
  auto root = std::make_shared<Scope>();
  root->variables = std::move(variables);
  Remember(&closure_scopes_, std::weak_ptr<Scope>(root));
  std::string out;
  CHAT_ASSIGN_OR_RETURN(Flow flow, Exec(body, root, &out));
  (void)flow;
  return out;
}

absl::StatusOr<Interpreter::Flow> Interpreter::Exec(const StmtList& body, const ScopePtr& scope,
                                                    std::string* out) {
  for (const auto& stmt : body) {
    absl::StatusOr<Flow> flow = ExecStmt(*stmt, scope, out);
    if (!flow.ok()) return WithLine(flow.status(), stmt->line);
    if (*flow != Flow::kNormal) return *flow;
  }
  return Flow::kNormal;
}

absl::StatusOr<std::string> Interpreter::RenderBlock(const StmtList& body, const ScopePtr& scope) {
  auto child = std::make_shared<Scope>();
  child->parent = scope;
  std::string out;
  CHAT_ASSIGN_OR_RETURN(Flow flow, Exec(body, child, &out));
  (void)flow;
  return out;
}

absl::StatusOr<Value> Interpreter::ApplyFilters(const std::vector<ExprPtr>& filters, Value value,
                                                const ScopePtr& scope) {
  for (const auto& filter_expr : filters) {
    const auto& filter = std::get<FilterExpr>(filter_expr->node);
    absl::StatusOr<CallArgs> args = EvalArgs(filter.args, scope);
    if (!args.ok()) return WithLine(args.status(), filter_expr->line);
    absl::StatusOr<Value> result = ApplyFilter(*this, filter.name, value, *args);
    if (!result.ok()) return WithLine(result.status(), filter_expr->line);
    value = *std::move(result);
  }
  return value;
}

absl::StatusOr<Interpreter::Flow> Interpreter::ExecStmt(const Stmt& stmt, const ScopePtr& scope,
                                                        std::string* out) {
  CHAT_RETURN_IF_ERROR(Tick());
  return std::visit(
      [&](const auto& node) -> absl::StatusOr<Flow> {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, TextStmt>) {
          CHAT_RETURN_IF_ERROR(Append(out, node.text));
        } else if constexpr (std::is_same_v<T, OutputStmt>) {
          CHAT_ASSIGN_OR_RETURN(Value value, Eval(*node.expr, scope));
          CHAT_RETURN_IF_ERROR(Append(out, ToStr(value)));
        } else if constexpr (std::is_same_v<T, IfStmt>) {
          for (const auto& [condition, body] : node.branches) {
            CHAT_ASSIGN_OR_RETURN(Value test, Eval(*condition, scope));
            if (Truthy(test)) return Exec(body, scope, out);
          }
          return Exec(node.else_body, scope, out);
        } else if constexpr (std::is_same_v<T, ForStmt>) {
          return ExecFor(node, scope, out);
        } else if constexpr (std::is_same_v<T, SetStmt>) {
          CHAT_ASSIGN_OR_RETURN(Value value, Eval(*node.value, scope));
          CHAT_RETURN_IF_ERROR(Assign(node.target, value, *scope));
        } else if constexpr (std::is_same_v<T, SetBlockStmt>) {
          CHAT_ASSIGN_OR_RETURN(std::string text, RenderBlock(node.body, scope));
          CHAT_ASSIGN_OR_RETURN(Value value,
                                ApplyFilters(node.filters, Value::String(std::move(text)), scope));
          CHAT_RETURN_IF_ERROR(Assign(node.target, value, *scope));
        } else if constexpr (std::is_same_v<T, std::shared_ptr<MacroStmt>>) {
          scope->Set(node->name, MakeMacro(node, scope));
        } else if constexpr (std::is_same_v<T, CallBlockStmt>) {
          CHAT_RETURN_IF_ERROR(ExecCallBlock(node, scope, out));
        } else if constexpr (std::is_same_v<T, FilterBlockStmt>) {
          CHAT_ASSIGN_OR_RETURN(std::string text, RenderBlock(node.body, scope));
          CHAT_ASSIGN_OR_RETURN(Value value,
                                ApplyFilters(node.filters, Value::String(std::move(text)), scope));
          CHAT_RETURN_IF_ERROR(Append(out, ToStr(value)));
        } else if constexpr (std::is_same_v<T, WithStmt>) {
          auto child = std::make_shared<Scope>();
          child->parent = scope;
          for (const auto& [target, value_expr] : node.assignments) {
            CHAT_ASSIGN_OR_RETURN(Value value, Eval(*value_expr, child));
            CHAT_RETURN_IF_ERROR(Assign(target, value, *child));
          }
          return Exec(node.body, child, out);
        } else if constexpr (std::is_same_v<T, GenerationStmt>) {
          CHAT_ASSIGN_OR_RETURN(std::string text, RenderBlock(node.body, scope));
          CHAT_RETURN_IF_ERROR(Append(out, text));
        } else if constexpr (std::is_same_v<T, BreakStmt>) {
          return Flow::kBreak;
        } else if constexpr (std::is_same_v<T, ContinueStmt>) {
          return Flow::kContinue;
        }
        return Flow::kNormal;
      },
      stmt.node);
}

absl::StatusOr<Interpreter::Flow> Interpreter::ExecFor(const ForStmt& loop, const ScopePtr& scope,
                                                       std::string* out) {
  CHAT_ASSIGN_OR_RETURN(Value iterable, Eval(*loop.iterable, scope));
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> candidates, Iterate(iterable));
  std::vector<Value> items;
  if (loop.filter == nullptr) {
    items = std::move(candidates);
  } else {
    for (Value& candidate : candidates) {
      CHAT_RETURN_IF_ERROR(Tick());
      auto probe = std::make_shared<Scope>();
      probe->parent = scope;
      CHAT_RETURN_IF_ERROR(Assign(loop.target, candidate, *probe));
      CHAT_ASSIGN_OR_RETURN(Value keep, Eval(*loop.filter, probe));
      if (Truthy(keep)) items.push_back(std::move(candidate));
    }
  }
  auto state = std::make_shared<LoopState>();
  state->items = std::make_shared<const std::vector<Value>>(std::move(items));
  Value loop_value = Value::Loop(state);
  for (size_t i = 0; i < state->items->size(); ++i) {
    CHAT_RETURN_IF_ERROR(Tick());
    state->index0 = static_cast<int64_t>(i);
    auto iteration = std::make_shared<Scope>();
    iteration->parent = scope;
    iteration->Set("loop", loop_value);
    CHAT_RETURN_IF_ERROR(Assign(loop.target, (*state->items)[i], *iteration));
    CHAT_ASSIGN_OR_RETURN(Flow flow, Exec(loop.body, iteration, out));
    if (flow == Flow::kBreak) break;
  }
  if (state->items->empty() && !loop.else_body.empty()) {
    auto child = std::make_shared<Scope>();
    child->parent = scope;
    CHAT_ASSIGN_OR_RETURN(Flow flow, Exec(loop.else_body, child, out));
    (void)flow;
  }
  return Flow::kNormal;
}

absl::Status Interpreter::Assign(const AssignTarget& target, const Value& value, Scope& scope) {
  if (!target.namespace_attribute.empty()) {
    Value ns = Lookup(target.names[0], scope);
    if (!ns.is_namespace()) {
      return TemplateRuntimeError("cannot assign attribute on non-namespace object");
    }
    ns.namespace_attributes().Set(Value::String(target.namespace_attribute), value);
    return absl::OkStatus();
  }
  if (!target.is_tuple) {
    scope.Set(target.names[0], value);
    return absl::OkStatus();
  }
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> parts, Iterate(value));
  if (parts.size() < target.names.size()) {
    return TemplateRuntimeError(StrCat("not enough values to unpack (expected ",
                                       target.names.size(), ", got ", parts.size(), ")"));
  }
  if (parts.size() > target.names.size()) {
    return TemplateRuntimeError(
        StrCat("too many values to unpack (expected ", target.names.size(), ")"));
  }
  for (size_t i = 0; i < parts.size(); ++i) scope.Set(target.names[i], parts[i]);
  return absl::OkStatus();
}

Value Interpreter::Lookup(const std::string& name, const Scope& scope) const {
  for (const Scope* s = &scope; s != nullptr; s = s->parent.get()) {
    if (const Value* found = s->Find(name)) return *found;
  }
  Value global = GlobalFunction(name);
  if (!global.is_undefined()) return global;
  return Value::Undefined(StrCat(PythonStringRepr(name), " is undefined"));
}

Value Interpreter::MakeMacro(std::shared_ptr<const MacroStmt> macro, const ScopePtr& closure) {
  Remember(&closure_scopes_, std::weak_ptr<Scope>(closure));
  std::string name = macro->name;
  return Value::Callable(
      std::move(name), "Macro",
      [macro = std::move(macro), closure](Interpreter& interpreter, CallArgs& args) {
        return interpreter.CallMacro(*macro, closure, args);
      });
}

absl::StatusOr<Value> Interpreter::CallMacro(const MacroStmt& macro, const ScopePtr& closure,
                                             CallArgs& args) {
  if (call_depth_ >= limits_.max_call_depth) {
    return absl::ResourceExhaustedError(StrCat(
        "maximum recursion depth exceeded: macro calls nested more than ", limits_.max_call_depth,
        " deep (ChatTemplateLimits::max_call_depth); the template may recurse without "
        "end"));
  }
  CHAT_RETURN_IF_ERROR(Tick());
  const std::string quoted = PythonStringRepr(macro.name);
  if (args.positional.size() > macro.params.size() && !macro.uses_varargs) {
    return TemplateRuntimeError(
        StrCat("macro ", quoted, " takes not more than ", macro.params.size(), " argument(s)"));
  }
  auto scope = std::make_shared<Scope>();
  scope->parent = closure;
  std::vector<std::pair<std::string, Value>> keyword = args.keyword;
  auto take_keyword = [&](std::string_view name) -> std::optional<Value> {
    for (auto it = keyword.begin(); it != keyword.end(); ++it) {
      if (it->first == name) {
        Value value = std::move(it->second);
        keyword.erase(it);
        return value;
      }
    }
    return std::nullopt;
  };
  for (size_t i = 0; i < macro.params.size(); ++i) {
    const MacroParam& param = macro.params[i];
    std::optional<Value> value;
    if (i < args.positional.size()) {
      value = args.positional[i];
    } else {
      value = take_keyword(param.name);
    }
    if (!value.has_value()) {
      if (param.default_value != nullptr) {
        CHAT_ASSIGN_OR_RETURN(value, Eval(*param.default_value, scope));
      } else {
        value = Value::Undefined(
            StrCat("parameter ", PythonStringRepr(param.name), " was not provided"));
      }
    }
    scope->Set(param.name, *std::move(value));
  }
  if (macro.uses_caller) {
    std::optional<Value> caller = take_keyword("caller");
    scope->Set("caller", caller.has_value() ? *caller : Value::Undefined("No caller defined"));
  }
  if (macro.uses_kwargs) {
    Dict extra;
    for (auto& [name, value] : keyword) extra.Set(Value::String(name), std::move(value));
    scope->Set("kwargs", Value::MakeDict(std::move(extra)));
  } else if (!keyword.empty()) {
    if (keyword.front().first == "caller") {
      return TemplateRuntimeError(StrCat("macro ", quoted,
                                         " was invoked with two values for "
                                         "the special caller argument. This is most likely a "
                                         "bug."));
    }
    return TemplateRuntimeError(StrCat("macro ", quoted, " takes no keyword argument ",
                                       PythonStringRepr(keyword.front().first)));
  }
  if (macro.uses_varargs) {
    std::vector<Value> rest;
    for (size_t i = macro.params.size(); i < args.positional.size(); ++i) {
      rest.push_back(args.positional[i]);
    }
    scope->Set("varargs", Value::Tuple(std::move(rest)));
  }
  ++call_depth_;
  std::string out;
  absl::StatusOr<Flow> flow = Exec(macro.body, scope, &out);
  --call_depth_;
  if (!flow.ok()) return flow.status();
  return Value::String(std::move(out));
}

absl::Status Interpreter::ExecCallBlock(const CallBlockStmt& block, const ScopePtr& scope,
                                        std::string* out) {
  const auto& call = std::get<CallExpr>(block.call->node);
  CHAT_ASSIGN_OR_RETURN(Value callee, Eval(*call.callee, scope));
  CHAT_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(call.args, scope));
  args.keyword.emplace_back("caller", MakeMacro(block.caller, scope));
  absl::StatusOr<Value> result = Call(callee, args);
  if (!result.ok()) return WithLine(result.status(), block.call->line);
  return Append(out, ToStr(*result));
}

absl::StatusOr<Value> Interpreter::Call(const Value& callee, CallArgs& args) {
  if (callee.is_undefined()) return UndefinedError(callee);
  if (!callee.is_callable()) {
    return TemplateRuntimeError(StrCat("'", TypeName(callee), "' object is not callable"));
  }
  return callee.callable().function(*this, args);
}

absl::StatusOr<CallArgs> Interpreter::EvalArgs(const CallArguments& args, const ScopePtr& scope) {
  CallArgs values;
  for (const auto& arg : args.positional) {
    CHAT_ASSIGN_OR_RETURN(Value value, Eval(*arg, scope));
    values.positional.push_back(std::move(value));
  }
  for (const auto& [name, arg] : args.keyword) {
    CHAT_ASSIGN_OR_RETURN(Value value, Eval(*arg, scope));
    values.keyword.emplace_back(name, std::move(value));
  }
  return values;
}

absl::StatusOr<Value> Interpreter::Eval(const Expr& expr, const ScopePtr& scope) {
  absl::StatusOr<Value> value = EvalNode(expr, scope);
  if (!value.ok()) return WithLine(value.status(), expr.line);
  return value;
}

absl::StatusOr<Value> Interpreter::EvalNode(const Expr& expr, const ScopePtr& scope) {
  return std::visit(
      [&](const auto& node) -> absl::StatusOr<Value> {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, LiteralExpr>) {
          return node.value;
        } else if constexpr (std::is_same_v<T, NameExpr>) {
          return Lookup(node.name, *scope);
        } else if constexpr (std::is_same_v<T, ListExpr> || std::is_same_v<T, TupleExpr>) {
          std::vector<Value> items;
          for (const auto& item : node.items) {
            CHAT_ASSIGN_OR_RETURN(Value value, Eval(*item, scope));
            items.push_back(std::move(value));
          }
          if constexpr (std::is_same_v<T, ListExpr>) return Value::List(std::move(items));
          return Value::Tuple(std::move(items));
        } else if constexpr (std::is_same_v<T, DictExpr>) {
          Dict dict;
          for (const auto& [key_expr, value_expr] : node.entries) {
            CHAT_ASSIGN_OR_RETURN(Value key, Eval(*key_expr, scope));
            CHAT_ASSIGN_OR_RETURN(Value value, Eval(*value_expr, scope));
            if (key.is_list() || key.is_dict() || key.is_namespace()) {
              return TemplateRuntimeError(StrCat("unhashable type: '", TypeName(key), "'"));
            }
            dict.Set(std::move(key), std::move(value));
          }
          return Value::MakeDict(std::move(dict));
        } else if constexpr (std::is_same_v<T, GetAttrExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value object, Eval(*node.object, scope));
          return GetAttr(object, node.attribute);
        } else if constexpr (std::is_same_v<T, GetItemExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value object, Eval(*node.object, scope));
          CHAT_ASSIGN_OR_RETURN(Value index, Eval(*node.index, scope));
          return GetItem(object, index);
        } else if constexpr (std::is_same_v<T, SliceExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value object, Eval(*node.object, scope));
          std::optional<Value> bounds[3];
          const ExprPtr* parts[3] = {&node.start, &node.stop, &node.step};
          for (int i = 0; i < 3; ++i) {
            if (*parts[i] == nullptr) continue;
            CHAT_ASSIGN_OR_RETURN(bounds[i], Eval(**parts[i], scope));
          }
          return GetSlice(object, bounds[0], bounds[1], bounds[2]);
        } else if constexpr (std::is_same_v<T, CallExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value callee, Eval(*node.callee, scope));
          CHAT_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(node.args, scope));
          return Call(callee, args);
        } else if constexpr (std::is_same_v<T, FilterExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value input, Eval(*node.input, scope));
          CHAT_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(node.args, scope));
          return ApplyFilter(*this, node.name, input, args);
        } else if constexpr (std::is_same_v<T, TestExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value input, Eval(*node.input, scope));
          CHAT_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(node.args, scope));
          CHAT_ASSIGN_OR_RETURN(bool passed, ApplyTest(*this, node.name, input, args));
          return Value::Bool(passed != node.negated);
        } else if constexpr (std::is_same_v<T, UnaryExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value operand, Eval(*node.operand, scope));
          if (node.op == UnaryOp::kNot) return Value::Bool(!Truthy(operand));
          if (node.op == UnaryOp::kNegate) return Negate(operand);
          return UnaryPlus(operand);
        } else if constexpr (std::is_same_v<T, BinaryExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value left, Eval(*node.left, scope));
          CHAT_ASSIGN_OR_RETURN(Value right, Eval(*node.right, scope));
          if (node.concat) {
            std::string text = ToStr(left);
            CHAT_RETURN_IF_ERROR(Append(&text, ToStr(right)));
            return Value::String(std::move(text));
          }
          return Arithmetic(node.op, left, right, limits_.max_output_bytes);
        } else if constexpr (std::is_same_v<T, LogicExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value left, Eval(*node.left, scope));
          if (Truthy(left) == (node.op == LogicOp::kOr)) return left;
          return Eval(*node.right, scope);
        } else if constexpr (std::is_same_v<T, CompareExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value left, Eval(*node.first, scope));
          for (const auto& [op, operand] : node.rest) {
            CHAT_ASSIGN_OR_RETURN(Value right, Eval(*operand, scope));
            CHAT_ASSIGN_OR_RETURN(bool holds, Compare(op, left, right));
            if (!holds) return Value::Bool(false);
            left = std::move(right);
          }
          return Value::Bool(true);
        } else if constexpr (std::is_same_v<T, ConditionalExpr>) {
          CHAT_ASSIGN_OR_RETURN(Value condition, Eval(*node.condition, scope));
          if (Truthy(condition)) return Eval(*node.if_true, scope);
          if (node.if_false != nullptr) return Eval(*node.if_false, scope);
          return Value::Undefined(StrCat("the inline if-expression on line ", expr.line,
                                         " evaluated to false and no else section was defined."));
        }
      },
      expr.node);
}

}  // namespace radixlm::engine::jinja
