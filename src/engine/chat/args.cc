#include "src/engine/chat/args.h"

#include <utility>

#include "src/common/strings.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {

absl::StatusOr<std::vector<Value>> BindArgs(std::string_view function,
                                            const std::vector<Param>& params,
                                            const CallArgs& args) {
  if (args.positional.size() > params.size()) {
    return TemplateRuntimeError(StrCat(function, "() takes at most ", params.size(),
                                       " argument(s) (", args.positional.size(), " given)"));
  }
  std::vector<std::optional<Value>> bound(params.size());
  for (size_t i = 0; i < args.positional.size(); ++i) bound[i] = args.positional[i];
  for (const auto& [name, value] : args.keyword) {
    size_t index = 0;
    while (index < params.size() && params[index].name != name) ++index;
    if (index == params.size()) {
      return TemplateRuntimeError(
          StrCat(function, "() got an unexpected keyword argument '", name, "'"));
    }
    if (bound[index].has_value()) {
      return TemplateRuntimeError(
          StrCat(function, "() got multiple values for argument '", name, "'"));
    }
    bound[index] = value;
  }
  std::vector<Value> values;
  values.reserve(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    if (bound[i].has_value()) {
      values.push_back(*std::move(bound[i]));
    } else if (params[i].default_value.has_value()) {
      values.push_back(*params[i].default_value);
    } else {
      return TemplateRuntimeError(
          StrCat(function, "() missing required argument '", params[i].name, "'"));
    }
  }
  return values;
}

absl::StatusOr<std::optional<std::string>> OptionalString(std::string_view function,
                                                          const Value& value) {
  if (value.is_none()) return std::optional<std::string>();
  if (value.is_undefined()) return UndefinedError(value);
  if (!value.is_string()) {
    return TemplateRuntimeError(
        StrCat(function, "() argument must be str or None, not ", TypeName(value)));
  }
  return std::optional<std::string>(value.string_value());
}

absl::StatusOr<int64_t> IntArg(std::string_view function, const Value& value) {
  if (value.is_undefined()) return UndefinedError(value);
  if (!value.is_int() && !value.is_bool()) {
    return TemplateRuntimeError(StrCat("'", TypeName(value),
                                       "' object cannot be interpreted as an integer (in ",
                                       function, "())"));
  }
  return value.AsInt();
}

absl::StatusOr<std::string> StringArg(std::string_view function, const Value& value) {
  if (value.is_undefined()) return UndefinedError(value);
  if (!value.is_string()) {
    return TemplateRuntimeError(StrCat(function, "() argument must be str, not ", TypeName(value)));
  }
  return value.string_value();
}

}  // namespace radixlm::engine::jinja
