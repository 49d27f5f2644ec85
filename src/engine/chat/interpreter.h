// Renders a parsed chat template: a tree-walking evaluator with jinja2's scoping rules (a for
// loop's body gets a fresh scope per iteration, macros see their defining scope at call time,
// `set` binds in the innermost scope) and guards against runaway templates.
//
// An Interpreter renders one template once; it is not thread-safe and not reusable.
#ifndef RADIXLM_SRC_ENGINE_CHAT_INTERPRETER_H_
#define RADIXLM_SRC_ENGINE_CHAT_INTERPRETER_H_

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/chat/ast.h"
#include "src/engine/chat/value.h"

namespace radixlm::engine::jinja {

struct InterpreterLimits {
  size_t max_output_bytes;  // Of the output, and of any string or list built on the way.
  int max_call_depth;       // Nested macro calls.
  int64_t max_steps;        // Statements, loop iterations, macro calls and filtered items.
};

// A variable scope; lookups that miss continue in the parent.
struct Scope {
  std::shared_ptr<Scope> parent;
  std::vector<std::pair<std::string, Value>> variables;

  const Value* Find(std::string_view name) const;
  void Set(std::string_view name, Value value);
};

class Interpreter {
 public:
  // `local_time` is what strftime_now() formats; absent, the current local time.
  Interpreter(InterpreterLimits limits, std::optional<std::tm> local_time);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Renders `body` with `variables` as the template's context.
  absl::StatusOr<std::string> Render(const StmtList& body,
                                     std::vector<std::pair<std::string, Value>> variables);

  // Calls a callable value (macro, global, method) with evaluated arguments.
  absl::StatusOr<Value> Call(const Value& callee, CallArgs& args);

  const InterpreterLimits& limits() const { return limits_; }
  std::tm LocalTime() const;
  // Counts `steps` units of work against InterpreterLimits::max_steps.
  absl::Status Tick(int64_t steps = 1);
  // Remembers a namespace so that the reference cycles it may take part in are broken after the
  // render.
  void TrackNamespace(const Value& ns);

 private:
  enum class Flow { kNormal, kBreak, kContinue };
  using ScopePtr = std::shared_ptr<Scope>;

  absl::StatusOr<Flow> Exec(const StmtList& body, const ScopePtr& scope, std::string* out);
  absl::StatusOr<Flow> ExecStmt(const Stmt& stmt, const ScopePtr& scope, std::string* out);
  absl::StatusOr<Flow> ExecFor(const ForStmt& loop, const ScopePtr& scope, std::string* out);
  absl::Status ExecCallBlock(const CallBlockStmt& block, const ScopePtr& scope, std::string* out);
  // Renders `body` in a child scope of `scope`.
  absl::StatusOr<std::string> RenderBlock(const StmtList& body, const ScopePtr& scope);
  absl::StatusOr<Value> ApplyFilters(const std::vector<ExprPtr>& filters, Value value,
                                     const ScopePtr& scope);
  absl::Status Assign(const AssignTarget& target, const Value& value, Scope& scope);
  absl::Status Append(std::string* out, std::string_view text) const;

  absl::StatusOr<Value> Eval(const Expr& expr, const ScopePtr& scope);
  absl::StatusOr<Value> EvalNode(const Expr& expr, const ScopePtr& scope);
  absl::StatusOr<CallArgs> EvalArgs(const CallArguments& args, const ScopePtr& scope);
  Value Lookup(const std::string& name, const Scope& scope) const;

  Value MakeMacro(std::shared_ptr<const MacroStmt> macro, const ScopePtr& closure);
  absl::StatusOr<Value> CallMacro(const MacroStmt& macro, const ScopePtr& closure, CallArgs& args);

  InterpreterLimits limits_;
  std::optional<std::tm> local_time_;
  int64_t steps_ = 0;
  int call_depth_ = 0;
  // Scopes closed over by macros and namespaces created during the render: both can reach
  // themselves through a stored value, so they are emptied when the render ends.
  std::vector<std::weak_ptr<Scope>> closure_scopes_;
  std::vector<std::weak_ptr<void>> namespaces_;
};

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_INTERPRETER_H_
