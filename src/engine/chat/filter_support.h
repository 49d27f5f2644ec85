// Machinery shared by the built-in filters: jinja2's soft_str, ignore_case and attribute getters,
// and the size and step accounting every filter that builds or walks a collection does.
#ifndef RADIXLM_SRC_ENGINE_CHAT_FILTER_SUPPORT_H_
#define RADIXLM_SRC_ENGINE_CHAT_FILTER_SUPPORT_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/engine/chat/interpreter.h"
#include "src/engine/chat/value.h"

namespace radixlm::engine::jinja {

// jinja2's soft_str: Markup stays Markup, anything else becomes str(x).
Value SoftStr(const Value& value);

// kResourceExhausted when a value of `bytes` would exceed the output limit.
absl::Status CheckSize(Interpreter& interpreter, size_t bytes);

// Python's ignore_case for sort/unique keys: strings compare lower-cased.
Value IgnoreCase(const Value& value);

// jinja2's make_attrgetter: "a.b.0" looks up a, then b, then item 0, each with getitem; None
// returns the item itself.
absl::StatusOr<Value> GetAttribute(const Value& item, const Value& attribute);

// The elements of `input` (as a for loop sees them), counted against the step limit.
absl::StatusOr<std::vector<Value>> Items(Interpreter& interpreter, const Value& input);

// Sorts `items` by `keys` as Python's sorted() does: stable, and `reverse` keeps equal items in
// their order. Comparison errors (e.g. str against int) propagate.
absl::Status SortByKeys(std::vector<Value>* items, const std::vector<Value>& keys, bool reverse);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_FILTER_SUPPORT_H_
