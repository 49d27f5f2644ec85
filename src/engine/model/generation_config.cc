#include "src/engine/model/generation_config.h"

#include <cmath>
#include <utility>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/model/file_util.h"
#include "src/engine/model/json_fields.h"

namespace radixlm::engine {
namespace {

using internal::JsonFields;

constexpr std::size_t kMaxGenerationConfigBytes = 1 << 20;

// ReadNumber() reads an optional number and checks it against [minimum, maximum] (an open bound
// when the matching flag says so).
absl::Status ReadNumber(const JsonFields& fields, std::string_view key, double minimum,
                        bool minimum_open, double maximum, std::optional<double>& out) {
  absl::StatusOr<std::optional<double>> value = fields.OptionalNumber(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return absl::OkStatus();
  const double number = **value;
  const bool above_minimum = minimum_open ? number > minimum : number >= minimum;
  if (!std::isfinite(number) || !above_minimum || number > maximum) {
    return fields.FieldError(key,
                             StrCat("a number in ", minimum_open ? "(" : "[", minimum, ", ",
                                    std::isinf(maximum) ? "inf)" : StrCat(maximum, "]")),
                             number);
  }
  out = number;
  return absl::OkStatus();
}

absl::Status ReadCount(const JsonFields& fields, std::string_view key, std::int64_t minimum,
                       std::optional<std::int64_t>& out) {
  absl::StatusOr<std::optional<std::int64_t>> value = fields.OptionalInt(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return absl::OkStatus();
  if (**value < minimum) {
    return fields.FieldError(key, StrCat("an integer >= ", minimum), **value);
  }
  out = *value;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GenerationDefaults> ParseGenerationConfig(std::string_view json_text,
                                                         std::string_view source) {
  absl::StatusOr<nlohmann::json> root = internal::ParseJsonObject(json_text, source);
  if (!root.ok()) return root.status();
  const JsonFields fields(*root, std::string(source));
  constexpr double kInfinity = INFINITY;

  GenerationDefaults defaults;
  absl::StatusOr<std::vector<std::int64_t>> eos = fields.IntOrIntList("eos_token_id");
  if (!eos.ok()) return eos.status();
  for (std::int64_t id : *eos) {
    if (id < 0) return fields.FieldError("eos_token_id", "non-negative token ids", *eos);
  }
  defaults.eos_token_ids = *std::move(eos);

  absl::StatusOr<std::optional<bool>> do_sample = fields.OptionalBool("do_sample");
  if (!do_sample.ok()) return do_sample.status();
  defaults.do_sample = *do_sample;

  // Some old configs write "pad_token_id": -1 for "no padding token"; it reads as unset.
  absl::StatusOr<std::optional<std::int64_t>> pad = fields.OptionalInt("pad_token_id");
  if (!pad.ok()) return pad.status();
  if (pad->has_value() && **pad >= 0) defaults.pad_token_id = *pad;

  absl::Status status = ReadCount(fields, "bos_token_id", 0, defaults.bos_token_id);
  if (status.ok()) status = ReadCount(fields, "top_k", 0, defaults.top_k);
  if (status.ok()) status = ReadCount(fields, "max_new_tokens", 1, defaults.max_new_tokens);
  if (status.ok()) status = ReadCount(fields, "max_length", 1, defaults.max_length);
  if (status.ok())
    status = ReadNumber(fields, "temperature", 0, false, kInfinity, defaults.temperature);
  if (status.ok()) status = ReadNumber(fields, "top_p", 0, true, 1, defaults.top_p);
  if (status.ok()) status = ReadNumber(fields, "min_p", 0, false, 1, defaults.min_p);
  if (status.ok())
    status =
        ReadNumber(fields, "repetition_penalty", 0, true, kInfinity, defaults.repetition_penalty);
  if (!status.ok()) return status;
  return defaults;
}

absl::StatusOr<GenerationDefaults> ReadGenerationConfig(const std::string& path) {
  absl::StatusOr<std::string> text = internal::ReadSmallFile(path, kMaxGenerationConfigBytes);
  if (!text.ok()) return text.status();
  return ParseGenerationConfig(*text, path);
}

GenerationDefaults GenerationDefaultsFromModelConfig(const ModelConfig& config) {
  GenerationDefaults defaults;
  defaults.eos_token_ids = config.eos_token_ids;
  defaults.bos_token_id = config.bos_token_id;
  defaults.pad_token_id = config.pad_token_id;
  return defaults;
}

}  // namespace radixlm::engine
