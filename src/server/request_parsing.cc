#include "src/server/request_parsing.h"

#include <cmath>
#include <limits>
#include <utility>

#include "src/common/strings.h"
#include "src/server/errors.h"

namespace radixlm::server {

absl::StatusOr<Json> ParseJsonObject(std::string_view body, bool empty_ok) {
  if (StripAsciiWhitespace(body).empty()) {
    if (empty_ok) return Json::object();
    return ValidationError("Field required: the request body must be a JSON object");
  }
  Json parsed;
  try {
    parsed = Json::parse(body);
  } catch (const Json::parse_error& error) {
    // nlohmann reports invalid UTF-8 inside strings as a parse error too.
    return ValidationError(StrCat("JSON decode error: ", error.what()));
  }
  if (!parsed.is_object()) {
    return ValidationError(
        StrCat("Input should be a valid dictionary: the request body must be a JSON object, got ",
               Preview(parsed)));
  }
  return parsed;
}

std::string Preview(const Json& value) {
  std::string text = Dump(value);
  constexpr std::size_t kMaxPreview = 80;
  if (text.size() > kMaxPreview) text = text.substr(0, kMaxPreview) + "...";
  return text;
}

FieldReader::FieldReader(const Json& object, std::string where)
    : object_(object), where_(std::move(where)) {}

const Json* FieldReader::Find(std::string_view name) {
  seen_.emplace(name);
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

const Json* FieldReader::Raw(std::string_view name) { return Find(name); }

void FieldReader::Fail(std::string_view name, std::string_view message) {
  if (!status_.ok()) return;
  status_ = ValidationError(StrCat("1 validation error: ", where_, ".", name, ": ", message));
}

void FieldReader::CheckRange(std::string_view name, std::optional<double> value, double low,
                             double high, std::string_view range_text) {
  if (value.has_value() && (*value < low || *value > high || std::isnan(*value))) {
    Fail(name, StrCat("must be ", range_text, ", got ", *value));
  }
}

std::optional<std::int64_t> FieldReader::Int(std::string_view name) {
  const Json* value = Find(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_integer()) return value->get<std::int64_t>();
  if (value->is_number_float()) {
    const double number = value->get<double>();
    // pydantic accepts 5.0 for an int field, not 5.5.
    if (std::trunc(number) == number && std::fabs(number) < 9e15) {
      return static_cast<std::int64_t>(number);
    }
  }
  Fail(name, StrCat("Input should be a valid integer, got ", Preview(*value)));
  return std::nullopt;
}

std::optional<double> FieldReader::Number(std::string_view name) {
  const Json* value = Find(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_number()) return value->get<double>();
  Fail(name, StrCat("Input should be a valid number, got ", Preview(*value)));
  return std::nullopt;
}

std::optional<bool> FieldReader::Bool(std::string_view name) {
  const Json* value = Find(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>();
  Fail(name, StrCat("Input should be a valid boolean, got ", Preview(*value)));
  return std::nullopt;
}

std::optional<std::string> FieldReader::String(std::string_view name) {
  const Json* value = Find(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return value->get<std::string>();
  Fail(name, StrCat("Input should be a valid string, got ", Preview(*value)));
  return std::nullopt;
}

std::optional<std::vector<std::string>> FieldReader::StringOrList(std::string_view name) {
  const Json* value = Find(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return std::vector<std::string>{value->get<std::string>()};
  std::vector<std::string> strings;
  if (value->is_array()) {
    for (const Json& item : *value) {
      if (!item.is_string()) {
        Fail(name, StrCat("Input should be a string or a list of strings, got ", Preview(*value)));
        return std::nullopt;
      }
      strings.push_back(item.get<std::string>());
    }
    return strings;
  }
  Fail(name, StrCat("Input should be a string or a list of strings, got ", Preview(*value)));
  return std::nullopt;
}

std::optional<std::vector<std::int32_t>> FieldReader::IntList(std::string_view name) {
  const Json* value = Find(name);
  if (value == nullptr) return std::nullopt;
  std::vector<std::int32_t> ints;
  bool valid = value->is_array();
  if (valid) {
    for (const Json& item : *value) {
      if (!item.is_number_integer() || item.get<std::int64_t>() < 0 ||
          item.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max()) {
        valid = false;
        break;
      }
      ints.push_back(item.get<std::int32_t>());
    }
  }
  if (!valid) {
    Fail(name,
         StrCat("Input should be a flat list of non-negative integers, got ", Preview(*value)));
    return std::nullopt;
  }
  return ints;
}

void ReadSharedSamplingFields(FieldReader& reader, engine::SamplingParams& params) {
  if (auto value = reader.Number("temperature")) params.temperature = *value;
  if (auto value = reader.Number("top_p")) params.top_p = *value;
  if (auto value = reader.Int("top_k")) params.top_k = static_cast<std::int32_t>(*value);
  if (auto value = reader.Number("min_p")) params.min_p = *value;
  if (auto value = reader.Number("frequency_penalty")) params.frequency_penalty = *value;
  if (auto value = reader.Number("presence_penalty")) params.presence_penalty = *value;
  if (auto value = reader.Number("repetition_penalty")) params.repetition_penalty = *value;
  if (auto value = reader.StringOrList("stop")) params.stop = *value;
  if (auto value = reader.IntList("stop_token_ids")) params.stop_token_ids = *value;
  if (auto value = reader.Bool("ignore_eos")) params.ignore_eos = *value;
  if (auto value = reader.Bool("skip_special_tokens")) params.skip_special_tokens = *value;
  if (auto value = reader.Bool("no_stop_trim")) params.no_stop_trim = *value;
}

absl::Status ApplyNativeSamplingParams(const Json& object, std::int64_t context_length,
                                       engine::SamplingParams& params) {
  if (object.is_null()) return absl::OkStatus();
  if (!object.is_object()) {
    return ValidationError(
        StrCat("sampling_params: Input should be a valid dictionary, got ", Preview(object)));
  }
  FieldReader reader(object, "sampling_params");
  if (object.contains("max_new_tokens") && object["max_new_tokens"].is_null()) {
    params.max_new_tokens = context_length;  // SGLang: null means "the rest of the context"
  }
  if (auto value = reader.Int("max_new_tokens")) params.max_new_tokens = *value;
  if (auto value = reader.Int("min_new_tokens")) params.min_new_tokens = *value;
  ReadSharedSamplingFields(reader, params);
  if (auto value = reader.Int("sampling_seed")) params.seed = static_cast<std::uint64_t>(*value);
  if (auto value = reader.Int("seed")) params.seed = static_cast<std::uint64_t>(*value);
  if (auto n = reader.Int("n"); n.has_value() && *n != 1) {
    reader.Fail("n", StrCat("radixlm serves one sample per request (n=1), got ", *n));
  }
  // Accepted and without effect here: output spacing and streaming cadence knobs.
  reader.Bool("spaces_between_special_tokens");
  reader.Int("stream_interval");
  reader.Raw("custom_params");
  for (std::string_view unsupported :
       {"regex", "json_schema", "ebnf", "structural_tag", "stop_regex", "logit_bias"}) {
    if (reader.Raw(unsupported) != nullptr) {
      reader.Fail(unsupported,
                  "is not supported by radixlm serve (no constrained decoding or "
                  "logit bias); remove it");
    }
  }
  if (!reader.ok()) return reader.status();
  for (const auto& [key, value] : object.items()) {
    if (!reader.seen().contains(key)) {
      return ValidationError(
          StrCat("SamplingParams.__init__() got an unexpected keyword argument '", key, "'"));
    }
  }
  if (params.max_new_tokens < 0) {
    return ValidationError(
        StrCat("max_new_tokens must be at least 0, got ", params.max_new_tokens, "."));
  }
  return absl::OkStatus();
}

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < minimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace radixlm::server
