#include "src/engine/tokenizer/post_processor.h"

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "src/common/strings.h"
#include "src/engine/tokenizer/json_fields.h"

namespace radixlm::engine::internal {

absl::StatusOr<PostProcessor> PostProcessor::Parse(const nlohmann::json* json,
                                                   std::string_view path) {
  PostProcessor processor;
  if (json == nullptr) return processor;
  if (absl::Status status = processor.ParseInto(*json, path); !status.ok()) return status;
  return processor;
}

absl::Status PostProcessor::ParseInto(const nlohmann::json& json, std::string_view path) {
  auto type = JsonType(json, path);
  if (!type.ok()) return type.status();
  if (*type == "ByteLevel") return absl::OkStatus();
  if (*type == "TemplateProcessing") return ParseTemplate(json, path);
  if (*type == "Sequence") {
    auto list = JsonRequired(json, path, "processors");
    if (!list.ok()) return list.status();
    const std::string list_path = JsonPath(path, "processors");
    if (!(*list)->is_array()) return JsonError(list_path, "expected an array");
    for (size_t i = 0; i < (*list)->size(); ++i) {
      if (absl::Status status = ParseInto((**list)[i], JsonPath(list_path, i)); !status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }
  return JsonError(JsonPath(path, "type"),
                   StrCat("unsupported post_processor type \"", *type,
                          "\" (supported: TemplateProcessing, ByteLevel, Sequence)"));
}

absl::Status PostProcessor::ParseTemplate(const nlohmann::json& json, std::string_view path) {
  if (has_template_) {
    return JsonError(path, "a second TemplateProcessing in one Sequence is not supported");
  }
  has_template_ = true;
  // special_tokens: {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}, ...}
  absl::flat_hash_map<std::string, std::vector<int32_t>> special_ids;
  const std::string specials_path = JsonPath(path, "special_tokens");
  if (json.contains("special_tokens") && !json["special_tokens"].is_null()) {
    const nlohmann::json& specials = json["special_tokens"];
    if (!specials.is_object()) return JsonError(specials_path, "expected an object");
    for (const auto& [name, special] : specials.items()) {
      const std::string special_path = JsonPath(specials_path, name);
      if (!special.is_object() || !special.contains("ids") || !special["ids"].is_array()) {
        return JsonError(special_path, "expected {\"id\": ..., \"ids\": [...], \"tokens\": [...]}");
      }
      std::vector<int32_t> ids;
      for (const nlohmann::json& id : special["ids"]) {
        if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
          return JsonError(JsonPath(special_path, "ids"), "expected non-negative integer ids");
        }
        ids.push_back(static_cast<int32_t>(id.get<int64_t>()));
      }
      special_ids[name] = std::move(ids);
    }
  }
  auto single = JsonRequired(json, path, "single");
  if (!single.ok()) return single.status();
  const std::string single_path = JsonPath(path, "single");
  if (!(*single)->is_array()) {
    return JsonError(single_path, "expected a list of {\"SpecialToken\"|\"Sequence\": ...} pieces");
  }
  bool seen_sequence = false;
  for (size_t i = 0; i < (*single)->size(); ++i) {
    const nlohmann::json& piece = (**single)[i];
    const std::string piece_path = JsonPath(single_path, i);
    if (piece.is_object() && piece.contains("Sequence")) {
      if (seen_sequence) return JsonError(piece_path, "the single template repeats the sequence");
      seen_sequence = true;
      continue;
    }
    if (!piece.is_object() || !piece.contains("SpecialToken") ||
        !piece["SpecialToken"].is_object() || !piece["SpecialToken"].contains("id") ||
        !piece["SpecialToken"]["id"].is_string()) {
      return JsonError(piece_path,
                       "expected {\"SpecialToken\": {\"id\": ...}} or {\"Sequence\": {...}}");
    }
    const auto name = piece["SpecialToken"]["id"].get<std::string>();
    const auto it = special_ids.find(name);
    if (it == special_ids.end()) {
      return JsonError(piece_path,
                       StrCat("special token \"", name, "\" is not listed in ", specials_path));
    }
    std::vector<int32_t>& target = seen_sequence ? suffix_ids_ : prefix_ids_;
    target.insert(target.end(), it->second.begin(), it->second.end());
  }
  if (!seen_sequence) return JsonError(single_path, "the single template has no $A sequence");
  return absl::OkStatus();
}

std::vector<int32_t> PostProcessor::Apply(std::vector<int32_t> ids) const {
  if (prefix_ids_.empty() && suffix_ids_.empty()) return ids;
  std::vector<int32_t> out;
  out.reserve(prefix_ids_.size() + ids.size() + suffix_ids_.size());
  out.insert(out.end(), prefix_ids_.begin(), prefix_ids_.end());
  out.insert(out.end(), ids.begin(), ids.end());
  out.insert(out.end(), suffix_ids_.begin(), suffix_ids_.end());
  return out;
}

}  // namespace radixlm::engine::internal
