#include "src/engine/chat/percent_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "src/common/strings.h"
#include "src/engine/chat/python_literals.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {
namespace {

struct Spec {
  std::string flags;
  std::optional<int> width;
  std::optional<int> precision;
  char conversion = 's';
};

// Pads `text` to the spec's width (in characters), left-justified with the '-' flag.
std::string Pad(std::string text, const Spec& spec) {
  if (!spec.width.has_value()) return text;
  auto length = static_cast<int>(CodePointCount(text));
  if (length >= *spec.width) return text;
  std::string padding(static_cast<size_t>(*spec.width - length), ' ');
  return spec.flags.find('-') != std::string::npos ? text + padding : padding + text;
}

// Formats a number through C's printf, which implements the same conversions.
std::string PrintfNumber(const Spec& spec, const char* length_modifier, auto value) {
  std::string format(1, '%');
  format.append(spec.flags);
  if (spec.width.has_value()) format.append(std::to_string(*spec.width));
  if (spec.precision.has_value()) format.append(1, '.').append(std::to_string(*spec.precision));
  format.append(length_modifier);
  format.push_back(spec.conversion);
  int size = std::snprintf(nullptr, 0, format.c_str(), value);
  std::string out(static_cast<size_t>(std::max(size, 0)) + 1, '\0');
  std::snprintf(out.data(), out.size(), format.c_str(), value);
  out.resize(static_cast<size_t>(std::max(size, 0)));
  return out;
}

absl::StatusOr<std::string> Convert(const Spec& spec, const Value& arg) {
  if (arg.is_undefined() && spec.conversion != 's' && spec.conversion != 'r' &&
      spec.conversion != 'a') {
    return UndefinedError(arg);
  }
  switch (spec.conversion) {
    case 's':
    case 'r':
    case 'a': {
      std::string text = spec.conversion == 's' ? ToStr(arg) : Repr(arg);
      if (spec.precision.has_value()) {
        std::u32string code_points = DecodeUtf8(text);
        if (static_cast<size_t>(*spec.precision) < code_points.size()) {
          text = EncodeUtf8(std::u32string_view(code_points).substr(0, *spec.precision));
        }
      }
      return Pad(std::move(text), spec);
    }
    case 'd':
    case 'i':
    case 'u':
      if (!arg.is_number()) {
        return TemplateRuntimeError(StrCat("%", std::string(1, spec.conversion),
                                           " format: a real number is required, not ",
                                           TypeName(arg)));
      }
      if (arg.is_float() && !std::isfinite(arg.float_value())) {
        return TemplateRuntimeError("cannot convert float infinity or NaN to integer");
      }
      return PrintfNumber(
          Spec{spec.flags, spec.width, spec.precision, 'd'}, "ll",
          static_cast<long long>(arg.is_float() ? std::trunc(arg.float_value())
                                                : static_cast<double>(arg.AsInt())));
    case 'o':
    case 'x':
    case 'X':
      if (!arg.is_int() && !arg.is_bool()) {
        return TemplateRuntimeError(StrCat("%", std::string(1, spec.conversion),
                                           " format: an integer is required, not ", TypeName(arg)));
      }
      if (arg.AsInt() < 0) {
        return "-" + PrintfNumber(spec, "ll", static_cast<long long>(-arg.AsInt()));
      }
      return PrintfNumber(spec, "ll", static_cast<long long>(arg.AsInt()));
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      if (!arg.is_number()) {
        return TemplateRuntimeError(StrCat("must be real number, not ", TypeName(arg)));
      }
      return PrintfNumber(spec, "", arg.AsDouble());
    case 'c': {
      std::string character;
      if (arg.is_string() && CodePointCount(arg.string_value()) == 1) {
        character = arg.string_value();
      } else if (arg.is_int() && arg.int_value() >= 0 && arg.int_value() <= 0x10ffff &&
                 (arg.int_value() < 0xd800 || arg.int_value() > 0xdfff)) {
        AppendUtf8(static_cast<char32_t>(arg.int_value()), &character);
      } else {
        return TemplateRuntimeError("%c requires int or char");
      }
      return Pad(std::move(character), spec);
    }
    default:
      return TemplateRuntimeError(
          StrCat("unsupported format character '", std::string(1, spec.conversion), "'"));
  }
}

}  // namespace

absl::StatusOr<std::string> PercentFormat(std::string_view format, const Value& args,
                                          size_t max_bytes) {
  // CPython: a tuple gives the arguments; a mapping (dict, and list, which supports indexing)
  // may be used by name and need not be consumed; anything else is one argument.
  std::vector<Value> positional;
  bool mapping = args.is_dict() || args.is_list();
  if (args.is_tuple()) {
    positional = args.items();
  } else {
    positional.push_back(args);
  }
  size_t next = 0;
  bool used_single = false;
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out.push_back(format[i]);
      continue;
    }
    if (++i >= format.size()) return TemplateRuntimeError("incomplete format");
    std::optional<std::string> key;
    if (format[i] == '(') {
      size_t close = format.find(')', i);
      if (close == std::string_view::npos) return TemplateRuntimeError("incomplete format key");
      key = std::string(format.substr(i + 1, close - i - 1));
      i = close + 1;
    }
    Spec spec;
    while (i < format.size() &&
           std::string_view("-+ #0").find(format[i]) != std::string_view::npos) {
      spec.flags.push_back(format[i++]);
    }
    auto read_number = [&]() -> std::optional<int> {
      if (i >= format.size() || format[i] < '0' || format[i] > '9') return std::nullopt;
      int value = 0;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9' && value < 100000) {
        value = value * 10 + (format[i++] - '0');
      }
      return value;
    };
    spec.width = read_number();
    if (i < format.size() && format[i] == '.') {
      ++i;
      spec.precision = read_number().value_or(0);
    }
    while (i < format.size() && (format[i] == 'h' || format[i] == 'l' || format[i] == 'L')) ++i;
    if (i >= format.size()) return TemplateRuntimeError("incomplete format");
    spec.conversion = format[i];
    if (spec.conversion == '%') {
      out.push_back('%');
      continue;
    }
    Value arg;
    if (key.has_value()) {
      if (!args.is_dict()) return TemplateRuntimeError("format requires a mapping");
      const Value* found = args.dict().Find(*key);
      if (found == nullptr) return TemplateRuntimeError(PythonStringRepr(*key));
      arg = *found;
    } else {
      if (next >= positional.size()) {
        return TemplateRuntimeError("not enough arguments for format string");
      }
      arg = positional[next++];
      used_single = true;
    }
    CHAT_ASSIGN_OR_RETURN(std::string converted, Convert(spec, arg));
    out += converted;
    if (out.size() > max_bytes) {
      return absl::ResourceExhaustedError(StrCat("the chat template built a string of more than ",
                                                 max_bytes,
                                                 " bytes (ChatTemplateLimits::max_output_bytes)"));
    }
  }
  bool all_used = args.is_tuple() ? next == positional.size() : (used_single || mapping);
  if (!all_used) {
    return TemplateRuntimeError("not all arguments converted during string formatting");
  }
  return out;
}

}  // namespace radixlm::engine::jinja
