#include "src/engine/tokenizer/decoders.h"

#include <optional>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/tokenizer/byte_level.h"
#include "src/engine/tokenizer/json_fields.h"
#include "src/engine/tokenizer/normalizers.h"
#include "src/engine/tokenizer/regex.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {
namespace {

constexpr char kReplacementCharacter[] = "\xEF\xBF\xBD";

// The byte a byte-fallback token "<0xNN>" stands for.
std::optional<uint8_t> ByteFallbackValue(std::string_view token) {
  if (token.size() != 6 || !token.starts_with("<0x") || token[5] != '>') return std::nullopt;
  int value = 0;
  for (const char c : token.substr(3, 2)) {
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= c - '0';
    } else if (c >= 'A' && c <= 'F') {
      value |= c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      value |= c - 'a' + 10;
    } else {
      return std::nullopt;
    }
  }
  return static_cast<uint8_t>(value);
}

// All tokens' bytes, concatenated, read as lossy UTF-8; one output string.
class ByteLevelStep final : public DecoderStep {
 public:
  void Apply(std::vector<std::string>* tokens, DecodeState* state) const override {
    std::string bytes;
    for (const std::string& token : *tokens) bytes.append(ByteLevelToBytes(token));
    tokens->assign(1, Utf8Lossy(bytes));
    state->fused = true;
  }
};

class MetaspaceStep final : public DecoderStep {
 public:
  MetaspaceStep(char32_t replacement, bool strip_in_first_token)
      : replacement_(replacement), strip_in_first_token_(strip_in_first_token) {}
  void Apply(std::vector<std::string>* tokens, DecodeState* state) const override {
    for (size_t i = 0; i < tokens->size(); ++i) {
      const std::string& token = (*tokens)[i];
      const bool drop = i == 0 && state->starts_sequence && strip_in_first_token_;
      std::string out;
      out.reserve(token.size());
      size_t pos = 0;
      while (pos < token.size()) {
        const size_t begin = pos;
        const char32_t code_point = DecodeUtf8(token, &pos);
        if (code_point != replacement_) {
          out.append(token, begin, pos - begin);
        } else if (!drop) {
          out.push_back(' ');
        }
      }
      (*tokens)[i] = std::move(out);
    }
  }

 private:
  char32_t replacement_;
  bool strip_in_first_token_;  // prepend_scheme is not "never".
};

class ReplaceStep final : public DecoderStep {
 public:
  ReplaceStep(OnigRegex pattern, std::string content)
      : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void Apply(std::vector<std::string>* tokens, DecodeState*) const override {
    std::vector<MatchSpan> spans;
    for (std::string& token : *tokens) {
      spans.clear();
      pattern_.FindMatches(token, &spans);
      std::string out;
      for (const MatchSpan& span : spans) {
        if (span.is_match) {
          out.append(content_);
        } else {
          out.append(token, span.begin, span.end - span.begin);
        }
      }
      token = std::move(out);
    }
  }

 private:
  OnigRegex pattern_;
  std::string content_;
};

// Runs of "<0xNN>" tokens become their bytes when those form valid UTF-8, else one U+FFFD per
// byte token.
class ByteFallbackStep final : public DecoderStep {
 public:
  void Apply(std::vector<std::string>* tokens, DecodeState*) const override {
    std::vector<std::string> out;
    out.reserve(tokens->size());
    std::string pending;
    auto flush = [&] {
      if (pending.empty()) return;
      if (FindInvalidUtf8(pending) == std::string_view::npos) {
        out.push_back(pending);
      } else {
        for (size_t i = 0; i < pending.size(); ++i) out.emplace_back(kReplacementCharacter);
      }
      pending.clear();
    };
    for (std::string& token : *tokens) {
      if (const std::optional<uint8_t> byte = ByteFallbackValue(token)) {
        pending.push_back(static_cast<char>(*byte));
        continue;
      }
      flush();
      out.push_back(std::move(token));
    }
    flush();
    *tokens = std::move(out);
  }
};

class FuseStep final : public DecoderStep {
 public:
  void Apply(std::vector<std::string>* tokens, DecodeState* state) const override {
    std::string joined;
    for (const std::string& token : *tokens) joined.append(token);
    tokens->clear();
    tokens->push_back(std::move(joined));
    state->fused = true;
  }
};

// Removes up to `start` leading and `stop` trailing `content` characters from each token.
class StripStep final : public DecoderStep {
 public:
  StripStep(char32_t content, size_t start, size_t stop)
      : content_(content), start_(start), stop_(stop) {}
  void Apply(std::vector<std::string>* tokens, DecodeState* state) const override {
    for (size_t i = 0; i < tokens->size(); ++i) {
      std::string& token = (*tokens)[i];
      std::vector<char32_t> chars;
      for (size_t pos = 0; pos < token.size();) chars.push_back(DecodeUtf8(token, &pos));
      size_t begin = 0;
      // A fused window that continues a sequence does not hold the text's true start.
      const bool holds_start = !(state->fused && !state->starts_sequence && i == 0);
      if (holds_start) {
        while (begin < start_ && begin < chars.size() && chars[begin] == content_) ++begin;
      }
      size_t end = chars.size();
      for (size_t stripped = 0; stripped < stop_ && end > begin && chars[end - 1] == content_;
           ++stripped) {
        --end;
      }
      std::string out;
      for (size_t j = begin; j < end; ++j) AppendUtf8(chars[j], &out);
      token = std::move(out);
    }
  }

 private:
  char32_t content_;
  size_t start_;
  size_t stop_;
};

absl::Status ParseSteps(const nlohmann::json& json, std::string_view path,
                        std::vector<std::unique_ptr<DecoderStep>>* steps, bool* has_byte_level,
                        bool* has_byte_fallback, bool* splittable, bool* fused) {
  auto type = JsonType(json, path);
  if (!type.ok()) return type.status();
  // After a step that fuses the list, only steps that treat the text's pieces independently
  // keep the chain splittable.
  const bool fused_before = *fused;
  if (*type == "Sequence") {
    auto list = JsonRequired(json, path, "decoders");
    if (!list.ok()) return list.status();
    const std::string list_path = JsonPath(path, "decoders");
    if (!(*list)->is_array()) return JsonError(list_path, "expected an array");
    for (size_t i = 0; i < (*list)->size(); ++i) {
      absl::Status status = ParseSteps((**list)[i], JsonPath(list_path, i), steps, has_byte_level,
                                       has_byte_fallback, splittable, fused);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }
  if (*type == "ByteLevel") {
    steps->push_back(std::make_unique<ByteLevelStep>());
    *has_byte_level = true;
    if (fused_before) *splittable = false;
    *fused = true;
    return absl::OkStatus();
  }
  if (*type == "Fuse") {
    steps->push_back(std::make_unique<FuseStep>());
    *fused = true;
    return absl::OkStatus();
  }
  if (*type == "ByteFallback") {
    steps->push_back(std::make_unique<ByteFallbackStep>());
    *has_byte_fallback = true;
    return absl::OkStatus();
  }
  if (*type == "Metaspace") {
    auto replacement = JsonChar(json, path, "replacement", std::nullopt);
    if (!replacement.ok()) return replacement.status();
    auto scheme = JsonOptionalString(json, path, "prepend_scheme");
    if (!scheme.ok()) return scheme.status();
    auto add_prefix_space = JsonBool(json, path, "add_prefix_space", true);
    if (!add_prefix_space.ok()) return add_prefix_space.status();
    const bool never = (scheme->has_value() && **scheme == "never") || !*add_prefix_space;
    steps->push_back(std::make_unique<MetaspaceStep>(*replacement, !never));
    if (fused_before) *splittable = false;
    return absl::OkStatus();
  }
  if (*type == "Replace") {
    auto pattern_json = JsonRequired(json, path, "pattern");
    if (!pattern_json.ok()) return pattern_json.status();
    auto pattern = ParsePattern(**pattern_json, JsonPath(path, "pattern"));
    if (!pattern.ok()) return pattern.status();
    auto content = JsonRequiredString(json, path, "content");
    if (!content.ok()) return content.status();
    steps->push_back(std::make_unique<ReplaceStep>(*std::move(pattern), *std::move(content)));
    if (fused_before) *splittable = false;
    return absl::OkStatus();
  }
  if (*type == "Strip") {
    auto content = JsonChar(json, path, "content", std::nullopt);
    if (!content.ok()) return content.status();
    auto start = JsonInt(json, path, "start", 0);
    if (!start.ok()) return start.status();
    auto stop = JsonInt(json, path, "stop", 0);
    if (!stop.ok()) return stop.status();
    if (*start < 0 || *stop < 0) return JsonError(path, "start and stop must not be negative");
    steps->push_back(std::make_unique<StripStep>(*content, static_cast<size_t>(*start),
                                                 static_cast<size_t>(*stop)));
    if (fused_before && *stop > 0) *splittable = false;
    return absl::OkStatus();
  }
  return JsonError(JsonPath(path, "type"),
                   StrCat("unsupported decoder type \"", *type,
                          "\" (supported: ByteLevel, Metaspace, Replace, ByteFallback, Fuse, "
                          "Strip, Sequence)"));
}

}  // namespace

absl::StatusOr<DecoderChain> DecoderChain::Parse(const nlohmann::json* json,
                                                 std::string_view path) {
  DecoderChain chain;
  if (json == nullptr) {
    chain.join_with_spaces_ = true;
    return chain;
  }
  bool fused = false;
  absl::Status status = ParseSteps(*json, path, &chain.steps_, &chain.has_byte_level_,
                                   &chain.has_byte_fallback_, &chain.splittable_, &fused);
  if (!status.ok()) return status;
  return chain;
}

std::string DecoderChain::Decode(std::vector<std::string> tokens, bool starts_sequence) const {
  std::string text;
  if (join_with_spaces_) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0 || !starts_sequence) text.push_back(' ');
      text.append(tokens[i]);
    }
    return text;
  }
  DecodeState state;
  state.starts_sequence = starts_sequence;
  for (const auto& step : steps_) step->Apply(&tokens, &state);
  for (const std::string& piece : tokens) text.append(piece);
  return text;
}

size_t DecoderChain::UnstableSuffixTokens(const std::vector<std::string>& tokens) const {
  size_t hold = 0;
  if (has_byte_fallback_) {
    while (hold < tokens.size() && ByteFallbackValue(tokens[tokens.size() - 1 - hold])) ++hold;
  }
  if (has_byte_level_) {
    // A character is at most 4 bytes: the last tokens holding 3 bytes decide.
    std::vector<size_t> byte_counts;
    std::string tail;
    for (size_t i = tokens.size(); i-- > 0 && tail.size() < 3;) {
      const std::string bytes = ByteLevelToBytes(tokens[i]);
      tail.insert(0, bytes);
      byte_counts.push_back(bytes.size());
    }
    size_t incomplete = IncompleteUtf8Suffix(tail);
    size_t byte_level_hold = 0;
    while (incomplete > 0 && byte_level_hold < byte_counts.size()) {
      incomplete -= std::min(incomplete, byte_counts[byte_level_hold]);
      ++byte_level_hold;
    }
    hold = std::max(hold, byte_level_hold);
  }
  return hold;
}

}  // namespace radixlm::engine::internal
