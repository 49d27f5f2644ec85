#include "src/engine/tokenizer/normalizers.h"

#include <utility>
#include <vector>

#include "src/common/strings.h"
#include "src/engine/tokenizer/json_fields.h"
#include "src/engine/tokenizer/regex.h"
#include "src/engine/tokenizer/unicode.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {
namespace {

class UnicodeNormalizer final : public Normalizer {
 public:
  explicit UnicodeNormalizer(NormalizationForm form) : form_(form) {}
  void Normalize(std::string* text) const override { *text = NormalizeUnicode(form_, *text); }

 private:
  NormalizationForm form_;
};

class LowercaseNormalizer final : public Normalizer {
 public:
  void Normalize(std::string* text) const override { *text = LowercaseUnicode(*text); }
};

// Removes leading and/or trailing Unicode whitespace.
class StripNormalizer final : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void Normalize(std::string* text) const override {
    size_t begin = 0;
    size_t end = text->size();
    if (left_) {
      while (begin < end) {
        size_t next = begin;
        if (!IsWhitespace(DecodeUtf8(*text, &next))) break;
        begin = next;
      }
    }
    if (right_) {
      while (end > begin) {
        size_t start = end - 1;
        while (start > begin && (static_cast<uint8_t>((*text)[start]) & 0xC0) == 0x80) --start;
        size_t next = start;
        if (!IsWhitespace(DecodeUtf8(*text, &next))) break;
        end = start;
      }
    }
    *text = text->substr(begin, end - begin);
  }

 private:
  bool left_;
  bool right_;
};

class PrependNormalizer final : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prefix) : prefix_(std::move(prefix)) {}
  void Normalize(std::string* text) const override {
    if (!text->empty()) text->insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

// Replaces every match of a literal or regex pattern with `content`.
class ReplaceNormalizer final : public Normalizer {
 public:
  ReplaceNormalizer(OnigRegex pattern, std::string content)
      : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void Normalize(std::string* text) const override {
    std::vector<MatchSpan> spans;
    pattern_.FindMatches(*text, &spans);
    std::string out;
    out.reserve(text->size());
    for (const MatchSpan& span : spans) {
      if (span.is_match) {
        out.append(content_);
      } else {
        out.append(*text, span.begin, span.end - span.begin);
      }
    }
    *text = std::move(out);
  }

 private:
  OnigRegex pattern_;
  std::string content_;
};

class SequenceNormalizer final : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> steps)
      : steps_(std::move(steps)) {}
  void Normalize(std::string* text) const override {
    for (const auto& step : steps_) step->Normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

}  // namespace

// A `{"String": "..."}` or `{"Regex": "..."}` pattern, shared by Replace and Split.
absl::StatusOr<OnigRegex> ParsePattern(const nlohmann::json& json, std::string_view path) {
  if (json.is_object() && json.size() == 1) {
    const auto entry = json.begin();
    const std::string& kind = entry.key();
    const nlohmann::json& value = entry.value();
    if (value.is_string() && kind == "String") {
      return OnigRegex::CompileLiteral(value.get<std::string>());
    }
    if (value.is_string() && kind == "Regex") {
      auto regex = OnigRegex::Compile(value.get<std::string>());
      if (!regex.ok()) return JsonError(path, ToStd(regex.status().message()));
      return regex;
    }
  }
  return JsonError(path, "expected {\"String\": \"...\"} or {\"Regex\": \"...\"}");
}

absl::StatusOr<std::unique_ptr<Normalizer>> ParseNormalizer(const nlohmann::json& json,
                                                            std::string_view path) {
  auto type = JsonType(json, path);
  if (!type.ok()) return type.status();
  if (*type == "NFC") return std::make_unique<UnicodeNormalizer>(NormalizationForm::kNfc);
  if (*type == "NFD") return std::make_unique<UnicodeNormalizer>(NormalizationForm::kNfd);
  if (*type == "NFKC") return std::make_unique<UnicodeNormalizer>(NormalizationForm::kNfkc);
  if (*type == "NFKD") return std::make_unique<UnicodeNormalizer>(NormalizationForm::kNfkd);
  if (*type == "Lowercase") return std::make_unique<LowercaseNormalizer>();
  if (*type == "Strip") {
    auto left = JsonBool(json, path, "strip_left", true);
    if (!left.ok()) return left.status();
    auto right = JsonBool(json, path, "strip_right", true);
    if (!right.ok()) return right.status();
    return std::make_unique<StripNormalizer>(*left, *right);
  }
  if (*type == "Prepend") {
    auto prefix = JsonRequiredString(json, path, "prepend");
    if (!prefix.ok()) return prefix.status();
    return std::make_unique<PrependNormalizer>(*std::move(prefix));
  }
  if (*type == "Replace") {
    auto pattern_json = JsonRequired(json, path, "pattern");
    if (!pattern_json.ok()) return pattern_json.status();
    auto pattern = ParsePattern(**pattern_json, JsonPath(path, "pattern"));
    if (!pattern.ok()) return pattern.status();
    auto content = JsonRequiredString(json, path, "content");
    if (!content.ok()) return content.status();
    return std::make_unique<ReplaceNormalizer>(*std::move(pattern), *std::move(content));
  }
  if (*type == "Sequence") {
    auto list = JsonRequired(json, path, "normalizers");
    if (!list.ok()) return list.status();
    const std::string list_path = JsonPath(path, "normalizers");
    if (!(*list)->is_array()) return JsonError(list_path, "expected an array");
    std::vector<std::unique_ptr<Normalizer>> steps;
    for (size_t i = 0; i < (*list)->size(); ++i) {
      auto step = ParseNormalizer((**list)[i], JsonPath(list_path, i));
      if (!step.ok()) return step.status();
      steps.push_back(*std::move(step));
    }
    return std::make_unique<SequenceNormalizer>(std::move(steps));
  }
  return JsonError(JsonPath(path, "type"),
                   StrCat("unsupported normalizer type \"", *type,
                          "\" (supported: NFC, NFD, NFKC, NFKD, Lowercase, Strip, Prepend, "
                          "Replace, Sequence)"));
}

}  // namespace radixlm::engine::internal
