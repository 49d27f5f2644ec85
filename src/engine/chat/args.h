// Python-style binding of call arguments (positional, then keyword, then defaults) for the
// built-in filters, tests, methods and globals.
#ifndef RADIXLM_SRC_ENGINE_CHAT_ARGS_H_
#define RADIXLM_SRC_ENGINE_CHAT_ARGS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/chat/value.h"

namespace radixlm::engine::jinja {

struct Param {
  std::string_view name;
  // Absent: the argument is required.
  std::optional<Value> default_value;
};

// One value per parameter, in parameter order. Errors name `function` the way Python does
// ("replace() got an unexpected keyword argument 'x'").
absl::StatusOr<std::vector<Value>> BindArgs(std::string_view function,
                                            const std::vector<Param>& params, const CallArgs& args);

// Optional string argument: None/absent → nullopt; a non-string is a TypeError.
absl::StatusOr<std::optional<std::string>> OptionalString(std::string_view function,
                                                          const Value& value);
// Integer argument (bool accepted, as in Python).
absl::StatusOr<int64_t> IntArg(std::string_view function, const Value& value);
absl::StatusOr<std::string> StringArg(std::string_view function, const Value& value);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_ARGS_H_
