#include "src/engine/chat/filter_support.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {

Value SoftStr(const Value& value) {
  if (value.is_string()) return value;
  return Value::String(ToStr(value));
}

absl::Status CheckSize(Interpreter& interpreter, size_t bytes) {
  if (bytes > interpreter.limits().max_output_bytes) {
    return absl::ResourceExhaustedError(
        StrCat("the chat template built a value of ", bytes, " bytes, over the limit of ",
               interpreter.limits().max_output_bytes, " (ChatTemplateLimits::max_output_bytes)"));
  }
  return absl::OkStatus();
}

Value IgnoreCase(const Value& value) {
  if (value.is_string()) return Value::String(PythonLower(value.string_value()));
  return value;
}

absl::StatusOr<Value> GetAttribute(const Value& item, const Value& attribute) {
  if (attribute.is_none()) return item;
  std::vector<Value> parts;
  if (attribute.is_string()) {
    for (std::string& part : PythonSplit(attribute.string_value(), std::string("."), -1, false)) {
      bool digits = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
      parts.push_back(digits ? Value::Int(std::strtoll(part.c_str(), nullptr, 10))
                             : Value::String(std::move(part)));
    }
  } else {
    parts.push_back(attribute);
  }
  Value current = item;
  for (const Value& part : parts) {
    CHAT_ASSIGN_OR_RETURN(current, GetItem(current, part));
  }
  return current;
}

absl::StatusOr<std::vector<Value>> Items(Interpreter& interpreter, const Value& input) {
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
  CHAT_RETURN_IF_ERROR(interpreter.Tick(static_cast<int64_t>(items.size())));
  return items;
}

absl::Status SortByKeys(std::vector<Value>* items, const std::vector<Value>& keys, bool reverse) {
  std::vector<size_t> order(items->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  absl::Status status;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (!status.ok()) return false;
    absl::StatusOr<bool> less = reverse ? Compare(CompareOp::kLt, keys[b], keys[a])
                                        : Compare(CompareOp::kLt, keys[a], keys[b]);
    if (!less.ok()) {
      status = less.status();
      return false;
    }
    return *less;
  });
  CHAT_RETURN_IF_ERROR(status);
  std::vector<Value> sorted;
  sorted.reserve(order.size());
  for (size_t i : order) sorted.push_back((*items)[i]);
  *items = std::move(sorted);
  return absl::OkStatus();
}

}  // namespace radixlm::engine::jinja
