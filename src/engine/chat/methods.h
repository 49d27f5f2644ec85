// The methods Python objects offer templates (`content.strip()`, `d.items()`, `d.get(k)`, ...)
// and the attributes of the `loop` object, as jinja2's ImmutableSandboxedEnvironment exposes them:
// methods that would mutate a list or dict are "unsafe" and yield an undefined value whose use is
// a SecurityError; methods we do not implement are an error naming them, never a silent
// undefined.
#ifndef RADIXLM_SRC_ENGINE_CHAT_METHODS_H_
#define RADIXLM_SRC_ENGINE_CHAT_METHODS_H_

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "src/engine/chat/value.h"

namespace radixlm::engine::jinja {

// The attribute `name` of `object` when its Python type has one (a bound method, or a loop
// attribute); nullopt when the type has no such attribute and the caller should try items.
std::optional<absl::StatusOr<Value>> LookupAttribute(const Value& object, std::string_view name);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_METHODS_H_
