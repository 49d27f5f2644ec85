// Python's operators and protocols over Value, with the error messages CPython and jinja2 give,
// so that a template failing under transformers fails here with the same words.
//
// Every failure is kInvalidArgument: a chat template error is a property of the request (its
// messages or tools), which the server reports as a 400.
#ifndef RADIXLM_SRC_ENGINE_CHAT_VALUE_OPS_H_
#define RADIXLM_SRC_ENGINE_CHAT_VALUE_OPS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/engine/chat/value.h"

namespace radixlm::engine::jinja {

// A runtime error of the template (TypeError, ValueError, ... in Python).
absl::Status TemplateRuntimeError(std::string message);
// The error jinja2 raises when `undefined` is used beyond printing, testing or iterating.
absl::Status UndefinedError(const Value& undefined);
// The error raise_exception(message) produces: its message is exactly the template's.
absl::Status RaisedByTemplate(std::string message);
bool IsRaisedByTemplate(const absl::Status& status);

// How deeply nested values may be before repr/equality/JSON give up (CPython's recursion limit
// plays this role there).
inline constexpr int kMaxValueNesting = 512;

// type(x).__name__: "int", "str", "NoneType", "Markup", "Namespace", ...
std::string TypeName(const Value& value);
// jinja2's object_type_repr: "None", "dict object", "jinja2.utils.Namespace object".
std::string ObjectTypeRepr(const Value& value);
// The undefined value obj.name yields ("'dict object' has no attribute 'name'").
Value MissingAttribute(const Value& object, std::string_view name);
// The undefined value obj[key] yields for a non-string key ("list object has no element 3").
Value MissingElement(const Value& object, const Value& key);

bool Truthy(const Value& value);
bool Equals(const Value& a, const Value& b);

enum class BinaryOp { kAdd, kSub, kMul, kDiv, kFloorDiv, kMod, kPow };
enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn };

// Strings and lists built by + and * are refused (kResourceExhausted) past `max_result_bytes`.
absl::StatusOr<Value> Arithmetic(BinaryOp op, const Value& a, const Value& b,
                                 size_t max_result_bytes);
absl::StatusOr<Value> Negate(const Value& value);
absl::StatusOr<Value> UnaryPlus(const Value& value);
absl::StatusOr<bool> Compare(CompareOp op, const Value& a, const Value& b);
// `item in container`.
absl::StatusOr<bool> Contains(const Value& container, const Value& item);

// str(x) (undefined prints as ""), and repr(x).
std::string ToStr(const Value& value);
std::string Repr(const Value& value);

// len(x); undefined has length 0.
absl::StatusOr<int64_t> Length(const Value& value);
// list(x): the elements a for loop visits (dict keys, string characters). Consumes iterators.
absl::StatusOr<std::vector<Value>> Iterate(const Value& value);

// Sandboxed obj.name: attribute first, then item (jinja2's SandboxedEnvironment.getattr).
absl::StatusOr<Value> GetAttr(const Value& object, std::string_view name);
// Sandboxed obj[key]: item first, then attribute for string keys.
absl::StatusOr<Value> GetItem(const Value& object, const Value& key);
// obj[start:stop:step]; absent bounds are None.
absl::StatusOr<Value> GetSlice(const Value& object, const std::optional<Value>& start,
                               const std::optional<Value>& stop, const std::optional<Value>& step);

// The interpreter's integer type is int64: results outside it are errors instead of bigints.
absl::Status IntegerOverflow();

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_VALUE_OPS_H_
