// Python's json.dumps over Value (what transformers' `tojson` filter calls), and conversion of
// nlohmann JSON into Values at the API boundary.
#ifndef RADIXLM_SRC_ENGINE_CHAT_JSON_H_
#define RADIXLM_SRC_ENGINE_CHAT_JSON_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/engine/chat/value.h"

namespace radixlm::engine::jinja {

struct JsonDumpOptions {
  bool ensure_ascii = false;
  std::optional<std::string> indent;  // None: one line.
  std::string item_separator = ", ";
  std::string key_separator = ": ";
  bool sort_keys = false;
};

// json.dumps(value, ...), byte for byte as CPython writes it.
absl::StatusOr<std::string> JsonDumps(const Value& value, const JsonDumpOptions& options);

// nlohmann JSON → Value: objects keep their key order, integers stay ints, strings must be UTF-8.
// `what` names the input in errors ("messages[2].content").
absl::StatusOr<Value> FromJson(const nlohmann::ordered_json& json, const std::string& what);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_JSON_H_
