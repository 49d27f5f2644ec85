#include "tests/engine/tokenizer/fixture_builder.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <utility>

#include "nlohmann/json.hpp"
#include "src/engine/tokenizer/bpe_trainer.h"
#include "src/engine/tokenizer/english_corpus.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::tokenizer_fixtures {
namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr char kMetaspace[] = "\xE2\x96\x81";  // U+2581, SentencePiece's space.

constexpr char kQwen2Pattern[] =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

OrderedJson AddedToken(int id, const std::string& content, bool special, bool normalized = false,
                       bool lstrip = false, bool rstrip = false, bool single_word = false) {
  return OrderedJson{{"id", id},          {"content", content}, {"single_word", single_word},
                     {"lstrip", lstrip},  {"rstrip", rstrip},   {"normalized", normalized},
                     {"special", special}};
}

std::vector<std::string> SplitChars(const std::string& word) {
  std::vector<std::string> chars;
  for (size_t pos = 0; pos < word.size();) {
    const size_t length = internal::Utf8CharLength(word, pos);
    chars.push_back(word.substr(pos, length));
    pos += length;
  }
  return chars;
}

// A BPE model over `word_counts` (symbols are characters, the last one suffixed with
// `end_of_word_suffix`): `head` tokens first, then the alphabet, then merges.
OrderedJson TrainCharacterBpe(const std::map<std::string, int64_t>& word_counts,
                              const std::vector<std::string>& head, size_t vocab_size,
                              const std::string& end_of_word_suffix, bool merges_as_pairs) {
  std::vector<std::pair<std::vector<std::string>, int64_t>> words;
  std::vector<std::string> alphabet;
  for (const auto& [word, count] : word_counts) {
    std::vector<std::string> chars = SplitChars(word);
    chars.back() += end_of_word_suffix;
    alphabet.insert(alphabet.end(), chars.begin(), chars.end());
    words.emplace_back(std::move(chars), count);
  }
  std::sort(alphabet.begin(), alphabet.end());
  alphabet.erase(std::unique(alphabet.begin(), alphabet.end()), alphabet.end());
  std::vector<std::string> vocab = head;
  vocab.insert(vocab.end(), alphabet.begin(), alphabet.end());
  bool stopped_early = false;
  const auto merges = LearnBpeMerges(words, vocab_size - vocab.size(), 2, &stopped_early);
  OrderedJson merges_json = OrderedJson::array();
  for (const auto& [left, right] : merges) {
    if (std::find(vocab.begin(), vocab.end(), left + right) == vocab.end()) {
      vocab.push_back(left + right);
    }
    merges_json.push_back(merges_as_pairs ? OrderedJson{left, right}
                                          : OrderedJson(left + " " + right));
  }
  OrderedJson vocab_json = OrderedJson::object();
  for (size_t i = 0; i < vocab.size(); ++i) vocab_json[vocab[i]] = i;
  return OrderedJson{{"type", "BPE"},
                     {"dropout", nullptr},
                     {"unk_token", nullptr},
                     {"continuing_subword_prefix", nullptr},
                     {"end_of_word_suffix", nullptr},
                     {"fuse_unk", false},
                     {"byte_fallback", false},
                     {"ignore_merges", false},
                     {"vocab", std::move(vocab_json)},
                     {"merges", std::move(merges_json)}};
}

// Corpus lines as SentencePiece sees them: spaces become U+2581 and a U+2581 is prepended;
// words are the U+2581-led runs.
std::map<std::string, int64_t> SentencePieceWords() {
  std::map<std::string, int64_t> counts;
  const std::string_view corpus = EnglishTrainingCorpus();
  std::string word;
  auto flush = [&] {
    if (!word.empty()) ++counts[word];
    word.clear();
  };
  for (size_t pos = 0; pos < corpus.size(); ++pos) {
    const char c = corpus[pos];
    if (c == ' ' || c == '\n') {
      flush();
      if (c == ' ') word = kMetaspace;
      continue;
    }
    if (word.empty()) word = kMetaspace;
    word.push_back(c);
  }
  flush();
  return counts;
}

Fixture SentencePieceFixture(const std::string& name, bool legacy) {
  std::vector<std::string> head = {"<unk>", "<s>", "</s>"};
  for (int byte = 0; byte < 256; ++byte) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "<0x%02X>", byte);
    head.emplace_back(hex);
  }
  OrderedJson model = TrainCharacterBpe(SentencePieceWords(), head, 1400, "", false);
  model["unk_token"] = "<unk>";
  model["fuse_unk"] = true;
  model["byte_fallback"] = true;
  const int vocab_size = static_cast<int>(model["vocab"].size());
  OrderedJson added = {AddedToken(0, "<unk>", true), AddedToken(1, "<s>", true),
                       AddedToken(2, "</s>", true)};
  OrderedJson tokenizer{{"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr}};
  const OrderedJson metaspace_replace{
      {"type", "Replace"}, {"pattern", {{"String", kMetaspace}}}, {"content", " "}};
  if (legacy) {
    // Llama-2 / TinyLlama: Prepend + Replace normalizer, no pre-tokenizer.
    added.push_back(AddedToken(vocab_size, "<tool>", false, false, true, true));
    added.push_back(AddedToken(vocab_size + 1, "xyzzy", false, false, false, false, true));
    added.push_back(AddedToken(vocab_size + 2, "yesterday", false, true));
    tokenizer["added_tokens"] = added;
    tokenizer["normalizer"] = {
        {"type", "Sequence"},
        {"normalizers",
         {{{"type", "Prepend"}, {"prepend", kMetaspace}},
          {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kMetaspace}}}}};
    tokenizer["pre_tokenizer"] = nullptr;
    tokenizer["decoder"] = {{"type", "Sequence"},
                            {"decoders",
                             {metaspace_replace,
                              {{"type", "ByteFallback"}},
                              {{"type", "Fuse"}},
                              {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}};
  } else {
    // Mistral v0.3 style: Metaspace pre-tokenizer prepending only at the start of the input.
    added.push_back(AddedToken(vocab_size, "[INST]", true));
    added.push_back(AddedToken(vocab_size + 1, "[/INST]", true));
    tokenizer["added_tokens"] = added;
    tokenizer["normalizer"] = nullptr;
    tokenizer["pre_tokenizer"] = {{"type", "Metaspace"},
                                  {"replacement", kMetaspace},
                                  {"prepend_scheme", "first"},
                                  {"split", false}};
    tokenizer["decoder"] = {{"type", "Sequence"},
                            {"decoders",
                             {{{"type", "Metaspace"},
                               {"replacement", kMetaspace},
                               {"prepend_scheme", "first"},
                               {"split", false}},
                              {{"type", "ByteFallback"}},
                              {{"type", "Fuse"}}}}};
  }
  tokenizer["post_processor"] = {
      {"type", "TemplateProcessing"},
      {"single",
       {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
        {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
      {"pair",
       {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
        {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
        {{"SpecialToken", {{"id", "<s>"}, {"type_id", 1}}}},
        {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
      {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}};
  tokenizer["model"] = std::move(model);
  const OrderedJson config{{"add_bos_token", true},
                           {"add_eos_token", false},
                           {"bos_token", {{"__type", "AddedToken"}, {"content", "<s>"}}},
                           {"eos_token", "</s>"},
                           {"unk_token", "<unk>"},
                           {"legacy", legacy},
                           {"model_max_length", 2048},
                           {"tokenizer_class", "LlamaTokenizer"}};
  return {name, tokenizer.dump(2) + "\n", config.dump(2) + "\n"};
}

// Lowercasing, NFKC, whitespace and digit splitting, an unknown token, an end-of-word suffix
// and no decoder (tokens joined with spaces). (No Punctuation pre-tokenizer: the JS reference
// groups runs of punctuation, unlike tokenizers; components_test covers it.)
Fixture MiscFixture() {
  std::map<std::string, int64_t> counts;
  const std::string_view corpus = EnglishTrainingCorpus();
  std::string word;
  for (const char c : corpus) {
    const auto lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word.push_back(lower);
    } else {
      if (!word.empty()) ++counts[word];
      word.clear();
      if (std::ispunct(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c))) {
        ++counts[std::string(1, c)];
      }
    }
  }
  OrderedJson model = TrainCharacterBpe(counts, {"[UNK]"}, 900, "</w>", true);
  model["unk_token"] = "[UNK]";
  model["end_of_word_suffix"] = "</w>";
  OrderedJson tokenizer{{"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr}};
  tokenizer["added_tokens"] = {AddedToken(0, "[UNK]", true)};
  tokenizer["normalizer"] = {
      {"type", "Sequence"},
      {"normalizers",
       {{{"type", "NFKC"}},
        {{"type", "Lowercase"}},
        {{"type", "Replace"}, {"pattern", {{"Regex", "\\s+"}}}, {"content", " "}},
        {{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}}}}};
  tokenizer["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers",
       {{{"type", "WhitespaceSplit"}}, {{"type", "Digits"}, {"individual_digits", false}}}}};
  tokenizer["post_processor"] = nullptr;
  tokenizer["decoder"] = nullptr;
  tokenizer["model"] = std::move(model);
  const OrderedJson config{{"unk_token", "[UNK]"}, {"model_max_length", 512}};
  return {"misc", tokenizer.dump(2) + "\n", config.dump(2) + "\n"};
}

absl::StatusOr<Fixture> TrainedFixture(const std::string& name, const BpeTrainerOptions& options) {
  auto trained = TrainByteLevelBpe(EnglishTrainingCorpus(), options);
  if (!trained.ok()) return trained.status();
  return Fixture{name, trained->tokenizer_json, trained->tokenizer_config_json};
}

}  // namespace

absl::StatusOr<std::vector<Fixture>> BuildFixtures() {
  std::vector<Fixture> fixtures;

  BpeTrainerOptions gpt2;
  gpt2.vocab_size = 1200;
  gpt2.pre_tokenization = BpePreTokenization::kGpt2;
  gpt2.special_tokens = {"<|endoftext|>"};
  gpt2.eos_token = "<|endoftext|>";
  gpt2.model_max_length = 1024;
  auto gpt2_fixture = TrainedFixture("gpt2_style", gpt2);
  if (!gpt2_fixture.ok()) return gpt2_fixture.status();
  fixtures.push_back(*std::move(gpt2_fixture));

  auto smollm2 = TrainedFixture("smollm2_style", SmolLm2TokenizerOptions(1200));
  if (!smollm2.ok()) return smollm2.status();
  fixtures.push_back(*std::move(smollm2));

  auto llama3 = TrainedFixture("llama3_style", Llama3TokenizerOptions(1500));
  if (!llama3.ok()) return llama3.status();
  fixtures.push_back(*std::move(llama3));

  // Qwen2: the Llama-3 layout with NFC, Qwen2's single-digit regex, ChatML tokens, no BOS.
  BpeTrainerOptions qwen2 = Llama3TokenizerOptions(1400);
  qwen2.special_tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  qwen2.bos_token.reset();
  qwen2.eos_token = "<|im_end|>";
  auto qwen2_trained = TrainByteLevelBpe(EnglishTrainingCorpus(), qwen2);
  if (!qwen2_trained.ok()) return qwen2_trained.status();
  OrderedJson qwen2_json = OrderedJson::parse(qwen2_trained->tokenizer_json);
  qwen2_json["normalizer"] = {{"type", "NFC"}};
  qwen2_json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = kQwen2Pattern;
  qwen2_json["model"]["ignore_merges"] = false;
  fixtures.push_back(
      {"qwen2_style", qwen2_json.dump(2) + "\n", qwen2_trained->tokenizer_config_json});

  fixtures.push_back(SentencePieceFixture("llama2_style", /*legacy=*/true));
  fixtures.push_back(SentencePieceFixture("mistral_style", /*legacy=*/false));
  fixtures.push_back(MiscFixture());
  return fixtures;
}

}  // namespace radixlm::engine::tokenizer_fixtures
