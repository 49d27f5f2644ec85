// The global functions of transformers' template environment: jinja2's defaults (range, dict,
// namespace, joiner, cycler, lipsum) under the sandbox's range limit, plus transformers'
// raise_exception and strftime_now.
#include <locale.h>

#include <ctime>
#include <memory>
#include <string>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/chat/args.h"
#include "src/engine/chat/builtins.h"
#include "src/engine/chat/interpreter.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {
namespace {

// jinja2.sandbox.MAX_RANGE.
constexpr int64_t kMaxRange = 100000;

absl::StatusOr<Value> Range(Interpreter&, CallArgs& args) {
  if (!args.keyword.empty()) {
    return TemplateRuntimeError("range() takes no keyword arguments");
  }
  if (args.positional.empty() || args.positional.size() > 3) {
    return TemplateRuntimeError(
        StrCat("range expected at most 3 arguments, got ", args.positional.size()));
  }
  int64_t bounds[3] = {0, 0, 1};
  for (size_t i = 0; i < args.positional.size(); ++i) {
    CHAT_ASSIGN_OR_RETURN(bounds[i], IntArg("range", args.positional[i]));
  }
  int64_t start = args.positional.size() == 1 ? 0 : bounds[0];
  int64_t stop = args.positional.size() == 1 ? bounds[0] : bounds[1];
  int64_t step = args.positional.size() == 3 ? bounds[2] : 1;
  if (step == 0) return TemplateRuntimeError("range() arg 3 must not be zero");
  // Length computed in long double so extreme bounds cannot overflow.
  long double span =
      step > 0 ? static_cast<long double>(stop) - start : static_cast<long double>(start) - stop;
  long double magnitude = step > 0 ? step : -static_cast<long double>(step);
  long double length = span <= 0 ? 0 : (span + magnitude - 1) / magnitude;
  if (length > kMaxRange) {
    return TemplateRuntimeError(
        StrCat("Range too big. The sandbox blocks ranges larger than "
               "MAX_RANGE (",
               kMaxRange, ")."));
  }
  std::vector<Value> items;
  for (int64_t i = 0; i < static_cast<int64_t>(length); ++i)
    items.push_back(Value::Int(start + i * step));
  return Value::List(std::move(items));
}

// dict(mapping_or_pairs, **kwargs), as Python's dict constructor.
absl::StatusOr<Dict> BuildDict(std::string_view function, const CallArgs& args) {
  if (args.positional.size() > 1) {
    return TemplateRuntimeError(
        StrCat(function, " expected at most 1 argument, got ", args.positional.size()));
  }
  Dict dict;
  if (args.positional.size() == 1) {
    const Value& source = args.positional[0];
    if (source.is_dict()) {
      dict = source.dict();
    } else {
      CHAT_ASSIGN_OR_RETURN(std::vector<Value> pairs, Iterate(source));
      for (size_t i = 0; i < pairs.size(); ++i) {
        CHAT_ASSIGN_OR_RETURN(std::vector<Value> pair, Iterate(pairs[i]));
        if (pair.size() != 2) {
          return TemplateRuntimeError(StrCat("dictionary update sequence element #", i,
                                             " has length ", pair.size(), "; 2 is required"));
        }
        dict.Set(pair[0], pair[1]);
      }
    }
  }
  for (const auto& [name, value] : args.keyword) dict.Set(Value::String(name), value);
  return dict;
}

absl::StatusOr<Value> MakeDict(Interpreter&, CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(Dict dict, BuildDict("dict", args));
  return Value::MakeDict(std::move(dict));
}

absl::StatusOr<Value> MakeNamespace(Interpreter& interpreter, CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(Dict attributes, BuildDict("namespace", args));
  for (const auto& entry : attributes.entries()) {
    if (!entry.first.is_string()) return TemplateRuntimeError("keywords must be strings");
  }
  Value ns = Value::MakeNamespace(std::move(attributes));
  interpreter.TrackNamespace(ns);
  return ns;
}

absl::StatusOr<Value> RaiseException(Interpreter&, CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("raise_exception", {{"message", std::nullopt}}, args));
  return RaisedByTemplate(ToStr(bound[0]));
}

absl::StatusOr<Value> StrftimeNow(Interpreter& interpreter, CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("strftime_now", {{"format", std::nullopt}}, args));
  CHAT_ASSIGN_OR_RETURN(std::string format, StringArg("strftime_now", bound[0]));
  if (format.empty()) return Value::String("");
  // Month and day names as in the "C" locale, whatever the process locale is.
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  std::tm time = interpreter.LocalTime();
  for (size_t size = 256; size <= (1u << 20); size *= 4) {
    std::string out(size, '\0');
    size_t written = strftime_l(out.data(), out.size(), format.c_str(), &time, c_locale);
    if (written > 0) {
      out.resize(written);
      return Value::String(std::move(out));
    }
  }
  // strftime reports a too-small buffer and an empty result the same way.
  return Value::String("");
}

absl::StatusOr<Value> Joiner(Interpreter&, CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("joiner", {{"sep", Value::String(", ")}}, args));
  auto used = std::make_shared<bool>(false);
  std::string separator = ToStr(bound[0]);
  return Value::Callable("joiner", "Joiner",
                         [used, separator](Interpreter&, CallArgs&) -> absl::StatusOr<Value> {
                           if (!*used) {
                             *used = true;
                             return Value::String("");
                           }
                           return Value::String(separator);
                         });
}

absl::StatusOr<Value> NotSupported(std::string_view name) {
  return TemplateRuntimeError(StrCat(name, "() is not supported in chat templates"));
}

}  // namespace

Value GlobalFunction(std::string_view name) {
  if (name == "range") return Value::Callable("range", "type", Range);
  if (name == "dict") return Value::Callable("dict", "type", MakeDict);
  if (name == "namespace") return Value::Callable("namespace", "type", MakeNamespace);
  if (name == "raise_exception") {
    return Value::Callable("raise_exception", "function", RaiseException);
  }
  if (name == "strftime_now") return Value::Callable("strftime_now", "function", StrftimeNow);
  if (name == "joiner") return Value::Callable("joiner", "type", Joiner);
  if (name == "cycler" || name == "lipsum") {
    std::string text(name);
    return Value::Callable(text, "type",
                           [text](Interpreter&, CallArgs&) { return NotSupported(text); });
  }
  return Value::Undefined("");
}

}  // namespace radixlm::engine::jinja
