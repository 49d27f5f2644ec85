#include "src/engine/chat/value_ops.h"

#include <cmath>
#include <utility>

#include "absl/strings/cord.h"
#include "src/common/strings.h"
#include "src/engine/chat/percent_format.h"
#include "src/engine/chat/python_literals.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"

namespace radixlm::engine::jinja {
namespace {

bool IsIntLike(const Value& v) { return v.is_int() || v.is_bool(); }

absl::Status UnsupportedOperands(std::string_view symbol, const Value& a, const Value& b) {
  return TemplateRuntimeError(StrCat("unsupported operand type(s) for ", symbol, ": '", TypeName(a),
                                     "' and '", TypeName(b), "'"));
}

std::string_view Symbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kFloorDiv:
      return "//";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "** or pow()";
  }
  return "?";
}

std::string_view Symbol(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
    default:
      return "==";
  }
}

absl::StatusOr<Value> IntPower(int64_t base, int64_t exponent) {
  int64_t result = 1;
  while (exponent > 0) {
    if ((exponent & 1) != 0 && __builtin_mul_overflow(result, base, &result)) {
      return IntegerOverflow();
    }
    exponent >>= 1;
    if (exponent > 0 && __builtin_mul_overflow(base, base, &base)) return IntegerOverflow();
  }
  return Value::Int(result);
}

// CPython's float floor division and modulo (Objects/floatobject.c, _float_div_mod).
std::pair<double, double> FloatDivMod(double x, double y) {
  double mod = std::fmod(x, y);
  double div = (x - mod) / y;
  if (mod != 0) {
    if ((y < 0) != (mod < 0)) {
      mod += y;
      div -= 1.0;
    }
  } else {
    mod = std::copysign(0.0, y);
  }
  double floor_div;
  if (div != 0) {
    floor_div = std::floor(div);
    if (div - floor_div > 0.5) floor_div += 1.0;
  } else {
    floor_div = std::copysign(0.0, x / y);
  }
  return {floor_div, mod};
}

absl::StatusOr<Value> NumberArithmetic(BinaryOp op, const Value& a, const Value& b) {
  if (IsIntLike(a) && IsIntLike(b)) {
    int64_t x = a.AsInt();
    int64_t y = b.AsInt();
    int64_t result = 0;
    switch (op) {
      case BinaryOp::kAdd:
        if (__builtin_add_overflow(x, y, &result)) return IntegerOverflow();
        return Value::Int(result);
      case BinaryOp::kSub:
        if (__builtin_sub_overflow(x, y, &result)) return IntegerOverflow();
        return Value::Int(result);
      case BinaryOp::kMul:
        if (__builtin_mul_overflow(x, y, &result)) return IntegerOverflow();
        return Value::Int(result);
      case BinaryOp::kDiv:
        if (y == 0) return TemplateRuntimeError("division by zero");
        return Value::Float(static_cast<double>(x) / static_cast<double>(y));
      case BinaryOp::kFloorDiv:
      case BinaryOp::kMod: {
        if (y == 0) {
          return TemplateRuntimeError(op == BinaryOp::kMod ? "integer modulo by zero"
                                                           : "integer division or modulo by zero");
        }
        if (x == INT64_MIN && y == -1) return IntegerOverflow();
        int64_t quotient = x / y;
        int64_t remainder = x % y;
        if (remainder != 0 && ((remainder < 0) != (y < 0))) {
          --quotient;
          remainder += y;
        }
        return Value::Int(op == BinaryOp::kMod ? remainder : quotient);
      }
      case BinaryOp::kPow:
        if (y < 0) {
          if (x == 0) return TemplateRuntimeError("0.0 cannot be raised to a negative power");
          return Value::Float(std::pow(static_cast<double>(x), static_cast<double>(y)));
        }
        return IntPower(x, y);
    }
  }
  double x = a.AsDouble();
  double y = b.AsDouble();
  switch (op) {
    case BinaryOp::kAdd:
      return Value::Float(x + y);
    case BinaryOp::kSub:
      return Value::Float(x - y);
    case BinaryOp::kMul:
      return Value::Float(x * y);
    case BinaryOp::kDiv:
      if (y == 0) return TemplateRuntimeError("float division by zero");
      return Value::Float(x / y);
    case BinaryOp::kFloorDiv:
      if (y == 0) return TemplateRuntimeError("float floor division by zero");
      return Value::Float(FloatDivMod(x, y).first);
    case BinaryOp::kMod:
      if (y == 0) return TemplateRuntimeError("float modulo");
      return Value::Float(FloatDivMod(x, y).second);
    case BinaryOp::kPow:
      if (x == 0 && y < 0) return TemplateRuntimeError("0.0 cannot be raised to a negative power");
      if (x < 0 && y != std::floor(y)) {
        return TemplateRuntimeError(
            "a negative number raised to a fractional power is complex; "
            "complex numbers are not supported in chat templates");
      }
      {
        double result = std::pow(x, y);
        if (std::isinf(result) && std::isfinite(x) && std::isfinite(y)) {
          return TemplateRuntimeError("(34, 'Numerical result out of range')");
        }
        return Value::Float(result);
      }
  }
  return TemplateRuntimeError("unknown operator");
}

absl::StatusOr<Value> Repeat(const Value& sequence, int64_t times) {
  if (times < 0) times = 0;
  if (sequence.is_string()) {
    std::string out;
    out.reserve(sequence.string_value().size() * static_cast<size_t>(times));
    for (int64_t i = 0; i < times; ++i) out += sequence.string_value();
    return Value::String(std::move(out), sequence.is_markup());
  }
  std::vector<Value> out;
  out.reserve(sequence.items().size() * static_cast<size_t>(times));
  for (int64_t i = 0; i < times; ++i) {
    out.insert(out.end(), sequence.items().begin(), sequence.items().end());
  }
  return sequence.is_tuple() ? Value::Tuple(std::move(out)) : Value::List(std::move(out));
}

// Rough size in bytes of a string or sequence, to refuse building oversized values.
size_t ValueSize(const Value& v) {
  if (v.is_string()) return v.string_value().size();
  if (v.is_sequence()) return v.items().size() * sizeof(Value);
  return 0;
}

absl::Status TooLarge(size_t size, size_t max_bytes) {
  return absl::ResourceExhaustedError(StrCat("the chat template built a value of ", size,
                                             " bytes, over the limit of ", max_bytes,
                                             " (ChatTemplateLimits::max_output_bytes)"));
}

absl::StatusOr<Value> Add(const Value& a, const Value& b, size_t max_bytes) {
  if (ValueSize(a) + ValueSize(b) > max_bytes)
    return TooLarge(ValueSize(a) + ValueSize(b), max_bytes);
  if (a.is_number() && b.is_number()) return NumberArithmetic(BinaryOp::kAdd, a, b);
  if (a.is_string() && b.is_string()) {
    // markupsafe: adding to Markup escapes the plain operand and yields Markup.
    if (a.is_markup() != b.is_markup()) {
      return a.is_markup() ? Value::String(a.string_value() + HtmlEscape(b.string_value()), true)
                           : Value::String(HtmlEscape(a.string_value()) + b.string_value(), true);
    }
    return Value::String(a.string_value() + b.string_value(), a.is_markup());
  }
  if (a.is_markup()) return UnsupportedOperands("+", a, b);
  if ((a.is_list() && b.is_list()) || (a.is_tuple() && b.is_tuple())) {
    std::vector<Value> items = a.items();
    items.insert(items.end(), b.items().begin(), b.items().end());
    return a.is_tuple() ? Value::Tuple(std::move(items)) : Value::List(std::move(items));
  }
  if (a.is_string() || a.is_list() || a.is_tuple()) {
    return TemplateRuntimeError(StrCat("can only concatenate ", TypeName(a), " (not \"",
                                       TypeName(b), "\") to ", TypeName(a)));
  }
  return UnsupportedOperands("+", a, b);
}

absl::StatusOr<Value> Multiply(const Value& a, const Value& b, size_t max_bytes) {
  if (a.is_number() && b.is_number()) return NumberArithmetic(BinaryOp::kMul, a, b);
  bool a_seq = a.is_string() || a.is_sequence();
  bool b_seq = b.is_string() || b.is_sequence();
  if ((a_seq && IsIntLike(b)) || (b_seq && IsIntLike(a))) {
    const Value& sequence = a_seq ? a : b;
    int64_t times = a_seq ? b.AsInt() : a.AsInt();
    size_t size = ValueSize(sequence);
    if (times > 0 && size > 0 && static_cast<uint64_t>(times) > max_bytes / size) {
      return TooLarge(max_bytes + 1, max_bytes);
    }
    return Repeat(sequence, times);
  }
  if (a_seq || b_seq) {
    // CPython names the operand that is not an int; Markup's __mul__ defers to the other
    // operand's __rmul__, which then names the Markup.
    const Value& culprit = (a_seq && !a.is_markup()) ? b : a;
    return TemplateRuntimeError(
        StrCat("can't multiply sequence by non-int of type '", TypeName(culprit), "'"));
  }
  return UnsupportedOperands("*", a, b);
}

}  // namespace

absl::Status TemplateRuntimeError(std::string message) {
  return absl::InvalidArgumentError(std::move(message));
}

absl::Status UndefinedError(const Value& undefined) {
  return absl::InvalidArgumentError(undefined.undefined_message());
}

namespace {
constexpr std::string_view kRaisedPayload = "type.radixlm.dev/chat_template_raised";
}  // namespace

absl::Status RaisedByTemplate(std::string message) {
  absl::Status status = absl::InvalidArgumentError(std::move(message));
  status.SetPayload(ToAbsl(kRaisedPayload), absl::Cord("1"));
  return status;
}

bool IsRaisedByTemplate(const absl::Status& status) {
  return status.GetPayload(ToAbsl(kRaisedPayload)).has_value();
}

absl::Status IntegerOverflow() {
  return TemplateRuntimeError(
      "integer overflow: chat templates compute with 64-bit integers, and this result does not "
      "fit");
}

std::string TypeName(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kUndefined:
      return "Undefined";
    case Value::Kind::kNone:
      return "NoneType";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kFloat:
      return "float";
    case Value::Kind::kString:
      return value.is_markup() ? "Markup" : "str";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kTuple:
      return "tuple";
    case Value::Kind::kDict:
      return "dict";
    case Value::Kind::kNamespace:
      return "Namespace";
    case Value::Kind::kCallable:
      return value.callable().type_name;
    case Value::Kind::kIterator:
      return value.iterator().type_name;
    case Value::Kind::kLoop:
      return "LoopContext";
  }
  return "object";
}

std::string ObjectTypeRepr(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNone:
      return "None";
    case Value::Kind::kUndefined:
      return "jinja2.runtime.Undefined object";
    case Value::Kind::kNamespace:
      return "jinja2.utils.Namespace object";
    case Value::Kind::kLoop:
      return "jinja2.runtime.LoopContext object";
    case Value::Kind::kString:
      if (value.is_markup()) return "markupsafe.Markup object";
      break;
    case Value::Kind::kCallable:
      if (value.callable().type_name == "Macro") return "jinja2.runtime.Macro object";
      break;
    default:
      break;
  }
  return TypeName(value) + " object";
}

Value MissingAttribute(const Value& object, std::string_view name) {
  return Value::Undefined(StrCat(PythonStringRepr(ObjectTypeRepr(object)), " has no attribute ",
                                 PythonStringRepr(name)));
}

Value MissingElement(const Value& object, const Value& key) {
  if (key.is_string()) return MissingAttribute(object, key.string_value());
  return Value::Undefined(StrCat(ObjectTypeRepr(object), " has no element ", Repr(key)));
}

bool Truthy(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
      return false;
    case Value::Kind::kBool:
      return value.bool_value();
    case Value::Kind::kInt:
      return value.int_value() != 0;
    case Value::Kind::kFloat:
      return value.float_value() != 0;
    case Value::Kind::kString:
      return !value.string_value().empty();
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      return !value.items().empty();
    case Value::Kind::kDict:
      return !value.dict().empty();
    default:
      return true;
  }
}

namespace {

bool EqualsAt(const Value& a, const Value& b, int depth);

}  // namespace

bool Equals(const Value& a, const Value& b) { return EqualsAt(a, b, 0); }

namespace {

bool EqualsAt(const Value& a, const Value& b, int depth) {
  if (depth > kMaxValueNesting) return false;
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.AsDouble() == b.AsDouble();
    return a.AsInt() == b.AsInt();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
      return true;
    case Value::Kind::kString:
      return a.string_value() == b.string_value();
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      if (a.items().size() != b.items().size()) return false;
      for (size_t i = 0; i < a.items().size(); ++i) {
        if (!EqualsAt(a.items()[i], b.items()[i], depth + 1)) return false;
      }
      return true;
    }
    case Value::Kind::kDict: {
      if (a.dict().size() != b.dict().size()) return false;
      for (const auto& [key, value] : a.dict().entries()) {
        const Value* other = b.dict().Find(key);
        if (other == nullptr || !EqualsAt(value, *other, depth + 1)) return false;
      }
      return true;
    }
    default:
      return a.identity() == b.identity();
  }
}

}  // namespace

absl::StatusOr<Value> Arithmetic(BinaryOp op, const Value& a, const Value& b,
                                 size_t max_result_bytes) {
  if (a.is_undefined()) return UndefinedError(a);
  if (b.is_undefined()) return UndefinedError(b);
  switch (op) {
    case BinaryOp::kAdd:
      return Add(a, b, max_result_bytes);
    case BinaryOp::kMul:
      return Multiply(a, b, max_result_bytes);
    case BinaryOp::kMod:
      if (a.is_string()) {
        CHAT_ASSIGN_OR_RETURN(std::string text,
                              PercentFormat(a.string_value(), b, max_result_bytes));
        return Value::String(std::move(text));
      }
      [[fallthrough]];
    default:
      if (a.is_number() && b.is_number()) return NumberArithmetic(op, a, b);
      return UnsupportedOperands(Symbol(op), a, b);
  }
}

absl::StatusOr<Value> Negate(const Value& value) {
  if (value.is_undefined()) return UndefinedError(value);
  if (value.is_float()) return Value::Float(-value.float_value());
  if (IsIntLike(value)) {
    if (value.AsInt() == INT64_MIN) return IntegerOverflow();
    return Value::Int(-value.AsInt());
  }
  return TemplateRuntimeError(StrCat("bad operand type for unary -: '", TypeName(value), "'"));
}

absl::StatusOr<Value> UnaryPlus(const Value& value) {
  if (value.is_undefined()) return UndefinedError(value);
  if (value.is_float()) return value;
  if (IsIntLike(value)) return Value::Int(value.AsInt());
  return TemplateRuntimeError(StrCat("bad operand type for unary +: '", TypeName(value), "'"));
}

namespace {
absl::StatusOr<bool> CompareAt(CompareOp op, const Value& a, const Value& b, int depth);
}  // namespace

absl::StatusOr<bool> Compare(CompareOp op, const Value& a, const Value& b) {
  return CompareAt(op, a, b, 0);
}

namespace {

absl::StatusOr<bool> CompareAt(CompareOp op, const Value& a, const Value& b, int depth) {
  if (depth > kMaxValueNesting) {
    return TemplateRuntimeError("maximum recursion depth exceeded in comparison");
  }
  switch (op) {
    case CompareOp::kEq:
      return Equals(a, b);
    case CompareOp::kNe:
      return !Equals(a, b);
    case CompareOp::kIn:
      return Contains(b, a);
    case CompareOp::kNotIn: {
      CHAT_ASSIGN_OR_RETURN(bool found, Contains(b, a));
      return !found;
    }
    default:
      break;
  }
  if (a.is_undefined()) return UndefinedError(a);
  if (b.is_undefined()) return UndefinedError(b);
  auto apply = [op](auto x, auto y) {
    switch (op) {
      case CompareOp::kLt:
        return x < y;
      case CompareOp::kLe:
        return x <= y;
      case CompareOp::kGt:
        return x > y;
      default:
        return x >= y;
    }
  };
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return apply(a.AsDouble(), b.AsDouble());
    return apply(a.AsInt(), b.AsInt());
  }
  if (a.is_string() && b.is_string()) return apply(a.string_value(), b.string_value());
  if ((a.is_list() && b.is_list()) || (a.is_tuple() && b.is_tuple())) {
    const auto& x = a.items();
    const auto& y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!Equals(x[i], y[i])) return CompareAt(op, x[i], y[i], depth + 1);
    }
    return apply(x.size(), y.size());
  }
  return TemplateRuntimeError(StrCat("'", Symbol(op), "' not supported between instances of '",
                                     TypeName(a), "' and '", TypeName(b), "'"));
}

}  // namespace

absl::StatusOr<bool> Contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::kUndefined:
      return false;
    case Value::Kind::kString:
      if (!item.is_string()) {
        return TemplateRuntimeError(
            StrCat("'in <string>' requires string as left operand, not ", TypeName(item)));
      }
      return container.string_value().find(item.string_value()) != std::string::npos;
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      for (const Value& element : container.items()) {
        if (Equals(element, item)) return true;
      }
      return false;
    case Value::Kind::kDict:
      if (item.is_list() || item.is_dict() || item.is_namespace()) {
        return TemplateRuntimeError(StrCat("unhashable type: '", TypeName(item), "'"));
      }
      return container.dict().Find(item) != nullptr;
    case Value::Kind::kIterator: {
      IteratorState& state = container.iterator();
      while (state.position < state.items.size()) {
        if (Equals(state.items[state.position++], item)) return true;
      }
      return false;
    }
    default:
      return TemplateRuntimeError(
          StrCat("argument of type '", TypeName(container), "' is not iterable"));
  }
}

}  // namespace radixlm::engine::jinja
