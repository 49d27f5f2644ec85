// Typed reads of JSON object fields with errors that name the file and the field.
//
// Hugging Face JSON files use `null` for "not set" as freely as a missing key, so both read as
// absent here. Numbers that must be integers may be written as integral floats (576.0) in
// hand-edited files; those are accepted, fractional ones are not.
//
// Thread safety: JsonFields reads an object it does not own; it is as thread-safe as that object.
#ifndef RADIXLM_SRC_ENGINE_MODEL_JSON_FIELDS_H_
#define RADIXLM_SRC_ENGINE_MODEL_JSON_FIELDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace radixlm::engine::internal {

// ParseJsonObject() parses `text`, which must hold one JSON object. InvalidArgument otherwise, with
// the parser's position. `source` names the file in messages.
absl::StatusOr<nlohmann::json> ParseJsonObject(std::string_view text, std::string_view source);

// DescribeJson() renders a value for an error message, cut to a readable length.
std::string DescribeJson(const nlohmann::json& value);

// JsonFields reads fields of one JSON object; `source` prefixes every error message, e.g.
// "/m/config.json: 'hidden_size' must be an integer, got \"576\"".
class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, std::string source);

  const std::string& source() const { return source_; }

  // Contains() says whether the key is present, even with a null value.
  bool Contains(std::string_view key) const;

  // Find() returns the field's value, or nullptr when it is missing or null.
  const nlohmann::json* Find(std::string_view key) const;

  absl::StatusOr<std::optional<std::int64_t>> OptionalInt(std::string_view key) const;
  absl::StatusOr<std::int64_t> RequiredInt(std::string_view key) const;
  absl::StatusOr<std::optional<double>> OptionalNumber(std::string_view key) const;
  absl::StatusOr<double> RequiredNumber(std::string_view key) const;
  absl::StatusOr<std::optional<bool>> OptionalBool(std::string_view key) const;
  absl::StatusOr<std::optional<std::string>> OptionalString(std::string_view key) const;
  // An integer, a list of integers, or absent (empty result).
  absl::StatusOr<std::vector<std::int64_t>> IntOrIntList(std::string_view key) const;

  // FieldError() is InvalidArgument "<source>: '<key>' must be <expectation>, got <value>".
  absl::Status FieldError(std::string_view key, std::string_view expectation,
                          const nlohmann::json& got) const;

 private:
  const nlohmann::json& object_;
  std::string source_;
};

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_MODEL_JSON_FIELDS_H_
