// jinja2's built-in filters (jinja2/filters.py), with transformers' own `tojson`.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "src/common/strings.h"
#include "src/engine/chat/args.h"
#include "src/engine/chat/builtins.h"
#include "src/engine/chat/filter_support.h"
#include "src/engine/chat/interpreter.h"
#include "src/engine/chat/json.h"
#include "src/engine/chat/methods.h"
#include "src/engine/chat/percent_format.h"
#include "src/engine/chat/python_literals.h"
#include "src/engine/chat/sequence_filters.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {
namespace {

using Filter = absl::StatusOr<Value> (*)(Interpreter&, const Value& input, const CallArgs& args);

absl::StatusOr<Value> FilterAbs(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("abs", {}, args).status());
  if (input.is_float()) return Value::Float(std::fabs(input.float_value()));
  if (input.is_int() || input.is_bool()) {
    if (input.AsInt() == INT64_MIN) return IntegerOverflow();
    return Value::Int(input.AsInt() < 0 ? -input.AsInt() : input.AsInt());
  }
  return TemplateRuntimeError(StrCat("bad operand type for abs(): '", TypeName(input), "'"));
}

absl::StatusOr<Value> FilterAttr(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("attr", {{"name", std::nullopt}}, args));
  CHAT_ASSIGN_OR_RETURN(std::string name, StringArg("attr", bound[0]));
  // Only attributes: unlike `x.name`, the attr filter never falls back to items.
  if (input.is_undefined()) return UndefinedError(input);
  std::optional<absl::StatusOr<Value>> attribute = LookupAttribute(input, name);
  if (attribute.has_value()) return *std::move(attribute);
  if (input.is_namespace()) {
    if (const Value* found = input.namespace_attributes().Find(name)) return *found;
  }
  return MissingAttribute(input, name);
}

absl::StatusOr<Value> FilterCapitalize(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("capitalize", {}, args).status());
  Value text = SoftStr(input);
  return Value::String(PythonCapitalize(text.string_value()), text.is_markup());
}

absl::StatusOr<Value> FilterCenter(Interpreter& interpreter, const Value& input,
                                   const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("center", {{"width", Value::Int(80)}}, args));
  CHAT_ASSIGN_OR_RETURN(int64_t width, IntArg("center", bound[0]));
  CHAT_RETURN_IF_ERROR(CheckSize(interpreter, static_cast<size_t>(std::max<int64_t>(0, width))));
  Value text = SoftStr(input);
  return Value::String(PythonCenter(text.string_value(), width), text.is_markup());
}

absl::StatusOr<Value> FilterLength(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("length", {}, args).status());
  CHAT_ASSIGN_OR_RETURN(int64_t length, Length(input));
  return Value::Int(length);
}

absl::StatusOr<Value> FilterDefault(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound,
      BindArgs("default", {{"default_value", Value::String("")}, {"boolean", Value::Bool(false)}},
               args));
  if (input.is_undefined() || (Truthy(bound[1]) && !Truthy(input))) return bound[0];
  return input;
}

absl::StatusOr<Value> FilterEscape(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("escape", {}, args).status());
  if (input.is_markup()) return input;
  return Value::String(HtmlEscape(ToStr(input)), true);
}

absl::StatusOr<Value> FilterForceEscape(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("forceescape", {}, args).status());
  return Value::String(HtmlEscape(ToStr(input)), true);
}

absl::StatusOr<Value> FilterFloat(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("float", {{"default", Value::Float(0.0)}}, args));
  if (input.is_undefined()) return UndefinedError(input);
  if (input.is_number()) return Value::Float(input.AsDouble());
  if (input.is_string()) {
    std::optional<double> parsed = ParsePythonFloat(input.string_value());
    if (parsed.has_value()) return Value::Float(*parsed);
  }
  return bound[0];
}

absl::StatusOr<Value> FilterInt(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound, BindArgs("int", {{"default", Value::Int(0)}, {"base", Value::Int(10)}}, args));
  if (input.is_undefined()) return UndefinedError(input);
  if (input.is_int() || input.is_bool()) return Value::Int(input.AsInt());
  if (input.is_float()) {
    double truncated = std::trunc(input.float_value());
    if (std::isnan(truncated)) return bound[0];
    if (std::isinf(truncated) || std::fabs(truncated) >= 9.2e18) return IntegerOverflow();
    return Value::Int(static_cast<int64_t>(truncated));
  }
  if (input.is_string()) {
    CHAT_ASSIGN_OR_RETURN(int64_t base, IntArg("int", bound[1]));
    std::optional<int64_t> parsed = ParsePythonInt(input.string_value(), base);
    if (parsed.has_value()) return Value::Int(*parsed);
    // jinja2: "42.23"|int is 42.
    std::optional<double> as_float = ParsePythonFloat(input.string_value());
    if (as_float.has_value() && std::isfinite(*as_float) && std::fabs(*as_float) < 9.2e18) {
      return Value::Int(static_cast<int64_t>(std::trunc(*as_float)));
    }
  }
  return bound[0];
}

// "%s and %s"|format(a, b): printf-style formatting of the input.
absl::StatusOr<Value> FilterFormat(Interpreter& interpreter, const Value& input,
                                   const CallArgs& args) {
  if (!args.positional.empty() && !args.keyword.empty()) {
    return TemplateRuntimeError("can't handle positional and keyword arguments at the same time");
  }
  Value arguments = Value::Tuple(args.positional);
  if (!args.keyword.empty()) {
    Dict named;
    for (const auto& [name, value] : args.keyword) named.Set(Value::String(name), value);
    arguments = Value::MakeDict(std::move(named));
  }
  CHAT_ASSIGN_OR_RETURN(std::string text, PercentFormat(SoftStr(input).string_value(), arguments,
                                                        interpreter.limits().max_output_bytes));
  return Value::String(std::move(text));
}

absl::StatusOr<Value> FilterIndent(Interpreter& interpreter, const Value& input,
                                   const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("indent",
                                             {{"width", Value::Int(4)},
                                              {"first", Value::Bool(false)},
                                              {"blank", Value::Bool(false)}},
                                             args));
  if (input.is_undefined()) return UndefinedError(input);
  std::string indentation;
  if (bound[0].is_string()) {
    indentation = bound[0].string_value();
  } else {
    CHAT_ASSIGN_OR_RETURN(int64_t width, IntArg("indent", bound[0]));
    CHAT_RETURN_IF_ERROR(CheckSize(interpreter, static_cast<size_t>(std::max<int64_t>(0, width))));
    indentation.assign(static_cast<size_t>(std::max<int64_t>(0, width)), ' ');
  }
  if (input.is_list()) {
    // jinja2 appends "\n" to a list (list += str) and then fails to split its lines.
    return TemplateRuntimeError("'list' object has no attribute 'splitlines'");
  }
  if (!input.is_string()) {
    return TemplateRuntimeError(
        StrCat("unsupported operand type(s) for +=: '", TypeName(input), "' and 'str'"));
  }
  std::vector<std::string> lines = PythonSplitLines(input.string_value() + "\n", false);
  CHAT_RETURN_IF_ERROR(
      CheckSize(interpreter, input.string_value().size() + lines.size() * indentation.size()));
  std::string out;
  if (Truthy(bound[2])) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) out += "\n" + indentation;
      out += lines[i];
    }
  } else if (!lines.empty()) {
    out = lines[0];
    for (size_t i = 1; i < lines.size(); ++i) {
      out += "\n";
      if (!lines[i].empty()) out += indentation;
      out += lines[i];
    }
  }
  if (Truthy(bound[1])) out = indentation + out;
  return Value::String(std::move(out), input.is_markup());
}

absl::StatusOr<Value> FilterLower(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("lower", {}, args).status());
  Value text = SoftStr(input);
  return Value::String(PythonLower(text.string_value()), text.is_markup());
}

absl::StatusOr<Value> FilterUpper(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("upper", {}, args).status());
  Value text = SoftStr(input);
  return Value::String(PythonUpper(text.string_value()), text.is_markup());
}

absl::StatusOr<Value> FilterTitle(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("title", {}, args).status());
  Value text = SoftStr(input);
  return Value::String(JinjaTitle(text.string_value()), text.is_markup());
}

absl::StatusOr<Value> FilterReplace(Interpreter& interpreter, const Value& input,
                                    const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound,
      BindArgs("replace", {{"old", std::nullopt}, {"new", std::nullopt}, {"count", Value::None()}},
               args));
  std::string text = ToStr(input);
  std::string old_text = ToStr(bound[0]);
  std::string new_text = ToStr(bound[1]);
  int64_t count = -1;
  if (!bound[2].is_none()) {
    CHAT_ASSIGN_OR_RETURN(count, IntArg("replace", bound[2]));
  }
  int64_t occurrences = PythonCount(text, old_text);
  if (count >= 0) occurrences = std::min(occurrences, count);
  CHAT_RETURN_IF_ERROR(
      CheckSize(interpreter, text.size() + static_cast<size_t>(occurrences) * new_text.size()));
  return Value::String(PythonReplace(text, old_text, new_text, count));
}

// Python's round(x, ndigits) for floats: correctly rounded, ties to even.
double RoundFloat(double value, int64_t digits) {
  if (!std::isfinite(value)) return value;
  if (digits >= 0) {
    if (digits > 330) return value;
    // to_chars with a precision rounds correctly (ties to even on the exact binary value).
    std::array<char, 512> text{};
    auto written = std::to_chars(text.data(), text.data() + text.size(), value,
                                 std::chars_format::fixed, static_cast<int>(digits));
    double rounded = 0;
    std::from_chars(text.data(), written.ptr, rounded);
    return rounded;
  }
  double scale = std::pow(10.0, static_cast<double>(-digits));
  return std::nearbyint(value / scale) * scale;
}

absl::StatusOr<Value> FilterRound(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound,
      BindArgs("round", {{"precision", Value::Int(0)}, {"method", Value::String("common")}}, args));
  CHAT_ASSIGN_OR_RETURN(int64_t precision, IntArg("round", bound[0]));
  std::string method = bound[1].is_string() ? bound[1].string_value() : "";
  if (method != "common" && method != "ceil" && method != "floor") {
    return TemplateRuntimeError("method must be common, ceil or floor");
  }
  if (!input.is_number()) {
    return TemplateRuntimeError(
        StrCat("type ", TypeName(input), " doesn't define __round__ method"));
  }
  if (method == "common") {
    if (input.is_float()) return Value::Float(RoundFloat(input.float_value(), precision));
    if (precision >= 0) return Value::Int(input.AsInt());
    return Value::Int(static_cast<int64_t>(RoundFloat(input.AsDouble(), precision)));
  }
  double scale = std::pow(10.0, static_cast<double>(precision));
  double scaled = input.AsDouble() * scale;
  double rounded = method == "ceil" ? std::ceil(scaled) : std::floor(scaled);
  return Value::Float(rounded / scale);
}

absl::StatusOr<Value> FilterSafe(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("safe", {}, args).status());
  return Value::String(ToStr(input), true);
}

absl::StatusOr<Value> FilterString(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("string", {}, args).status());
  return SoftStr(input);
}

// transformers' tojson: json.dumps(x, ensure_ascii=False, indent=None, separators=None,
// sort_keys=False) — not jinja2's HTML-safe version.
absl::StatusOr<Value> FilterToJson(Interpreter& interpreter, const Value& input,
                                   const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("tojson",
                                             {{"ensure_ascii", Value::Bool(false)},
                                              {"indent", Value::None()},
                                              {"separators", Value::None()},
                                              {"sort_keys", Value::Bool(false)}},
                                             args));
  JsonDumpOptions options;
  options.ensure_ascii = Truthy(bound[0]);
  if (bound[1].is_string()) {
    options.indent = bound[1].string_value();
  } else if (!bound[1].is_none()) {
    CHAT_ASSIGN_OR_RETURN(int64_t width, IntArg("tojson", bound[1]));
    CHAT_RETURN_IF_ERROR(CheckSize(interpreter, static_cast<size_t>(std::max<int64_t>(0, width))));
    options.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, width)), ' ');
  }
  if (options.indent.has_value())
    options.item_separator.assign(1, ',');  // json.dumps's default with indent.
  if (!bound[2].is_none()) {
    if (!bound[2].is_sequence() || bound[2].items().size() != 2 ||
        !bound[2].items()[0].is_string() || !bound[2].items()[1].is_string()) {
      return TemplateRuntimeError("tojson separators must be a pair of strings");
    }
    options.item_separator = bound[2].items()[0].string_value();
    options.key_separator = bound[2].items()[1].string_value();
  }
  options.sort_keys = Truthy(bound[3]);
  CHAT_ASSIGN_OR_RETURN(std::string json, JsonDumps(input, options));
  CHAT_RETURN_IF_ERROR(CheckSize(interpreter, json.size()));
  return Value::String(std::move(json));
}

absl::StatusOr<Value> FilterTrim(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("trim", {{"chars", Value::None()}}, args));
  CHAT_ASSIGN_OR_RETURN(std::optional<std::string> chars, OptionalString("strip", bound[0]));
  Value text = SoftStr(input);
  return Value::String(PythonStrip(text.string_value(), chars, true, true), text.is_markup());
}

absl::StatusOr<Value> FilterWordCount(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("wordcount", {}, args).status());
  return Value::Int(WordCount(ToStr(input)));
}

const std::unordered_map<std::string_view, Filter>& Filters() {
  static const auto* filters = new std::unordered_map<std::string_view, Filter>{
      {"abs", FilterAbs},
      {"attr", FilterAttr},
      {"batch", FilterBatch},
      {"capitalize", FilterCapitalize},
      {"center", FilterCenter},
      {"count", FilterLength},
      {"d", FilterDefault},
      {"default", FilterDefault},
      {"dictsort", FilterDictsort},
      {"e", FilterEscape},
      {"escape", FilterEscape},
      {"first", FilterFirst},
      {"float", FilterFloat},
      {"forceescape", FilterForceEscape},
      {"format", FilterFormat},
      {"indent", FilterIndent},
      {"int", FilterInt},
      {"items", FilterItems},
      {"join", FilterJoin},
      {"last", FilterLast},
      {"length", FilterLength},
      {"list", FilterList},
      {"lower", FilterLower},
      {"map", FilterMap},
      {"max", FilterMax},
      {"min", FilterMin},
      {"reject", FilterReject},
      {"rejectattr", FilterRejectAttr},
      {"replace", FilterReplace},
      {"reverse", FilterReverse},
      {"round", FilterRound},
      {"safe", FilterSafe},
      {"select", FilterSelect},
      {"selectattr", FilterSelectAttr},
      {"sort", FilterSort},
      {"string", FilterString},
      {"sum", FilterSum},
      {"title", FilterTitle},
      {"tojson", FilterToJson},
      {"trim", FilterTrim},
      {"unique", FilterUnique},
      {"upper", FilterUpper},
      {"wordcount", FilterWordCount},
  };
  return *filters;
}

}  // namespace

BuiltinStatus FilterStatus(std::string_view name) {
  if (Filters().count(name) > 0) return BuiltinStatus::kImplemented;
  static const auto* kUnsupported = new std::unordered_set<std::string_view>{
      "filesizeformat", "groupby",   "pprint", "random",   "slice",  "striptags",
      "truncate",       "urlencode", "urlize", "wordwrap", "xmlattr"};
  return kUnsupported->count(name) > 0 ? BuiltinStatus::kUnsupported : BuiltinStatus::kUnknown;
}

absl::StatusOr<Value> ApplyFilter(Interpreter& interpreter, std::string_view name,
                                  const Value& input, const CallArgs& args) {
  auto found = Filters().find(name);
  if (found == Filters().end()) {
    return TemplateRuntimeError(StrCat("No filter named '", name, "'."));
  }
  return found->second(interpreter, input, args);
}

}  // namespace radixlm::engine::jinja
