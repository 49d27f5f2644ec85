#include "src/client/context_budget.h"

#include "gtest/gtest.h"

namespace radixlm::sglang::internal {
namespace {

std::vector<Message> History(int turns, std::size_t bytes_per_message) {
  std::vector<Message> history;
  for (int i = 0; i < turns; ++i) {
    history.push_back({.role = "user", .content = std::string(bytes_per_message, 'u')});
    history.push_back({.role = "assistant", .content = std::string(bytes_per_message, 'a')});
  }
  return history;
}

TEST(ContextBudgetTest, NoLimitsKeepEverything) {
  EXPECT_EQ(TurnsToDrop({}, "sys", History(50, 1000), "hi", 0.25, 0), 0u);
}

TEST(ContextBudgetTest, MaxHistoryTurnsKeepsTheNewest) {
  EXPECT_EQ(TurnsToDrop({.max_history_turns = 3}, "sys", History(5, 10), "hi", 0.25, 0), 2u);
  EXPECT_EQ(TurnsToDrop({.max_history_turns = 8}, "sys", History(5, 10), "hi", 0.25, 0), 0u);
}

TEST(ContextBudgetTest, TokenBudgetDropsOldestWholeTurns) {
  // 100 bytes system + 4 turns x 2 x 100 bytes + 100 new = 1000 bytes = 250 tokens at 0.25/byte.
  const auto history = History(4, 100);
  const std::string system(100, 's');
  const std::string message(100, 'm');
  EXPECT_EQ(TurnsToDrop({.max_prompt_tokens = 250}, system, history, message, 0.25, 0), 0u);
  EXPECT_EQ(TurnsToDrop({.max_prompt_tokens = 249}, system, history, message, 0.25, 0), 1u);
  // The reply budget counts too: 50 reserved tokens push it over by one more turn.
  EXPECT_EQ(TurnsToDrop({.max_prompt_tokens = 249}, system, history, message, 0.25, 50), 2u);
  // Never more than the whole history; the system prompt and new message always stay.
  EXPECT_EQ(TurnsToDrop({.max_prompt_tokens = 1}, system, history, message, 0.25, 0), 4u);
}

}  // namespace
}  // namespace radixlm::sglang::internal
