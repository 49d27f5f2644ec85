// jinja2's built-in filters and tests, and the globals transformers' environment defines
// (range, namespace, dict, raise_exception, strftime_now, ...), as far as chat templates use them.
// Names jinja2 knows but we do not implement are reported as unsupported when a template is
// parsed, so a template never renders differently because of a missing builtin.
#ifndef RADIXLM_SRC_ENGINE_CHAT_BUILTINS_H_
#define RADIXLM_SRC_ENGINE_CHAT_BUILTINS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "src/engine/chat/value.h"

namespace radixlm::engine::jinja {

enum class BuiltinStatus { kImplemented, kUnsupported, kUnknown };

BuiltinStatus FilterStatus(std::string_view name);
BuiltinStatus TestStatus(std::string_view name);

// Applies the (implemented) filter `name` to `input`.
absl::StatusOr<Value> ApplyFilter(Interpreter& interpreter, std::string_view name,
                                  const Value& input, const CallArgs& args);
// Evaluates `input is name(args)`.
absl::StatusOr<bool> ApplyTest(Interpreter& interpreter, std::string_view name, const Value& input,
                               const CallArgs& args);

// The global function `name` (range, namespace, dict, raise_exception, strftime_now, cycler,
// joiner, lipsum) as a callable value, or an undefined value when there is none.
Value GlobalFunction(std::string_view name);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_BUILTINS_H_
