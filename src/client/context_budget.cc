#include "src/client/context_budget.h"

#include <cmath>

namespace radixlm::sglang::internal {

std::size_t ContentBytes(const std::vector<Message>& messages) {
  std::size_t bytes = 0;
  for (const Message& message : messages) bytes += message.content.size();
  return bytes;
}

std::size_t TurnsToDrop(const SessionPolicy& policy, const std::string& system_prompt,
                        const std::vector<Message>& history, const std::string& user_message,
                        double tokens_per_byte, std::int64_t reserved_tokens) {
  const std::size_t turns = history.size() / 2;
  std::size_t drop = 0;
  if (policy.max_history_turns > 0 && turns > policy.max_history_turns) {
    drop = turns - policy.max_history_turns;
  }
  if (policy.max_prompt_tokens <= 0) return drop;
  std::size_t bytes = system_prompt.size() + user_message.size();
  for (std::size_t i = 2 * drop; i < history.size(); ++i) bytes += history[i].content.size();
  auto estimate = [&] {
    return static_cast<std::int64_t>(std::ceil(static_cast<double>(bytes) * tokens_per_byte)) +
           reserved_tokens;
  };
  while (drop < turns && estimate() > policy.max_prompt_tokens) {
    bytes -= history[2 * drop].content.size() + history[2 * drop + 1].content.size();
    ++drop;
  }
  return drop;
}

}  // namespace radixlm::sglang::internal
