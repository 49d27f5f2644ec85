// One Tokenizer shared by several threads (the server's HTTP threads encode concurrently):
// results equal the single-threaded ones. Labelled `concurrency` for the TSan preset.
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/tokenizer/incremental_detokenizer.h"
#include "src/engine/tokenizer/tokenizer.h"

namespace radixlm::engine {
namespace {

TEST(TokenizerConcurrencyTest, SharedTokenizerGivesSameIdsOnEveryThread) {
  for (const char* fixture : {"llama3_style", "llama2_style"}) {
    auto tokenizer =
        Tokenizer::FromFolder(std::filesystem::path(RADIXLM_TOKENIZER_TESTDATA) / fixture);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    std::vector<std::string> texts;
    for (int i = 0; i < 40; ++i) {
      texts.push_back("Thread text " + std::to_string(i) + ": the quick brown fox, " +
                      std::string(static_cast<size_t>(i * 13), 'z') + " \xE4\xB8\xAD\xE6\x96\x87!");
    }
    std::vector<std::vector<int32_t>> expected;
    for (const std::string& text : texts) expected.push_back(*tokenizer->Encode(text, true));

    // Fresh caches: a second tokenizer whose first encodes all happen concurrently.
    auto shared =
        Tokenizer::FromFolder(std::filesystem::path(RADIXLM_TOKENIZER_TESTDATA) / fixture);
    ASSERT_TRUE(shared.ok());
    constexpr int kThreads = 4;
    std::vector<std::vector<std::vector<int32_t>>> results(kThreads);
    std::vector<std::vector<std::string>> streamed(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (size_t i = 0; i < texts.size(); ++i) {
          const size_t index = (i + static_cast<size_t>(t) * 7) % texts.size();
          auto ids = shared->Encode(texts[index], true);
          results[t].push_back(ids.ok() ? *ids : std::vector<int32_t>{});
          IncrementalDetokenizer stream(*shared, true);
          std::string text;
          for (const int32_t id : results[t].back()) text += stream.Push(id);
          streamed[t].push_back(text + stream.Flush());
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) {
      for (size_t i = 0; i < texts.size(); ++i) {
        const size_t index = (i + static_cast<size_t>(t) * 7) % texts.size();
        EXPECT_EQ(results[t][i], expected[index]) << fixture << " thread " << t;
        EXPECT_EQ(streamed[t][i], shared->Decode(expected[index], true)) << fixture;
      }
    }
  }
}

}  // namespace
}  // namespace radixlm::engine
