#include "src/engine/tokenizer/bpe_model.h"

#include <queue>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/tokenizer/json_fields.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {
namespace {

// Mirrors tokenizers' `utils::cache::MAX_LENGTH`: longer words are encoded but not cached.
constexpr size_t kMaxCachedWordBytes = 256;
constexpr size_t kCacheCapacity = 1 << 16;

// A symbol of a word being merged: a doubly linked list over a vector. Invariant: a symbol
// with `byte_length == 0` has been merged into its left neighbour and is skipped.
struct Symbol {
  int32_t id;
  int32_t prev;
  int32_t next;
  size_t byte_length;
};

void AddSymbol(int32_t id, size_t byte_length, std::vector<Symbol>* symbols) {
  const auto count = static_cast<int32_t>(symbols->size());
  if (!symbols->empty()) symbols->back().next = count;
  symbols->push_back({id, count - 1, -1, byte_length});
}

// A candidate merge in the queue; the lowest rank, then the leftmost position, goes first.
struct Candidate {
  uint32_t rank;
  int32_t position;
  int32_t merged_id;
  bool operator<(const Candidate& other) const {
    if (rank != other.rank) return rank > other.rank;
    return position > other.position;
  }
};

absl::StatusOr<std::pair<std::string, std::string>> ParseMergeEntry(const nlohmann::json& entry,
                                                                    std::string_view path) {
  if (entry.is_string()) {
    const auto& text = entry.get_ref<const std::string&>();
    const size_t space = text.find(' ');
    if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos) {
      return JsonError(path,
                       StrCat("merge \"", text, "\" is not two tokens separated by one space"));
    }
    return std::make_pair(text.substr(0, space), text.substr(space + 1));
  }
  if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string()) {
    return std::make_pair(entry[0].get<std::string>(), entry[1].get<std::string>());
  }
  return JsonError(path, "expected a merge as \"left right\" or [\"left\", \"right\"]");
}

}  // namespace

absl::StatusOr<std::unique_ptr<BpeModel>> BpeModel::Parse(const nlohmann::json& json,
                                                          std::string_view path) {
  auto type = JsonType(json, path);
  if (!type.ok()) return type.status();
  if (*type != "BPE") {
    return JsonError(JsonPath(path, "type"),
                     StrCat("unsupported model type \"", *type, "\" (only BPE is supported)"));
  }
  std::unique_ptr<BpeModel> model(new BpeModel());
  if (json.contains("dropout") && !json["dropout"].is_null() &&
      !(json["dropout"].is_number() && json["dropout"].get<double>() == 0.0)) {
    return JsonError(JsonPath(path, "dropout"),
                     "BPE dropout is a training-time randomization; inference requires null");
  }

  auto vocab = JsonRequired(json, path, "vocab");
  if (!vocab.ok()) return vocab.status();
  const std::string vocab_path = JsonPath(path, "vocab");
  if (!(*vocab)->is_object()) return JsonError(vocab_path, "expected an object of token: id");
  model->vocab_.reserve((*vocab)->size());
  for (const auto& [token, id_json] : (*vocab)->items()) {
    if (!id_json.is_number_integer() || id_json.get<int64_t>() < 0 ||
        id_json.get<int64_t>() >= (int64_t{1} << 30)) {
      return JsonError(JsonPath(vocab_path, token), "expected a non-negative integer id");
    }
    const auto id = static_cast<int32_t>(id_json.get<int64_t>());
    if (static_cast<size_t>(id) >= model->id_to_token_.size()) {
      model->id_to_token_.resize(static_cast<size_t>(id) + 1);
    }
    if (model->id_to_token_[id].has_value()) {
      return JsonError(JsonPath(vocab_path, token),
                       StrCat("id ", id, " is already used by \"", *model->id_to_token_[id], "\""));
    }
    model->id_to_token_[id] = token;
    model->vocab_.emplace(token, id);
  }

  for (const char* key : {"unk_token", "continuing_subword_prefix", "end_of_word_suffix"}) {
    auto value = JsonOptionalString(json, path, key);
    if (!value.ok()) return value.status();
    if (!value->has_value()) continue;
    if (std::string_view(key) == "unk_token") {
      const auto it = model->vocab_.find(**value);
      if (it == model->vocab_.end()) {
        return JsonError(JsonPath(path, key),
                         StrCat("unk_token \"", **value, "\" is not in ", vocab_path));
      }
      model->unk_id_ = it->second;
    } else if (std::string_view(key) == "continuing_subword_prefix") {
      model->continuing_subword_prefix_ = **value;
    } else {
      model->end_of_word_suffix_ = **value;
    }
  }
  for (auto [key, field] : {std::pair{"fuse_unk", &model->fuse_unk_},
                            std::pair{"byte_fallback", &model->byte_fallback_},
                            std::pair{"ignore_merges", &model->ignore_merges_}}) {
    auto value = JsonBool(json, path, key, false);
    if (!value.ok()) return value.status();
    *field = *value;
  }
  if (model->byte_fallback_) {
    for (int byte = 0; byte < 256; ++byte) {
      const auto it = model->vocab_.find(fmt::format("<0x{:02X}>", byte));
      if (it != model->vocab_.end()) model->byte_ids_[byte] = it->second;
    }
  }

  auto merges = JsonRequired(json, path, "merges");
  if (!merges.ok()) return merges.status();
  const std::string merges_path = JsonPath(path, "merges");
  if (!(*merges)->is_array()) return JsonError(merges_path, "expected an array");
  model->merges_.reserve((*merges)->size());
  const size_t prefix_length = model->continuing_subword_prefix_.size();
  uint32_t rank = 0;
  for (size_t i = 0; i < (*merges)->size(); ++i) {
    const nlohmann::json& entry = (**merges)[i];
    if (entry.is_string() && entry.get_ref<const std::string&>().starts_with("#version")) continue;
    const std::string entry_path = JsonPath(merges_path, i);
    auto pair = ParseMergeEntry(entry, entry_path);
    if (!pair.ok()) return pair.status();
    const auto& [left, right] = *pair;
    const auto left_it = model->vocab_.find(left);
    const auto right_it = model->vocab_.find(right);
    if (left_it == model->vocab_.end() || right_it == model->vocab_.end()) {
      return JsonError(entry_path,
                       StrCat("merge refers to \"", left_it == model->vocab_.end() ? left : right,
                              "\", which is not in ", vocab_path));
    }
    if (right.size() < prefix_length) {
      return JsonError(entry_path, "right token is shorter than continuing_subword_prefix");
    }
    const std::string merged = left + right.substr(prefix_length);
    const auto merged_it = model->vocab_.find(merged);
    if (merged_it == model->vocab_.end()) {
      return JsonError(entry_path, StrCat("merged token \"", merged, "\" is not in ", vocab_path));
    }
    // A repeated pair keeps its last rank, as tokenizers' merge map does.
    model->merges_[PairKey(left_it->second, right_it->second)] = {rank++, merged_it->second};
    size_t pos = 0;
    char32_t previous = DecodeUtf8(merged, &pos);
    while (pos < merged.size()) {
      const char32_t current = DecodeUtf8(merged, &pos);
      model->adjacent_in_merges_.insert(
          PairKey(static_cast<int32_t>(previous), static_cast<int32_t>(current)));
      previous = current;
    }
  }
  return model;
}

std::optional<int32_t> BpeModel::TokenToId(std::string_view token) const {
  const auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

const std::string* BpeModel::IdToToken(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= id_to_token_.size()) return nullptr;
  const std::optional<std::string>& token = id_to_token_[id];
  return token.has_value() ? &*token : nullptr;
}

const BpeModel::Merge* BpeModel::FindMerge(int32_t left, int32_t right) const {
  const auto it = merges_.find(PairKey(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

void BpeModel::Tokenize(std::string_view word, std::vector<int32_t>* ids) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    if (const auto it = vocab_.find(word); it != vocab_.end()) {
      ids->push_back(it->second);
      return;
    }
  }
  if (word.size() < kMaxCachedWordBytes || !continuing_subword_prefix_.empty() ||
      !end_of_word_suffix_.empty()) {
    MergeCached(word, ids);
    return;
  }
  // A long word: merge it in chunks split where no merge can reach across.
  size_t chunk_start = 0;
  size_t pos = 0;
  char32_t previous = 0;
  bool previous_in_vocab = false;
  while (pos < word.size()) {
    const size_t begin = pos;
    const char32_t current = DecodeUtf8(word, &pos);
    const bool current_in_vocab = vocab_.contains(word.substr(begin, pos - begin));
    if (begin > chunk_start && previous_in_vocab && current_in_vocab &&
        !adjacent_in_merges_.contains(
            PairKey(static_cast<int32_t>(previous), static_cast<int32_t>(current)))) {
      MergeCached(word.substr(chunk_start, begin - chunk_start), ids);
      chunk_start = begin;
    }
    previous = current;
    previous_in_vocab = current_in_vocab;
  }
  MergeCached(word.substr(chunk_start), ids);
}

void BpeModel::MergeCached(std::string_view word, std::vector<int32_t>* ids) const {
  const bool cacheable = word.size() < kMaxCachedWordBytes;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (const auto it = cache_.find(word); it != cache_.end()) {
      ids->insert(ids->end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t first = ids->size();
  MergeWord(word, ids);
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() < kCacheCapacity) {
      cache_.emplace(
          std::string(word),
          std::vector<int32_t>(ids->begin() + static_cast<ptrdiff_t>(first), ids->end()));
    }
  }
}

void BpeModel::MergeWord(std::string_view word, std::vector<int32_t>* ids) const {
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  // A pending run of unknown characters (fused runs grow it) and its byte length.
  bool unknown_pending = false;
  size_t unknown_length = 0;
  const bool has_affixes = !continuing_subword_prefix_.empty() || !end_of_word_suffix_.empty();
  std::string affixed;
  size_t pos = 0;
  while (pos < word.size()) {
    const size_t begin = pos;
    pos += Utf8CharLength(word, pos);
    const size_t byte_length = pos - begin;
    std::string_view piece = word.substr(begin, byte_length);
    if (has_affixes) {
      affixed.clear();
      if (begin != 0) affixed.append(continuing_subword_prefix_);
      affixed.append(piece);
      if (pos == word.size()) affixed.append(end_of_word_suffix_);
      piece = affixed;
    }

    if (const auto it = vocab_.find(piece); it != vocab_.end()) {
      if (unknown_pending) {
        AddSymbol(*unk_id_, unknown_length, &symbols);
        unknown_pending = false;
      }
      AddSymbol(it->second, byte_length, &symbols);
      continue;
    }
    if (byte_fallback_) {
      bool all_bytes_known = true;
      for (const char byte : piece)
        all_bytes_known &= byte_ids_[static_cast<uint8_t>(byte)].has_value();
      if (all_bytes_known) {
        for (const char byte : piece)
          AddSymbol(*byte_ids_[static_cast<uint8_t>(byte)], 1, &symbols);
        continue;
      }
    }
    if (!unk_id_.has_value()) continue;  // tokenizers drops characters it cannot represent.
    if (unknown_pending && fuse_unk_) {
      unknown_length += byte_length;
    } else {
      if (unknown_pending) AddSymbol(*unk_id_, unknown_length, &symbols);
      unknown_pending = true;
      unknown_length = byte_length;
    }
  }
  if (unknown_pending) AddSymbol(*unk_id_, unknown_length, &symbols);

  std::vector<Candidate> initial;
  initial.reserve(symbols.size());
  for (size_t i = 0; i + 1 < symbols.size(); ++i) {
    if (const Merge* merge = FindMerge(symbols[i].id, symbols[i + 1].id)) {
      initial.push_back({merge->rank, static_cast<int32_t>(i), merge->merged_id});
    }
  }
  std::priority_queue<Candidate> queue(std::less<Candidate>(), std::move(initial));
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& current = symbols[top.position];
    if (current.byte_length == 0 || current.next == -1) continue;
    const int32_t right_index = current.next;
    const Symbol right = symbols[right_index];
    // Skip entries made stale by an earlier merge of either symbol.
    const Merge* still_valid = FindMerge(current.id, right.id);
    if (still_valid == nullptr || still_valid->merged_id != top.merged_id) continue;

    current.id = top.merged_id;
    current.byte_length += right.byte_length;
    current.next = right.next;
    symbols[right_index].byte_length = 0;
    if (right.next != -1) symbols[right.next].prev = top.position;
    if (current.prev >= 0) {
      if (const Merge* merge = FindMerge(symbols[current.prev].id, current.id)) {
        queue.push({merge->rank, current.prev, merge->merged_id});
      }
    }
    if (current.next != -1) {
      if (const Merge* merge = FindMerge(current.id, symbols[current.next].id)) {
        queue.push({merge->rank, top.position, merge->merged_id});
      }
    }
  }
  for (const Symbol& symbol : symbols) {
    if (symbol.byte_length != 0) ids->push_back(symbol.id);
  }
}

}  // namespace radixlm::engine::internal
