#include "src/engine/tokenizer/tokenizer_config.h"

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/tokenizer/json_fields.h"

namespace radixlm::engine {
namespace {

using internal::JsonError;
using internal::JsonPath;

// transformers writes int(1e30) for "no limit"; anything this large means the same.
constexpr double kUnboundedLength = 1e18;

absl::StatusOr<std::optional<std::string>> TokenName(const nlohmann::json& config,
                                                     std::string_view key) {
  if (!config.contains(key) || config[std::string(key)].is_null()) {
    return std::optional<std::string>();
  }
  const nlohmann::json& value = config[std::string(key)];
  if (value.is_string()) return std::optional<std::string>(value.get<std::string>());
  if (value.is_object() && value.contains("content") && value["content"].is_string()) {
    return std::optional<std::string>(value["content"].get<std::string>());
  }
  return JsonError(JsonPath("tokenizer_config.json", key),
                   "expected a token string or an object with a \"content\" string");
}

}  // namespace

absl::StatusOr<TokenizerConfig> ParseTokenizerConfig(std::string_view json_text) {
  const nlohmann::json config = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr,
                                                      /*allow_exceptions=*/false);
  if (config.is_discarded()) {
    return absl::InvalidArgumentError("tokenizer_config.json is not valid JSON");
  }
  if (!config.is_object()) return JsonError("tokenizer_config.json", "expected a JSON object");
  TokenizerConfig out;
  for (auto [key, field] :
       {std::pair{"bos_token", &out.bos_token}, std::pair{"eos_token", &out.eos_token},
        std::pair{"pad_token", &out.pad_token}, std::pair{"unk_token", &out.unk_token}}) {
    auto name = TokenName(config, key);
    if (!name.ok()) return name.status();
    *field = *std::move(name);
  }
  for (auto [key, field] : {std::pair{"add_bos_token", &out.add_bos_token},
                            std::pair{"add_eos_token", &out.add_eos_token}}) {
    if (!config.contains(key) || config[key].is_null()) continue;
    if (!config[key].is_boolean()) {
      return JsonError(JsonPath("tokenizer_config.json", key), "expected true or false");
    }
    *field = config[key].get<bool>();
  }
  if (config.contains("model_max_length") && !config["model_max_length"].is_null()) {
    const nlohmann::json& length = config["model_max_length"];
    if (!length.is_number() || length.get<double>() <= 0) {
      return JsonError("tokenizer_config.json.model_max_length", "expected a positive number");
    }
    if (length.get<double>() < kUnboundedLength) {
      out.model_max_length = length.is_number_integer()
                                 ? length.get<int64_t>()
                                 : static_cast<int64_t>(length.get<double>());
    }
  }
  if (config.contains("tokenizer_class") && config["tokenizer_class"].is_string()) {
    out.tokenizer_class = config["tokenizer_class"].get<std::string>();
  }
  if (config.contains("chat_template") && !config["chat_template"].is_null()) {
    const nlohmann::json& chat_template = config["chat_template"];
    const std::string path = "tokenizer_config.json.chat_template";
    if (chat_template.is_string()) {
      out.chat_template = chat_template.get<std::string>();
    } else if (chat_template.is_array()) {
      for (size_t i = 0; i < chat_template.size(); ++i) {
        const nlohmann::json& entry = chat_template[i];
        if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
            !entry.contains("template") || !entry["template"].is_string()) {
          return JsonError(JsonPath(path, i), "expected {\"name\": ..., \"template\": ...}");
        }
        out.named_chat_templates.emplace_back(entry["name"].get<std::string>(),
                                              entry["template"].get<std::string>());
        if (out.named_chat_templates.back().first == "default") {
          out.chat_template = out.named_chat_templates.back().second;
        }
      }
    } else {
      return JsonError(path, "expected a string or a list of {\"name\", \"template\"}");
    }
  }
  return out;
}

}  // namespace radixlm::engine
