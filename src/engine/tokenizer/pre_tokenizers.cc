#include "src/engine/tokenizer/pre_tokenizers.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/tokenizer/byte_level.h"
#include "src/engine/tokenizer/json_fields.h"
#include "src/engine/tokenizer/normalizers.h"
#include "src/engine/tokenizer/regex.h"
#include "src/engine/tokenizer/unicode.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {
namespace {

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

absl::StatusOr<SplitBehavior> ParseBehavior(const nlohmann::json& json, std::string_view path,
                                            std::optional<SplitBehavior> fallback) {
  auto name = JsonOptionalString(json, path, "behavior");
  if (!name.ok()) return name.status();
  if (!name->has_value()) {
    if (fallback.has_value()) return *fallback;
    return JsonError(JsonPath(path, "behavior"), "missing");
  }
  const std::string& value = **name;
  if (value == "Removed") return SplitBehavior::kRemoved;
  if (value == "Isolated") return SplitBehavior::kIsolated;
  if (value == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (value == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (value == "Contiguous") return SplitBehavior::kContiguous;
  return JsonError(JsonPath(path, "behavior"),
                   StrCat("unknown split behavior \"", value,
                          "\" (expected Removed, Isolated, MergedWithPrevious, MergedWithNext "
                          "or Contiguous)"));
}

// `tokenizers`' find_matches for a character predicate: each matching character is its own
// match.
void FindCharMatches(std::string_view text, const std::function<bool(char32_t)>& predicate,
                     std::vector<MatchSpan>* spans) {
  if (text.empty()) {
    spans->push_back({0, 0, false});
    return;
  }
  size_t last_offset = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t begin = pos;
    const char32_t code_point = DecodeUtf8(text, &pos);
    if (!predicate(code_point)) continue;
    if (last_offset < begin) spans->push_back({last_offset, begin, false});
    spans->push_back({begin, pos, true});
    last_offset = pos;
  }
  if (pos > last_offset) spans->push_back({last_offset, pos, false});
}

// NormalizedString::split: turns `spans` (a cover of `piece.text`) into sub-pieces according
// to `behavior`, dropping removed and empty ones.
void SplitPiece(const PreToken& piece, const std::vector<MatchSpan>& spans, SplitBehavior behavior,
                std::vector<PreToken>* out) {
  struct Keep {
    size_t begin;
    size_t end;
    bool remove;
  };
  std::vector<Keep> keeps;
  keeps.reserve(spans.size());
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (const MatchSpan& span : spans) keeps.push_back({span.begin, span.end, false});
      break;
    case SplitBehavior::kRemoved:
      for (const MatchSpan& span : spans) keeps.push_back({span.begin, span.end, span.is_match});
      break;
    case SplitBehavior::kContiguous: {
      bool previous_match = false;
      for (const MatchSpan& span : spans) {
        if (span.is_match == previous_match && !keeps.empty()) {
          keeps.back().end = span.end;
        } else {
          keeps.push_back({span.begin, span.end, false});
        }
        previous_match = span.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithPrevious: {
      bool previous_match = false;
      for (const MatchSpan& span : spans) {
        if (span.is_match && !previous_match && !keeps.empty()) {
          keeps.back().end = span.end;
        } else {
          keeps.push_back({span.begin, span.end, false});
        }
        previous_match = span.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool previous_match = false;
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->is_match && !previous_match && !keeps.empty()) {
          keeps.back().begin = it->begin;
        } else {
          keeps.push_back({it->begin, it->end, false});
        }
        previous_match = it->is_match;
      }
      std::reverse(keeps.begin(), keeps.end());
      break;
    }
  }
  for (const Keep& keep : keeps) {
    if (keep.remove || keep.begin == keep.end) continue;
    out->push_back({piece.text.substr(keep.begin, keep.end - keep.begin),
                    piece.at_input_start && keep.begin == 0});
  }
}

// Runs `find` on every piece and splits it.
template <typename FindFn>
void SplitAll(std::vector<PreToken>* pieces, SplitBehavior behavior, bool invert,
              const FindFn& find) {
  std::vector<PreToken> out;
  out.reserve(pieces->size() * 2);
  std::vector<MatchSpan> spans;
  for (const PreToken& piece : *pieces) {
    spans.clear();
    find(piece.text, &spans);
    if (invert) {
      for (MatchSpan& span : spans) span.is_match = !span.is_match;
    }
    SplitPiece(piece, spans, behavior, &out);
  }
  *pieces = std::move(out);
}

class ByteLevelPreTokenizer final : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, std::optional<OnigRegex> split_regex)
      : add_prefix_space_(add_prefix_space), split_regex_(std::move(split_regex)) {}

  void PreTokenize(std::vector<PreToken>* pieces) const override {
    if (add_prefix_space_) {
      for (PreToken& piece : *pieces) {
        if (!piece.text.empty() && piece.text[0] != ' ') piece.text.insert(piece.text.begin(), ' ');
      }
    }
    if (split_regex_.has_value()) {
      SplitAll(pieces, SplitBehavior::kIsolated, /*invert=*/false,
               [this](std::string_view text, std::vector<MatchSpan>* spans) {
                 split_regex_->FindMatches(text, spans);
               });
    }
    for (PreToken& piece : *pieces) piece.text = BytesToByteLevel(piece.text);
  }

 private:
  bool add_prefix_space_;
  std::optional<OnigRegex> split_regex_;  // GPT-2's regex when `use_regex`.
};

class RegexSplitPreTokenizer final : public PreTokenizer {
 public:
  RegexSplitPreTokenizer(OnigRegex regex, SplitBehavior behavior, bool invert)
      : regex_(std::move(regex)), behavior_(behavior), invert_(invert) {}

  void PreTokenize(std::vector<PreToken>* pieces) const override {
    SplitAll(pieces, behavior_, invert_,
             [this](std::string_view text, std::vector<MatchSpan>* spans) {
               regex_.FindMatches(text, spans);
             });
  }

 private:
  OnigRegex regex_;
  SplitBehavior behavior_;
  bool invert_;
};

class CharClassSplitPreTokenizer final : public PreTokenizer {
 public:
  CharClassSplitPreTokenizer(bool (*predicate)(char32_t), SplitBehavior behavior)
      : predicate_(predicate), behavior_(behavior) {}

  void PreTokenize(std::vector<PreToken>* pieces) const override {
    SplitAll(pieces, behavior_, /*invert=*/false,
             [this](std::string_view text, std::vector<MatchSpan>* spans) {
               FindCharMatches(text, predicate_, spans);
             });
  }

 private:
  bool (*predicate_)(char32_t);
  SplitBehavior behavior_;
};

enum class PrependScheme { kAlways, kFirst, kNever };

class MetaspacePreTokenizer final : public PreTokenizer {
 public:
  MetaspacePreTokenizer(char32_t replacement, PrependScheme scheme, bool split)
      : replacement_(replacement), scheme_(scheme), split_(split) {
    AppendUtf8(replacement, &replacement_utf8_);
  }

  void PreTokenize(std::vector<PreToken>* pieces) const override {
    for (PreToken& piece : *pieces) {
      std::string replaced;
      replaced.reserve(piece.text.size() + 3);
      for (const char c : piece.text) {
        if (c == ' ') {
          replaced.append(replacement_utf8_);
        } else {
          replaced.push_back(c);
        }
      }
      const bool starts_with_replacement = replaced.starts_with(replacement_utf8_);
      if (!replaced.empty() && !starts_with_replacement &&
          (scheme_ == PrependScheme::kAlways ||
           (scheme_ == PrependScheme::kFirst && piece.at_input_start))) {
        replaced.insert(0, replacement_utf8_);
      }
      piece.text = std::move(replaced);
    }
    if (split_) {
      const char32_t replacement = replacement_;
      SplitAll(pieces, SplitBehavior::kMergedWithNext, /*invert=*/false,
               [replacement](std::string_view text, std::vector<MatchSpan>* spans) {
                 FindCharMatches(
                     text, [replacement](char32_t c) { return c == replacement; }, spans);
               });
    }
  }

 private:
  char32_t replacement_;
  std::string replacement_utf8_;
  PrependScheme scheme_;
  bool split_;
};

class SequencePreTokenizer final : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps)
      : steps_(std::move(steps)) {}
  void PreTokenize(std::vector<PreToken>* pieces) const override {
    for (const auto& step : steps_) step->PreTokenize(pieces);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

absl::StatusOr<std::unique_ptr<PreTokenizer>> ParseMetaspace(const nlohmann::json& json,
                                                             std::string_view path) {
  auto replacement = JsonChar(json, path, "replacement", std::nullopt);
  if (!replacement.ok()) return replacement.status();
  auto scheme_name = JsonOptionalString(json, path, "prepend_scheme");
  if (!scheme_name.ok()) return scheme_name.status();
  PrependScheme scheme = PrependScheme::kAlways;
  if (scheme_name->has_value()) {
    if (**scheme_name == "always") {
      scheme = PrependScheme::kAlways;
    } else if (**scheme_name == "first") {
      scheme = PrependScheme::kFirst;
    } else if (**scheme_name == "never") {
      scheme = PrependScheme::kNever;
    } else {
      return JsonError(JsonPath(path, "prepend_scheme"),
                       StrCat("unknown prepend_scheme \"", **scheme_name,
                              "\" (expected always, first or never)"));
    }
  }
  // Files written before prepend_scheme existed say add_prefix_space instead.
  auto add_prefix_space = JsonBool(json, path, "add_prefix_space", true);
  if (!add_prefix_space.ok()) return add_prefix_space.status();
  if (!*add_prefix_space) scheme = PrependScheme::kNever;
  auto split = JsonBool(json, path, "split", true);
  if (!split.ok()) return split.status();
  return std::make_unique<MetaspacePreTokenizer>(*replacement, scheme, *split);
}

}  // namespace

std::unique_ptr<PreTokenizer> MakeByteLevelPreTokenizer(bool add_prefix_space, bool use_regex) {
  std::optional<OnigRegex> regex;
  // The GPT-2 pattern is a compile-time constant that ICU accepts (checked by the tests).
  if (use_regex) regex.emplace(*OnigRegex::Compile(kGpt2SplitPattern));
  return std::make_unique<ByteLevelPreTokenizer>(add_prefix_space, std::move(regex));
}

absl::StatusOr<std::unique_ptr<PreTokenizer>> MakeIsolatingRegexSplit(std::string_view pattern) {
  auto regex = OnigRegex::Compile(pattern);
  if (!regex.ok()) return regex.status();
  return std::make_unique<RegexSplitPreTokenizer>(*std::move(regex), SplitBehavior::kIsolated,
                                                  /*invert=*/false);
}

std::unique_ptr<PreTokenizer> MakePreTokenizerSequence(
    std::vector<std::unique_ptr<PreTokenizer>> steps) {
  return std::make_unique<SequencePreTokenizer>(std::move(steps));
}

absl::StatusOr<std::unique_ptr<PreTokenizer>> ParsePreTokenizer(const nlohmann::json& json,
                                                                std::string_view path) {
  auto type = JsonType(json, path);
  if (!type.ok()) return type.status();
  if (*type == "ByteLevel") {
    auto add_prefix_space = JsonBool(json, path, "add_prefix_space", true);
    if (!add_prefix_space.ok()) return add_prefix_space.status();
    auto use_regex = JsonBool(json, path, "use_regex", true);
    if (!use_regex.ok()) return use_regex.status();
    return MakeByteLevelPreTokenizer(*add_prefix_space, *use_regex);
  }
  if (*type == "Split") {
    auto pattern_json = JsonRequired(json, path, "pattern");
    if (!pattern_json.ok()) return pattern_json.status();
    auto regex = ParsePattern(**pattern_json, JsonPath(path, "pattern"));
    if (!regex.ok()) return regex.status();
    auto behavior = ParseBehavior(json, path, std::nullopt);
    if (!behavior.ok()) return behavior.status();
    auto invert = JsonBool(json, path, "invert", false);
    if (!invert.ok()) return invert.status();
    return std::make_unique<RegexSplitPreTokenizer>(*std::move(regex), *behavior, *invert);
  }
  if (*type == "Metaspace") return ParseMetaspace(json, path);
  if (*type == "Digits") {
    auto individual = JsonBool(json, path, "individual_digits", false);
    if (!individual.ok()) return individual.status();
    return std::make_unique<CharClassSplitPreTokenizer>(
        IsNumeric, *individual ? SplitBehavior::kIsolated : SplitBehavior::kContiguous);
  }
  if (*type == "Punctuation") {
    auto behavior = ParseBehavior(json, path, SplitBehavior::kIsolated);
    if (!behavior.ok()) return behavior.status();
    return std::make_unique<CharClassSplitPreTokenizer>(IsPunctuation, *behavior);
  }
  if (*type == "Whitespace") {
    auto regex = OnigRegex::Compile(R"(\w+|[^\w\s]+)");
    if (!regex.ok()) return regex.status();
    return std::make_unique<RegexSplitPreTokenizer>(*std::move(regex), SplitBehavior::kRemoved,
                                                    /*invert=*/true);
  }
  if (*type == "WhitespaceSplit") {
    return std::make_unique<CharClassSplitPreTokenizer>(IsWhitespace, SplitBehavior::kRemoved);
  }
  if (*type == "Sequence") {
    auto list = JsonRequired(json, path, "pretokenizers");
    if (!list.ok()) return list.status();
    const std::string list_path = JsonPath(path, "pretokenizers");
    if (!(*list)->is_array()) return JsonError(list_path, "expected an array");
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (size_t i = 0; i < (*list)->size(); ++i) {
      auto step = ParsePreTokenizer((**list)[i], JsonPath(list_path, i));
      if (!step.ok()) return step.status();
      steps.push_back(*std::move(step));
    }
    return MakePreTokenizerSequence(std::move(steps));
  }
  return JsonError(JsonPath(path, "type"),
                   StrCat("unsupported pre_tokenizer type \"", *type,
                          "\" (supported: ByteLevel, Split, Metaspace, Digits, Punctuation, "
                          "Whitespace, WhitespaceSplit, Sequence)"));
}

}  // namespace radixlm::engine::internal
