#include "src/engine/model/json_fields.h"

#include <cmath>
#include <limits>
#include <utility>

#include "src/common/strings.h"

namespace radixlm::engine::internal {
namespace {

constexpr std::size_t kMaxDescribedChars = 80;

// AsInteger() accepts JSON integers and integral floats that fit in int64.
std::optional<std::int64_t> AsInteger(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto unsigned_value = value.get<std::uint64_t>();
    if (unsigned_value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(unsigned_value);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    const double number = value.get<double>();
    // 2^63 is exactly representable; anything at or above it does not fit.
    if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 0x1p63) {
      return static_cast<std::int64_t>(number);
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<nlohmann::json> ParseJsonObject(std::string_view text, std::string_view source) {
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& error) {
    return absl::InvalidArgumentError(StrCat(source, " is not valid JSON: ", error.what()));
  }
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError(
        StrCat(source, " must hold a JSON object, got ", DescribeJson(parsed)));
  }
  return parsed;
}

std::string DescribeJson(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > kMaxDescribedChars) {
    text.resize(kMaxDescribedChars);
    text += "...";
  }
  return text;
}

JsonFields::JsonFields(const nlohmann::json& object, std::string source)
    : object_(object), source_(std::move(source)) {}

bool JsonFields::Contains(std::string_view key) const { return object_.contains(std::string(key)); }

const nlohmann::json* JsonFields::Find(std::string_view key) const {
  auto it = object_.find(std::string(key));
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

absl::Status JsonFields::FieldError(std::string_view key, std::string_view expectation,
                                    const nlohmann::json& got) const {
  return absl::InvalidArgumentError(
      StrCat(source_, ": '", key, "' must be ", expectation, ", got ", DescribeJson(got)));
}

absl::StatusOr<std::optional<std::int64_t>> JsonFields::OptionalInt(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::optional<std::int64_t>();
  std::optional<std::int64_t> integer = AsInteger(*value);
  if (!integer.has_value()) return FieldError(key, "an integer", *value);
  return integer;
}

absl::StatusOr<std::int64_t> JsonFields::RequiredInt(std::string_view key) const {
  absl::StatusOr<std::optional<std::int64_t>> value = OptionalInt(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return absl::InvalidArgumentError(StrCat(source_, ": required field '", key, "' is missing"));
  }
  return **value;
}

absl::StatusOr<std::optional<double>> JsonFields::OptionalNumber(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::optional<double>();
  if (!value->is_number()) return FieldError(key, "a number", *value);
  return value->get<double>();
}

absl::StatusOr<double> JsonFields::RequiredNumber(std::string_view key) const {
  absl::StatusOr<std::optional<double>> value = OptionalNumber(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return absl::InvalidArgumentError(StrCat(source_, ": required field '", key, "' is missing"));
  }
  return **value;
}

absl::StatusOr<std::optional<bool>> JsonFields::OptionalBool(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return FieldError(key, "true or false", *value);
  return value->get<bool>();
}

absl::StatusOr<std::optional<std::string>> JsonFields::OptionalString(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return FieldError(key, "a string", *value);
  return value->get<std::string>();
}

absl::StatusOr<std::vector<std::int64_t>> JsonFields::IntOrIntList(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  std::vector<std::int64_t> integers;
  if (value == nullptr) return integers;
  if (value->is_array()) {
    for (const nlohmann::json& element : *value) {
      std::optional<std::int64_t> integer = AsInteger(element);
      if (!integer.has_value()) return FieldError(key, "an integer or a list of integers", *value);
      integers.push_back(*integer);
    }
    return integers;
  }
  std::optional<std::int64_t> integer = AsInteger(*value);
  if (!integer.has_value()) return FieldError(key, "an integer or a list of integers", *value);
  integers.push_back(*integer);
  return integers;
}

}  // namespace radixlm::engine::internal
