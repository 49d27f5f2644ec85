// The context-window policy of a session (SessionPolicy): which earlier turns a request keeps.
//
// Turns are dropped oldest first and only whole (user + assistant); the system prompt always
// stays. Dropping happens in the stored history itself, so once trimmed, the following requests
// are again prefix-stable among themselves.
#ifndef RADIXLM_SRC_CLIENT_CONTEXT_BUDGET_H_
#define RADIXLM_SRC_CLIENT_CONTEXT_BUDGET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "radixlm/sglang/client_config.h"
#include "radixlm/sglang/types.h"

namespace radixlm::sglang::internal {

// Before a session's first turn there is no server count to calibrate with; ~4 bytes per token
// is the usual figure for English BPE vocabularies.
inline constexpr double kDefaultTokensPerByte = 0.25;

// Bytes of message content, the unit the token estimate scales.
std::size_t ContentBytes(const std::vector<Message>& messages);

// Number of whole turns to drop from the front of `history` (user/assistant pairs) so that the
// next request fits `policy`. `tokens_per_byte` comes from the server's count for the previous
// request (0.25 before the first turn); `reserved_tokens` is the reply budget (max_tokens).
std::size_t TurnsToDrop(const SessionPolicy& policy, const std::string& system_prompt,
                        const std::vector<Message>& history, const std::string& user_message,
                        double tokens_per_byte, std::int64_t reserved_tokens);

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_CONTEXT_BUDGET_H_
