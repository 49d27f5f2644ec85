// jinja2's built-in tests (jinja2/tests.py): what `x is name(args)` evaluates.
#include <string>
#include <unordered_map>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/chat/args.h"
#include "src/engine/chat/builtins.h"
#include "src/engine/chat/interpreter.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {
namespace {

using Test = absl::StatusOr<bool> (*)(Interpreter&, const Value& value, const CallArgs& args);

absl::StatusOr<Value> OneArgument(std::string_view name, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs(name, {{"other", std::nullopt}}, args));
  return bound[0];
}

// value % divisor == remainder, with Python's % (so a string operand is a TypeError).
absl::StatusOr<bool> ModuloIs(Interpreter& interpreter, const Value& value, const Value& divisor,
                              int64_t remainder) {
  CHAT_ASSIGN_OR_RETURN(Value result, Arithmetic(BinaryOp::kMod, value, divisor,
                                                 interpreter.limits().max_output_bytes));
  return Equals(result, Value::Int(remainder));
}

template <bool (*Predicate)(const Value&)>
absl::StatusOr<bool> Unary(Interpreter&, const Value& value, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("test", {}, args).status());
  return Predicate(value);
}

template <CompareOp kOp>
absl::StatusOr<bool> Comparison(Interpreter&, const Value& value, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(Value other, OneArgument("compare", args));
  return Compare(kOp, value, other);
}

bool IsDefined(const Value& v) { return !v.is_undefined(); }
bool IsUndefined(const Value& v) { return v.is_undefined(); }
bool IsNone(const Value& v) { return v.is_none(); }
bool IsBoolean(const Value& v) { return v.is_bool(); }
bool IsFalse(const Value& v) { return v.is_bool() && !v.bool_value(); }
bool IsTrue(const Value& v) { return v.is_bool() && v.bool_value(); }
bool IsInteger(const Value& v) { return v.is_int(); }
bool IsFloat(const Value& v) { return v.is_float(); }
bool IsNumber(const Value& v) { return v.is_number(); }
bool IsString(const Value& v) { return v.is_string(); }
bool IsMapping(const Value& v) { return v.is_dict(); }
bool IsEscaped(const Value& v) { return v.is_markup(); }
// len() works and the type has __getitem__ (jinja2.runtime.Undefined has both).
bool IsSequence(const Value& v) {
  return v.is_string() || v.is_sequence() || v.is_dict() || v.is_undefined();
}
bool IsIterable(const Value& v) {
  return v.is_string() || v.is_sequence() || v.is_dict() || v.is_undefined() || v.is_iterator() ||
         v.is_loop();
}
// Undefined defines __call__ (to raise), so Python's callable() is true for it.
bool IsCallable(const Value& v) { return v.is_callable() || v.is_undefined(); }
bool IsLower(const Value& v) { return PythonIsLower(ToStr(v)); }
bool IsUpper(const Value& v) { return PythonIsUpper(ToStr(v)); }

absl::StatusOr<bool> TestOdd(Interpreter& interpreter, const Value& value, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("odd", {}, args).status());
  return ModuloIs(interpreter, value, Value::Int(2), 1);
}

absl::StatusOr<bool> TestEven(Interpreter& interpreter, const Value& value, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("even", {}, args).status());
  return ModuloIs(interpreter, value, Value::Int(2), 0);
}

absl::StatusOr<bool> TestDivisibleBy(Interpreter& interpreter, const Value& value,
                                     const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("divisibleby", {{"num", std::nullopt}}, args));
  return ModuloIs(interpreter, value, bound[0], 0);
}

absl::StatusOr<bool> TestIn(Interpreter&, const Value& value, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("in", {{"seq", std::nullopt}}, args));
  return Contains(bound[0], value);
}

absl::StatusOr<bool> TestSameAs(Interpreter&, const Value& value, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(Value other, OneArgument("sameas", args));
  if (value.kind() != other.kind()) return false;
  switch (value.kind()) {
    case Value::Kind::kNone:
      return true;
    case Value::Kind::kBool:
      return value.bool_value() == other.bool_value();
    case Value::Kind::kInt:
      // CPython shares the small integers, so `1 is 1` holds.
      return value.int_value() == other.int_value() && value.int_value() >= -5 &&
             value.int_value() <= 256;
    default:
      return value.identity() == other.identity();
  }
}

absl::StatusOr<bool> TestIsFilter(Interpreter&, const Value& value, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("filter", {}, args).status());
  return value.is_string() && FilterStatus(value.string_value()) != BuiltinStatus::kUnknown;
}

absl::StatusOr<bool> TestIsTest(Interpreter&, const Value& value, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("test", {}, args).status());
  return value.is_string() && TestStatus(value.string_value()) != BuiltinStatus::kUnknown;
}

const std::unordered_map<std::string_view, Test>& Tests() {
  static const auto* tests = new std::unordered_map<std::string_view, Test>{
      {"odd", TestOdd},
      {"even", TestEven},
      {"divisibleby", TestDivisibleBy},
      {"defined", Unary<IsDefined>},
      {"undefined", Unary<IsUndefined>},
      {"filter", TestIsFilter},
      {"test", TestIsTest},
      {"none", Unary<IsNone>},
      {"boolean", Unary<IsBoolean>},
      {"false", Unary<IsFalse>},
      {"true", Unary<IsTrue>},
      {"integer", Unary<IsInteger>},
      {"float", Unary<IsFloat>},
      {"lower", Unary<IsLower>},
      {"upper", Unary<IsUpper>},
      {"string", Unary<IsString>},
      {"mapping", Unary<IsMapping>},
      {"number", Unary<IsNumber>},
      {"sequence", Unary<IsSequence>},
      {"iterable", Unary<IsIterable>},
      {"callable", Unary<IsCallable>},
      {"sameas", TestSameAs},
      {"escaped", Unary<IsEscaped>},
      {"in", TestIn},
      {"==", Comparison<CompareOp::kEq>},
      {"eq", Comparison<CompareOp::kEq>},
      {"equalto", Comparison<CompareOp::kEq>},
      {"!=", Comparison<CompareOp::kNe>},
      {"ne", Comparison<CompareOp::kNe>},
      {">", Comparison<CompareOp::kGt>},
      {"gt", Comparison<CompareOp::kGt>},
      {"greaterthan", Comparison<CompareOp::kGt>},
      {">=", Comparison<CompareOp::kGe>},
      {"ge", Comparison<CompareOp::kGe>},
      {"<", Comparison<CompareOp::kLt>},
      {"lt", Comparison<CompareOp::kLt>},
      {"lessthan", Comparison<CompareOp::kLt>},
      {"<=", Comparison<CompareOp::kLe>},
      {"le", Comparison<CompareOp::kLe>},
  };
  return *tests;
}

}  // namespace

BuiltinStatus TestStatus(std::string_view name) {
  return Tests().count(name) > 0 ? BuiltinStatus::kImplemented : BuiltinStatus::kUnknown;
}

absl::StatusOr<bool> ApplyTest(Interpreter& interpreter, std::string_view name, const Value& input,
                               const CallArgs& args) {
  auto found = Tests().find(name);
  if (found == Tests().end()) return TemplateRuntimeError(StrCat("No test named '", name, "'."));
  return found->second(interpreter, input, args);
}

}  // namespace radixlm::engine::jinja
