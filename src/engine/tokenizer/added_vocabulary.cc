#include "src/engine/tokenizer/added_vocabulary.h"

#include <utility>

#include "src/common/strings.h"
#include "src/engine/tokenizer/json_fields.h"
#include "src/engine/tokenizer/unicode.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {
namespace {

// The code point that ends `text` (valid UTF-8, not empty).
char32_t LastCodePoint(std::string_view text) {
  size_t start = text.size() - 1;
  while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
  return DecodeUtf8(text, &start);
}

// Byte offset where the run of whitespace ending `text` begins.
size_t TrailingWhitespaceStart(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
    size_t next = start;
    if (!IsWhitespace(DecodeUtf8(text, &next))) break;
    end = start;
  }
  return end;
}

// Length in bytes of the run of whitespace starting `text`.
size_t LeadingWhitespaceLength(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t next = pos;
    if (!IsWhitespace(DecodeUtf8(text, &next))) break;
    pos = next;
  }
  return pos;
}

}  // namespace

void AddedVocabulary::Trie::Insert(std::string_view pattern, int32_t id) {
  int32_t node = 0;
  for (const char c : pattern) {
    const auto byte = static_cast<uint8_t>(c);
    const auto it = nodes[node].children.find(byte);
    if (it != nodes[node].children.end()) {
      node = it->second;
      continue;
    }
    const auto child = static_cast<int32_t>(nodes.size());
    nodes[node].children.emplace(byte, child);
    nodes.emplace_back();
    node = child;
  }
  nodes[node].terminal_id = id;
  first_bytes[static_cast<uint8_t>(pattern[0])] = true;
}

absl::StatusOr<AddedVocabulary> AddedVocabulary::Parse(const nlohmann::json* json,
                                                       std::string_view path, const BpeModel& model,
                                                       const Normalizer* normalizer) {
  AddedVocabulary vocabulary;
  if (json == nullptr) return vocabulary;
  if (!json->is_array()) return JsonError(path, "expected an array of added tokens");
  auto next_id = static_cast<int32_t>(model.size());
  for (size_t i = 0; i < json->size(); ++i) {
    const nlohmann::json& entry = (*json)[i];
    const std::string entry_path = JsonPath(path, i);
    if (!entry.is_object()) return JsonError(entry_path, "expected an object");
    AddedToken token;
    auto content = JsonRequiredString(entry, entry_path, "content");
    if (!content.ok()) return content.status();
    token.content = *std::move(content);
    for (auto [key, field, fallback] :
         {std::tuple{"single_word", &token.single_word, false},
          std::tuple{"lstrip", &token.lstrip, false}, std::tuple{"rstrip", &token.rstrip, false},
          std::tuple{"normalized", &token.normalized, true},
          std::tuple{"special", &token.special, false}}) {
      auto value = JsonBool(entry, entry_path, key, fallback);
      if (!value.ok()) return value.status();
      *field = *value;
    }
    if (token.content.empty()) continue;  // tokenizers ignores empty added tokens.
    if (const auto existing = vocabulary.id_by_content_.find(token.content);
        existing != vocabulary.id_by_content_.end()) {
      token.id = existing->second;
    } else if (const std::optional<int32_t> model_id = model.TokenToId(token.content)) {
      token.id = *model_id;
    } else {
      token.id = next_id++;
    }
    if (token.normalized && normalizer != nullptr) {
      std::string normalized = token.content;
      normalizer->Normalize(&normalized);
      if (normalized != token.content) vocabulary.normalized_form_[token.id] = normalized;
    }
    vocabulary.id_by_content_[token.content] = token.id;
    if (const auto it = vocabulary.index_by_id_.find(token.id);
        it != vocabulary.index_by_id_.end()) {
      vocabulary.tokens_[it->second] = std::move(token);
    } else {
      vocabulary.index_by_id_[token.id] = vocabulary.tokens_.size();
      vocabulary.tokens_.push_back(std::move(token));
    }
  }
  for (const AddedToken& token : vocabulary.tokens_) {
    if (!token.normalized) {
      vocabulary.raw_trie_.Insert(token.content, token.id);
      continue;
    }
    const auto normalized = vocabulary.normalized_form_.find(token.id);
    const std::string& pattern =
        normalized == vocabulary.normalized_form_.end() ? token.content : normalized->second;
    if (!pattern.empty()) vocabulary.normalized_trie_.Insert(pattern, token.id);
  }
  return vocabulary;
}

std::vector<AddedVocabulary::Match> AddedVocabulary::FindMatches(std::string_view text,
                                                                 const Trie& trie) const {
  std::vector<Match> splits;
  if (text.empty() || trie.empty()) {
    if (!text.empty()) splits.push_back({0, text.size(), -1});
    return splits;
  }
  size_t start_offset = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!trie.first_bytes[static_cast<uint8_t>(text[pos])]) {
      ++pos;
      continue;
    }
    // The longest pattern starting at `pos`.
    int32_t node = 0;
    std::optional<std::pair<size_t, int32_t>> longest;
    for (size_t i = pos; i < text.size(); ++i) {
      const auto it = trie.nodes[node].children.find(static_cast<uint8_t>(text[i]));
      if (it == trie.nodes[node].children.end()) break;
      node = it->second;
      if (trie.nodes[node].terminal_id.has_value()) {
        longest = std::make_pair(i + 1, *trie.nodes[node].terminal_id);
      }
    }
    if (!longest.has_value()) {
      ++pos;
      continue;
    }
    size_t begin = pos;
    size_t end = longest->first;
    pos = end;  // Matches never overlap, even when this one is discarded below.
    const AddedToken& token = tokens_[index_by_id_.at(longest->second)];
    if (token.single_word) {
      const bool word_before = begin > 0 && IsWordCharacter(LastCodePoint(text.substr(0, begin)));
      size_t after = end;
      const bool word_after = end < text.size() && IsWordCharacter(DecodeUtf8(text, &after));
      if (word_before || word_after) continue;
    }
    if (token.lstrip) {
      begin = std::max(TrailingWhitespaceStart(text.substr(0, begin)), start_offset);
    }
    if (token.rstrip) end += LeadingWhitespaceLength(text.substr(end));
    if (start_offset < begin) splits.push_back({start_offset, begin, -1});
    splits.push_back({begin, end, token.id});
    start_offset = end;
  }
  if (start_offset != text.size()) splits.push_back({start_offset, text.size(), -1});
  return splits;
}

std::vector<AddedSplit> AddedVocabulary::Split(std::string_view text,
                                               const Normalizer* normalizer) const {
  std::vector<AddedSplit> out;
  for (const Match& raw : FindMatches(text, raw_trie_)) {
    if (raw.begin >= raw.end) continue;
    std::string piece(text.substr(raw.begin, raw.end - raw.begin));
    if (raw.id >= 0) {
      out.push_back({raw.id, std::move(piece), raw.begin == 0});
      continue;
    }
    if (normalizer != nullptr) normalizer->Normalize(&piece);
    for (const Match& normalized : FindMatches(piece, normalized_trie_)) {
      if (normalized.begin >= normalized.end) continue;
      std::optional<int32_t> id;
      if (normalized.id >= 0) id = normalized.id;
      out.push_back({id, piece.substr(normalized.begin, normalized.end - normalized.begin),
                     raw.begin == 0 && normalized.begin == 0});
    }
  }
  return out;
}

const AddedToken* AddedVocabulary::FindById(int32_t id) const {
  const auto it = index_by_id_.find(id);
  return it == index_by_id_.end() ? nullptr : &tokens_[it->second];
}

std::optional<int32_t> AddedVocabulary::FindByContent(std::string_view content) const {
  const auto it = id_by_content_.find(std::string(content));
  if (it == id_by_content_.end()) return std::nullopt;
  return it->second;
}

const std::string* AddedVocabulary::DecodingForm(int32_t id) const {
  const auto normalized = normalized_form_.find(id);
  if (normalized != normalized_form_.end()) return &normalized->second;
  const AddedToken* token = FindById(id);
  return token == nullptr ? nullptr : &token->content;
}

}  // namespace radixlm::engine::internal
