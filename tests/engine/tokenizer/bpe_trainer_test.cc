#include "src/engine/tokenizer/bpe_trainer.h"

#include <chrono>
#include <filesystem>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "src/common/strings.h"
#include "src/engine/tokenizer/english_corpus.h"
#include "src/engine/tokenizer/tokenizer.h"
#include "tests/engine/tokenizer/fixture_builder.h"
#include "tests/engine/tokenizer/testdata_reader.h"

namespace radixlm::engine {
namespace {

const std::string kSample =
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.\n"
    "Numbers like 12345 and 2024 appear, and so do contractions: it's, we'll, they're.\n";

TEST(BpeTrainerTest, TrainedTokenizerLoadsAndRoundTrips) {
  for (const BpeTrainerOptions& options :
       {Llama3TokenizerOptions(2000), SmolLm2TokenizerOptions(2000)}) {
    auto trained = TrainByteLevelBpe(EnglishTrainingCorpus(), options);
    ASSERT_TRUE(trained.ok()) << trained.status();
    EXPECT_EQ(trained->vocab_size, 2000);
    EXPECT_FALSE(trained->stopped_early);
    auto tokenizer = Tokenizer::FromJson(trained->tokenizer_json, trained->tokenizer_config_json);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    EXPECT_EQ(tokenizer->vocab_size(), 2000);
    const std::string text =
        kSample + "Unseen: \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 caf\xC3\xA9";
    auto ids = tokenizer->Encode(text, false);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_EQ(tokenizer->Decode(*ids, false), text);
    // Learned merges compress English to well under one token per two bytes.
    auto english = tokenizer->Encode(kSample, false);
    ASSERT_TRUE(english.ok());
    EXPECT_LT(english->size(), kSample.size() / 2);
    for (const std::string& special : options.special_tokens) {
      ASSERT_TRUE(tokenizer->TokenToId(special).has_value()) << special;
      EXPECT_TRUE(tokenizer->IsSpecial(*tokenizer->TokenToId(special)));
    }
  }
}

TEST(BpeTrainerTest, SpecialTokenPlacementAndBos) {
  auto llama3 = TrainByteLevelBpe(kSample, Llama3TokenizerOptions(400));
  ASSERT_TRUE(llama3.ok()) << llama3.status();
  auto tokenizer = Tokenizer::FromJson(llama3->tokenizer_json, llama3->tokenizer_config_json);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  // Llama-3 layout: special tokens follow the BPE vocabulary, BOS is prepended.
  const int32_t bos = *tokenizer->TokenToId("<|begin_of_text|>");
  EXPECT_EQ(bos, tokenizer->vocab_size() - 5);
  EXPECT_EQ(tokenizer->bos_id(), bos);
  EXPECT_EQ(tokenizer->Encode("hi", true)->front(), bos);
  EXPECT_EQ(tokenizer->eos_ids(), std::vector<int32_t>{*tokenizer->TokenToId("<|eot_id|>")});

  auto smollm2 = TrainByteLevelBpe(kSample, SmolLm2TokenizerOptions(400));
  ASSERT_TRUE(smollm2.ok()) << smollm2.status();
  auto smol = Tokenizer::FromJson(smollm2->tokenizer_json, smollm2->tokenizer_config_json);
  ASSERT_TRUE(smol.ok()) << smol.status();
  EXPECT_EQ(smol->TokenToId("<|endoftext|>"), 0);
  EXPECT_EQ(smol->TokenToId("<|im_start|>"), 1);
  EXPECT_EQ(smol->TokenToId("<|im_end|>"), 2);
  EXPECT_FALSE(smol->bos_id().has_value());
  EXPECT_EQ(*smol->Encode("hi", true), *smol->Encode("hi", false));  // No BOS template.
  // SmolLM2 splits digits one by one.
  EXPECT_EQ(smol->Encode("2024", false)->size(), 4u);
}

TEST(BpeTrainerTest, SmallCorpusStopsEarlyAndSaysSo) {
  auto trained = TrainByteLevelBpe(kSample, Llama3TokenizerOptions(128256));
  ASSERT_TRUE(trained.ok()) << trained.status();
  EXPECT_TRUE(trained->stopped_early);
  EXPECT_LT(trained->vocab_size, 1000);
  EXPECT_EQ(trained->vocab_size, 256 + trained->merge_count + 5);
  EXPECT_TRUE(Tokenizer::FromJson(trained->tokenizer_json, trained->tokenizer_config_json).ok());
}

TEST(BpeTrainerTest, InvalidOptionsAreErrors) {
  BpeTrainerOptions options = Llama3TokenizerOptions(100);
  EXPECT_FALSE(TrainByteLevelBpe(kSample, options).ok());  // below 256 + specials
  options = Llama3TokenizerOptions(1000);
  options.bos_token = "<|missing|>";
  EXPECT_FALSE(TrainByteLevelBpe(kSample, options).ok());
  options = Llama3TokenizerOptions(1000);
  options.special_tokens.push_back("<|eot_id|>");
  EXPECT_FALSE(TrainByteLevelBpe(kSample, options).ok());
  EXPECT_FALSE(TrainByteLevelBpe("bad \xFF utf-8", Llama3TokenizerOptions(1000)).ok());
}

// Training is deterministic, and the committed fixtures are what the trainer and
// fixture_builder produce today (regenerate with reference/regenerate.sh after a change).
TEST(BpeTrainerTest, DeterministicAndFixturesAreCurrent) {
  auto first = TrainByteLevelBpe(EnglishTrainingCorpus(), SmolLm2TokenizerOptions(3000));
  auto second = TrainByteLevelBpe(EnglishTrainingCorpus(), SmolLm2TokenizerOptions(3000));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->tokenizer_json, second->tokenizer_json);
  EXPECT_EQ(first->tokenizer_config_json, second->tokenizer_config_json);

  auto fixtures = tokenizer_fixtures::BuildFixtures();
  ASSERT_TRUE(fixtures.ok()) << fixtures.status();
  for (const auto& fixture : *fixtures) {
    const std::filesystem::path dir =
        std::filesystem::path(RADIXLM_TOKENIZER_TESTDATA) / fixture.name;
    EXPECT_EQ(*tokenizer_fixtures::ReadTextFile(dir / "tokenizer.json"), fixture.tokenizer_json)
        << fixture.name << " is stale; run tests/engine/tokenizer/reference/regenerate.sh";
    EXPECT_EQ(*tokenizer_fixtures::ReadTextFile(dir / "tokenizer_config.json"),
              fixture.tokenizer_config_json)
        << fixture.name;
  }
}

// `radixlm model make` trains SmolLM2- and Llama-3-sized vocabularies. The bundled corpus
// runs out of merges long before 49152, which the trainer reports; a corpus of many distinct
// words reaches a large target, in seconds.
TEST(BpeTrainerTest, LargeVocabulariesTrainQuicklyOrStopEarly) {
  auto bundled = TrainByteLevelBpe(EnglishTrainingCorpus(), SmolLm2TokenizerOptions(49152));
  ASSERT_TRUE(bundled.ok()) << bundled.status();
  EXPECT_TRUE(bundled->stopped_early);
  EXPECT_GT(bundled->vocab_size, 2000);

  std::mt19937 random(1);
  std::string corpus;
  while (corpus.size() < 1000000) {
    const int length = 2 + static_cast<int>(random() % 10);
    for (int i = 0; i < length; ++i) corpus += static_cast<char>('a' + random() % 26);
    corpus += random() % 12 == 0 ? '\n' : ' ';
  }
  const auto start = std::chrono::steady_clock::now();
  auto trained = TrainByteLevelBpe(corpus, SmolLm2TokenizerOptions(16384));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(trained.ok()) << trained.status();
  EXPECT_FALSE(trained->stopped_early);
  EXPECT_EQ(trained->vocab_size, 16384);
  EXPECT_LT(seconds, 60.0);
  auto tokenizer = Tokenizer::FromJson(trained->tokenizer_json, trained->tokenizer_config_json);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ(tokenizer->vocab_size(), 16384);
  const std::string sample = corpus.substr(0, 2000);
  EXPECT_EQ(tokenizer->Decode(*tokenizer->Encode(sample, false), false), sample);
}

TEST(BpeTrainerTest, WritesBothFiles) {
  auto trained = TrainByteLevelBpe(kSample, Llama3TokenizerOptions(300));
  ASSERT_TRUE(trained.ok());
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("radixlm_trainer_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteTokenizerFiles(*trained, dir).ok());
  auto tokenizer = Tokenizer::FromFolder(dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ(tokenizer->config().bos_token, "<|begin_of_text|>");
  EXPECT_EQ(tokenizer->config().model_max_length, 131072);
  EXPECT_FALSE(WriteTokenizerFiles(*trained, "/nonexistent/dir").ok());
}

}  // namespace
}  // namespace radixlm::engine
