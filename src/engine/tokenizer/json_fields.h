// Typed access to tokenizer.json / tokenizer_config.json fields with errors that name the
// JSON path, so that a malformed file is reported as "model.merges[12]: ..." rather than as a
// library exception.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_JSON_FIELDS_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_JSON_FIELDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace radixlm::engine::internal {

// "`path`: `problem`" as an InvalidArgument error about a tokenizer file.
absl::Status JsonError(std::string_view path, std::string_view problem);

// `path` + "." + `key`, or `key` at the top level.
std::string JsonPath(std::string_view path, std::string_view key);
// `path` + "[index]".
std::string JsonPath(std::string_view path, size_t index);

// The component's "type" string; an error when it is missing or not a string.
absl::StatusOr<std::string> JsonType(const nlohmann::json& object, std::string_view path);

// Field readers: a missing or null field gives `fallback` (or nullopt); a field of the wrong
// type is an error naming its path.
absl::StatusOr<bool> JsonBool(const nlohmann::json& object, std::string_view path,
                              std::string_view key, bool fallback);
absl::StatusOr<std::optional<std::string>> JsonOptionalString(const nlohmann::json& object,
                                                              std::string_view path,
                                                              std::string_view key);
absl::StatusOr<std::string> JsonRequiredString(const nlohmann::json& object, std::string_view path,
                                               std::string_view key);
absl::StatusOr<int64_t> JsonInt(const nlohmann::json& object, std::string_view path,
                                std::string_view key, int64_t fallback);
// The field's value, which must be present and not null.
absl::StatusOr<const nlohmann::json*> JsonRequired(const nlohmann::json& object,
                                                   std::string_view path, std::string_view key);
// Exactly one code point (Metaspace's and Strip's `char` fields).
absl::StatusOr<char32_t> JsonChar(const nlohmann::json& object, std::string_view path,
                                  std::string_view key, std::optional<char32_t> fallback);

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_JSON_FIELDS_H_
