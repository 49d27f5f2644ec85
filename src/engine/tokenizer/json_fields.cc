#include "src/engine/tokenizer/json_fields.h"

#include "src/common/strings.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {
namespace {

const nlohmann::json* Find(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(std::string(key));
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

absl::Status JsonError(std::string_view path, std::string_view problem) {
  return absl::InvalidArgumentError(StrCat(path.empty() ? "<root>" : path, ": ", problem));
}

std::string JsonPath(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : StrCat(path, ".", key);
}

std::string JsonPath(std::string_view path, size_t index) { return StrCat(path, "[", index, "]"); }

absl::StatusOr<std::string> JsonType(const nlohmann::json& object, std::string_view path) {
  if (!object.is_object()) return JsonError(path, "expected an object with a \"type\" field");
  const nlohmann::json* type = Find(object, "type");
  if (type == nullptr || !type->is_string()) {
    return JsonError(JsonPath(path, "type"), "missing or not a string");
  }
  return type->get<std::string>();
}

absl::StatusOr<bool> JsonBool(const nlohmann::json& object, std::string_view path,
                              std::string_view key, bool fallback) {
  const nlohmann::json* value = Find(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) return JsonError(JsonPath(path, key), "expected true or false");
  return value->get<bool>();
}

absl::StatusOr<std::optional<std::string>> JsonOptionalString(const nlohmann::json& object,
                                                              std::string_view path,
                                                              std::string_view key) {
  const nlohmann::json* value = Find(object, key);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return JsonError(JsonPath(path, key), "expected a string");
  return std::optional<std::string>(value->get<std::string>());
}

absl::StatusOr<std::string> JsonRequiredString(const nlohmann::json& object, std::string_view path,
                                               std::string_view key) {
  auto value = JsonOptionalString(object, path, key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return JsonError(JsonPath(path, key), "missing (a string is required)");
  return **value;
}

absl::StatusOr<int64_t> JsonInt(const nlohmann::json& object, std::string_view path,
                                std::string_view key, int64_t fallback) {
  const nlohmann::json* value = Find(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_number_integer()) return JsonError(JsonPath(path, key), "expected an integer");
  return value->get<int64_t>();
}

absl::StatusOr<const nlohmann::json*> JsonRequired(const nlohmann::json& object,
                                                   std::string_view path, std::string_view key) {
  const nlohmann::json* value = Find(object, key);
  if (value == nullptr) return JsonError(JsonPath(path, key), "missing");
  return value;
}

absl::StatusOr<char32_t> JsonChar(const nlohmann::json& object, std::string_view path,
                                  std::string_view key, std::optional<char32_t> fallback) {
  auto text = JsonOptionalString(object, path, key);
  if (!text.ok()) return text.status();
  if (!text->has_value()) {
    if (fallback.has_value()) return *fallback;
    return JsonError(JsonPath(path, key), "missing (a one-character string is required)");
  }
  const std::string& value = **text;
  if (value.empty() || CountCodePoints(value) != 1) {
    return JsonError(JsonPath(path, key),
                     StrCat("expected exactly one character, got \"", value, "\""));
  }
  size_t pos = 0;
  return DecodeUtf8(value, &pos);
}

}  // namespace radixlm::engine::internal
