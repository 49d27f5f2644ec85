#include "src/engine/tokenizer/bpe_trainer.h"

#include <algorithm>
#include <fstream>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/tokenizer/byte_level.h"
#include "src/engine/tokenizer/pre_tokenizers.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine {
namespace {

using OrderedJson = nlohmann::ordered_json;

// Llama-3's pre-tokenizer regex, as its tokenizer.json declares it.
constexpr std::string_view kLlama3SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

constexpr char kVocabPlaceholder[] = "@@radixlm-vocab@@";

uint64_t PairKey(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct PairEntry {
  int64_t count;
  uint64_t key;
  // Highest count first; ties go to the smaller (left, right) id pair.
  bool operator<(const PairEntry& other) const {
    if (count != other.count) return count < other.count;
    return key > other.key;
  }
};

absl::StatusOr<std::unique_ptr<internal::PreTokenizer>> MakePreTokenizer(BpePreTokenization style) {
  switch (style) {
    case BpePreTokenization::kGpt2:
      return internal::MakeByteLevelPreTokenizer(/*add_prefix_space=*/false, /*use_regex=*/true);
    case BpePreTokenization::kSmolLm2: {
      auto digits = internal::ParsePreTokenizer(
          nlohmann::json{{"type", "Digits"}, {"individual_digits", true}}, "");
      if (!digits.ok()) return digits.status();
      std::vector<std::unique_ptr<internal::PreTokenizer>> steps;
      steps.push_back(*std::move(digits));
      steps.push_back(internal::MakeByteLevelPreTokenizer(false, true));
      return internal::MakePreTokenizerSequence(std::move(steps));
    }
    case BpePreTokenization::kLlama3: {
      auto split = internal::MakeIsolatingRegexSplit(kLlama3SplitPattern);
      if (!split.ok()) return split.status();
      std::vector<std::unique_ptr<internal::PreTokenizer>> steps;
      steps.push_back(*std::move(split));
      steps.push_back(internal::MakeByteLevelPreTokenizer(false, false));
      return internal::MakePreTokenizerSequence(std::move(steps));
    }
  }
  return absl::InvalidArgumentError("unknown pre-tokenization style");
}

OrderedJson ByteLevelJson(bool add_prefix_space, bool trim_offsets, bool use_regex) {
  return OrderedJson{{"type", "ByteLevel"},
                     {"add_prefix_space", add_prefix_space},
                     {"trim_offsets", trim_offsets},
                     {"use_regex", use_regex}};
}

OrderedJson PreTokenizerJson(BpePreTokenization style) {
  switch (style) {
    case BpePreTokenization::kGpt2:
      return ByteLevelJson(false, true, true);
    case BpePreTokenization::kSmolLm2:
      return OrderedJson{{"type", "Sequence"},
                         {"pretokenizers",
                          {OrderedJson{{"type", "Digits"}, {"individual_digits", true}},
                           ByteLevelJson(false, true, true)}}};
    case BpePreTokenization::kLlama3:
      return OrderedJson{{"type", "Sequence"},
                         {"pretokenizers",
                          {OrderedJson{{"type", "Split"},
                                       {"pattern", {{"Regex", std::string(kLlama3SplitPattern)}}},
                                       {"behavior", "Isolated"},
                                       {"invert", false}},
                           ByteLevelJson(false, true, false)}}};
  }
  return nullptr;
}

OrderedJson PostProcessorJson(const BpeTrainerOptions& options, int32_t bos_id) {
  OrderedJson byte_level = ByteLevelJson(true, false, true);
  if (!options.bos_token.has_value()) return byte_level;
  const std::string& bos = *options.bos_token;
  auto special = [&](int type_id) {
    return OrderedJson{{"SpecialToken", {{"id", bos}, {"type_id", type_id}}}};
  };
  auto sequence = [](const char* id, int type_id) {
    return OrderedJson{{"Sequence", {{"id", id}, {"type_id", type_id}}}};
  };
  OrderedJson template_processing{
      {"type", "TemplateProcessing"},
      {"single", {special(0), sequence("A", 0)}},
      {"pair", {special(0), sequence("A", 0), special(1), sequence("B", 1)}},
      {"special_tokens", {{bos, {{"id", bos}, {"ids", {bos_id}}, {"tokens", {bos}}}}}}};
  return OrderedJson{{"type", "Sequence"}, {"processors", {byte_level, template_processing}}};
}

absl::Status ValidateOptions(const BpeTrainerOptions& options) {
  absl::flat_hash_set<std::string> seen;
  for (const std::string& token : options.special_tokens) {
    if (token.empty() || internal::FindInvalidUtf8(token) != std::string_view::npos) {
      return absl::InvalidArgumentError("special tokens must be non-empty UTF-8 strings");
    }
    if (!seen.insert(token).second) {
      return absl::InvalidArgumentError(StrCat("special token \"", token, "\" is listed twice"));
    }
  }
  for (const auto& token : {options.bos_token, options.eos_token}) {
    if (token.has_value() && !seen.contains(*token)) {
      return absl::InvalidArgumentError(
          StrCat("bos/eos token \"", *token, "\" must be one of the special tokens"));
    }
  }
  const auto minimum = static_cast<int32_t>(256 + options.special_tokens.size());
  if (options.vocab_size < minimum) {
    return absl::InvalidArgumentError(StrCat("vocab_size ", options.vocab_size, " is below ",
                                             minimum,
                                             " (the 256 byte tokens plus the special tokens)"));
  }
  if (options.min_pair_frequency < 1) {
    return absl::InvalidArgumentError("min_pair_frequency must be at least 1");
  }
  return absl::OkStatus();
}

}  // namespace

BpeTrainerOptions Llama3TokenizerOptions(int32_t vocab_size) {
  BpeTrainerOptions options;
  options.vocab_size = vocab_size;
  options.pre_tokenization = BpePreTokenization::kLlama3;
  options.special_tokens = {"<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
                            "<|end_header_id|>", "<|eot_id|>"};
  options.bos_token = "<|begin_of_text|>";
  options.eos_token = "<|eot_id|>";
  options.model_max_length = 131072;
  return options;
}

BpeTrainerOptions SmolLm2TokenizerOptions(int32_t vocab_size) {
  BpeTrainerOptions options;
  options.vocab_size = vocab_size;
  options.pre_tokenization = BpePreTokenization::kSmolLm2;
  options.special_tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  options.special_tokens_first = true;
  options.eos_token = "<|im_end|>";
  options.model_max_length = 8192;
  return options;
}

std::vector<std::pair<std::string, std::string>> LearnBpeMerges(
    const std::vector<std::pair<std::vector<std::string>, int64_t>>& words, size_t max_merges,
    int64_t min_pair_frequency, bool* stopped_early) {
  *stopped_early = false;
  // Symbol ids: the initial alphabet in sorted order, then merged symbols as they are made.
  std::vector<std::string> symbols;
  absl::flat_hash_map<std::string, int32_t> symbol_ids;
  {
    std::vector<std::string> alphabet;
    for (const auto& [word, count] : words)
      alphabet.insert(alphabet.end(), word.begin(), word.end());
    std::sort(alphabet.begin(), alphabet.end());
    alphabet.erase(std::unique(alphabet.begin(), alphabet.end()), alphabet.end());
    for (std::string& symbol : alphabet) {
      symbol_ids.emplace(symbol, static_cast<int32_t>(symbols.size()));
      symbols.push_back(std::move(symbol));
    }
  }
  // Invariant: pair_counts[p] is the number of occurrences of p in the current words, weighted
  // by word count; pair_words[p] lists (possibly stale) words that may contain p.
  std::vector<std::vector<int32_t>> word_symbols(words.size());
  std::vector<int64_t> counts(words.size());
  absl::flat_hash_map<uint64_t, int64_t> pair_counts;
  absl::flat_hash_map<uint64_t, std::vector<int32_t>> pair_words;
  for (size_t w = 0; w < words.size(); ++w) {
    counts[w] = words[w].second;
    for (const std::string& symbol : words[w].first) word_symbols[w].push_back(symbol_ids[symbol]);
    const std::vector<int32_t>& s = word_symbols[w];
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      const uint64_t key = PairKey(s[i], s[i + 1]);
      pair_counts[key] += counts[w];
      std::vector<int32_t>& list = pair_words[key];
      if (list.empty() || list.back() != static_cast<int32_t>(w))
        list.push_back(static_cast<int32_t>(w));
    }
  }
  std::priority_queue<PairEntry> queue;
  for (const auto& [key, count] : pair_counts) queue.push({count, key});

  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<int32_t> rebuilt;
  while (merges.size() < max_merges) {
    if (queue.empty()) {
      *stopped_early = true;
      break;
    }
    const PairEntry top = queue.top();
    queue.pop();
    const auto count_it = pair_counts.find(top.key);
    const int64_t current = count_it == pair_counts.end() ? 0 : count_it->second;
    if (current != top.count) {
      if (current > 0) queue.push({current, top.key});
      continue;
    }
    if (current < min_pair_frequency) {
      *stopped_early = true;
      break;
    }
    const auto left = static_cast<int32_t>(top.key >> 32);
    const auto right = static_cast<int32_t>(top.key & 0xFFFFFFFF);
    merges.emplace_back(symbols[left], symbols[right]);
    const std::string merged = symbols[left] + symbols[right];
    int32_t merged_id;
    if (const auto it = symbol_ids.find(merged); it != symbol_ids.end()) {
      merged_id = it->second;
    } else {
      merged_id = static_cast<int32_t>(symbols.size());
      symbol_ids.emplace(merged, merged_id);
      symbols.push_back(merged);
    }
    std::vector<int32_t> affected = std::move(pair_words[top.key]);
    pair_words.erase(top.key);
    std::sort(affected.begin(), affected.end());
    affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
    absl::flat_hash_set<uint64_t> new_pairs;
    for (const int32_t w : affected) {
      std::vector<int32_t>& s = word_symbols[w];
      rebuilt.clear();
      bool changed = false;
      for (size_t i = 0; i < s.size(); ++i) {
        if (i + 1 < s.size() && s[i] == left && s[i + 1] == right) {
          rebuilt.push_back(merged_id);
          ++i;
          changed = true;
        } else {
          rebuilt.push_back(s[i]);
        }
      }
      if (!changed) continue;
      for (size_t i = 0; i + 1 < s.size(); ++i) pair_counts[PairKey(s[i], s[i + 1])] -= counts[w];
      s.swap(rebuilt);
      for (size_t i = 0; i + 1 < s.size(); ++i) {
        const uint64_t key = PairKey(s[i], s[i + 1]);
        pair_counts[key] += counts[w];
        if (s[i] == merged_id || s[i + 1] == merged_id) {
          new_pairs.insert(key);
          std::vector<int32_t>& list = pair_words[key];
          if (list.empty() || list.back() != w) list.push_back(w);
        }
      }
    }
    for (const uint64_t key : new_pairs) {
      if (pair_counts[key] > 0) queue.push({pair_counts[key], key});
    }
  }
  return merges;
}

absl::StatusOr<TrainedTokenizer> TrainByteLevelBpe(std::string_view corpus,
                                                   const BpeTrainerOptions& options) {
  if (absl::Status status = ValidateOptions(options); !status.ok()) return status;
  if (const size_t invalid = internal::FindInvalidUtf8(corpus); invalid != std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat("training corpus is not valid UTF-8 (offset ", invalid, ")"));
  }
  auto pre_tokenizer = MakePreTokenizer(options.pre_tokenization);
  if (!pre_tokenizer.ok()) return pre_tokenizer.status();

  absl::flat_hash_map<std::string, int64_t> word_counts;
  std::vector<internal::PreToken> pieces;
  // Line by line keeps the piece vectors small; every style's regex splits at newlines anyway.
  size_t line_start = 0;
  while (line_start < corpus.size()) {
    size_t line_end = corpus.find('\n', line_start);
    line_end = line_end == std::string_view::npos ? corpus.size() : line_end + 1;
    pieces.clear();
    pieces.push_back({std::string(corpus.substr(line_start, line_end - line_start)), true});
    (*pre_tokenizer)->PreTokenize(&pieces);
    for (internal::PreToken& piece : pieces) ++word_counts[std::move(piece.text)];
    line_start = line_end;
  }
  std::vector<std::pair<std::vector<std::string>, int64_t>> words;
  words.reserve(word_counts.size());
  for (const auto& [word, count] : word_counts) {
    std::vector<std::string> chars;
    for (size_t pos = 0; pos < word.size();) {
      const size_t length = internal::Utf8CharLength(word, pos);
      chars.push_back(word.substr(pos, length));
      pos += length;
    }
    words.emplace_back(std::move(chars), count);
  }
  std::sort(words.begin(), words.end());

  const size_t special_count = options.special_tokens.size();
  const size_t max_merges = static_cast<size_t>(options.vocab_size) - special_count - 256;
  TrainedTokenizer trained;
  const std::vector<std::pair<std::string, std::string>> merges =
      LearnBpeMerges(words, max_merges, options.min_pair_frequency, &trained.stopped_early);
  trained.merge_count = static_cast<int32_t>(merges.size());

  // Ids: [special tokens] 256 byte tokens, merged tokens in merge order [special tokens].
  // The vocabulary is serialized by hand, in id order: nlohmann's ordered_json looks keys up
  // linearly, which is quadratic for 100k-entry vocabularies.
  std::vector<std::string> vocab_in_id_order;
  absl::flat_hash_set<std::string> in_vocab;
  int32_t next_id = options.special_tokens_first ? static_cast<int32_t>(special_count) : 0;
  auto add_to_vocab = [&](std::string token) {
    if (!in_vocab.insert(token).second) return;
    vocab_in_id_order.push_back(std::move(token));
    ++next_id;
  };
  for (int byte = 0; byte < 256; ++byte) {
    std::string token;
    internal::AppendUtf8(internal::ByteToChar(static_cast<uint8_t>(byte)), &token);
    add_to_vocab(std::move(token));
  }
  OrderedJson merges_json = OrderedJson::array();
  for (const auto& [left, right] : merges) {
    add_to_vocab(left + right);
    if (options.pre_tokenization == BpePreTokenization::kLlama3) {
      merges_json.push_back({left, right});
    } else {
      merges_json.push_back(std::string(left).append(" ").append(right));
    }
  }
  std::string vocab_json = "{";
  auto append_entry = [&](const std::string& token, int32_t id) {
    if (vocab_json.size() > 1) vocab_json.append(",");
    vocab_json.append("\n      ").append(OrderedJson(token).dump()).append(": ");
    vocab_json.append(std::to_string(id));
  };
  OrderedJson added_tokens = OrderedJson::array();
  absl::flat_hash_map<std::string, int32_t> special_ids;
  for (size_t i = 0; i < special_count; ++i) {
    const auto id = options.special_tokens_first ? static_cast<int32_t>(i) : next_id++;
    special_ids[options.special_tokens[i]] = id;
    added_tokens.push_back(OrderedJson{{"id", id},
                                       {"content", options.special_tokens[i]},
                                       {"single_word", false},
                                       {"lstrip", false},
                                       {"rstrip", false},
                                       {"normalized", false},
                                       {"special", true}});
    if (options.special_tokens_first) append_entry(options.special_tokens[i], id);
  }
  const int32_t first_bpe_id =
      options.special_tokens_first ? static_cast<int32_t>(special_count) : 0;
  for (size_t i = 0; i < vocab_in_id_order.size(); ++i) {
    append_entry(vocab_in_id_order[i], first_bpe_id + static_cast<int32_t>(i));
  }
  vocab_json.append("\n    }");
  trained.vocab_size = next_id;

  OrderedJson model{{"type", "BPE"},
                    {"dropout", nullptr},
                    {"unk_token", nullptr},
                    {"continuing_subword_prefix", nullptr},
                    {"end_of_word_suffix", nullptr},
                    {"fuse_unk", false},
                    {"byte_fallback", false},
                    {"ignore_merges", options.pre_tokenization == BpePreTokenization::kLlama3},
                    {"vocab", kVocabPlaceholder},
                    {"merges", std::move(merges_json)}};
  const int32_t bos_id = options.bos_token.has_value() ? special_ids[*options.bos_token] : -1;
  OrderedJson tokenizer{{"version", "1.0"},
                        {"truncation", nullptr},
                        {"padding", nullptr},
                        {"added_tokens", std::move(added_tokens)},
                        {"normalizer", nullptr},
                        {"pre_tokenizer", PreTokenizerJson(options.pre_tokenization)},
                        {"post_processor", PostProcessorJson(options, bos_id)},
                        {"decoder", ByteLevelJson(true, true, true)},
                        {"model", std::move(model)}};
  trained.tokenizer_json = tokenizer.dump(2) + "\n";
  const std::string placeholder = OrderedJson(kVocabPlaceholder).dump();
  trained.tokenizer_json.replace(trained.tokenizer_json.find(placeholder), placeholder.size(),
                                 vocab_json);

  OrderedJson config{{"add_bos_token", options.bos_token.has_value()},
                     {"add_eos_token", false},
                     {"bos_token", options.bos_token.has_value() ? OrderedJson(*options.bos_token)
                                                                 : OrderedJson(nullptr)},
                     {"eos_token", options.eos_token.has_value() ? OrderedJson(*options.eos_token)
                                                                 : OrderedJson(nullptr)},
                     {"clean_up_tokenization_spaces", false},
                     {"model_max_length", options.model_max_length},
                     {"tokenizer_class", "PreTrainedTokenizerFast"}};
  if (options.chat_template.has_value()) config["chat_template"] = *options.chat_template;
  trained.tokenizer_config_json = config.dump(2) + "\n";
  return trained;
}

absl::Status WriteTokenizerFiles(const TrainedTokenizer& tokenizer,
                                 const std::filesystem::path& dir) {
  for (const auto& [name, contents] :
       {std::pair<const char*, const std::string*>{"tokenizer.json", &tokenizer.tokenizer_json},
        std::pair<const char*, const std::string*>{"tokenizer_config.json",
                                                   &tokenizer.tokenizer_config_json}}) {
    const std::filesystem::path path = dir / name;
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << *contents;
    file.close();
    if (!file) {
      return absl::InternalError(
          StrCat("cannot write ", path.string(), "; check that the folder exists and is writable"));
    }
  }
  return absl::OkStatus();
}

}  // namespace radixlm::engine
