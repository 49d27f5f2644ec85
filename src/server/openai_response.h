// Response objects of the OpenAI-compatible routes, shaped as SGLang's serving_chat and
// serving_completions emit them (protocol §1.7–§1.10): the non-streaming objects, the streaming
// chunks (role chunk, content chunks, one separate finish chunk per chat choice, the usage chunk
// with empty choices), usage with prompt_tokens_details.cached_tokens (always reported here, as
// SGLang does with --enable-cache-report), and both logprob shapes. Pure, for unit tests.
#ifndef RADIXLM_SRC_SERVER_OPENAI_RESPONSE_H_
#define RADIXLM_SRC_SERVER_OPENAI_RESPONSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "radixlm/engine/engine.h"
#include "src/server/generate_request.h"
#include "src/server/openai_request.h"

namespace radixlm::server {

// Identity of one response: the rid (SGLang's id, no "chatcmpl-" prefix), the creation time and
// the model name echoed from the request.
struct OpenAiIdentity {
  std::string id;
  std::int64_t created = 0;
  std::string model;
};

struct TokenCounts {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t cached_tokens = 0;
};

Json UsageJson(const TokenCounts& counts);

// "stop" | "length" | "abort".
std::string OpenAiFinishReason(const engine::GenerateResult& result);

// Chat logprobs: {"content":[{"token","bytes","logprob","top_logprobs":[…]}]}.
Json ChatLogprobsJson(const std::vector<engine::OutputLogprob>& logprobs,
                      const TokenTextFn& token_text);
// With `echo` and `logprobs`, the prompt's own entries precede the output's: its first token with
// null log probabilities (nothing computed predicts it), then the engine's prompt_logprobs.
struct EchoedPromptLogprobs {
  std::int32_t first_token = 0;
  const std::vector<engine::OutputLogprob>* logprobs = nullptr;
};
// Legacy completions logprobs: {"text_offset","token_logprobs","tokens","top_logprobs"};
// `text_offset` counts from `first_offset` (the length of text before these tokens), an echoed
// prompt's from 0.
Json CompletionLogprobsJson(const std::vector<engine::OutputLogprob>& logprobs,
                            std::int32_t top_logprobs, std::int64_t first_offset,
                            const TokenTextFn& token_text,
                            const std::optional<EchoedPromptLogprobs>& prompt = std::nullopt);

Json ChatCompletionJson(const OpenAiCall& call, const OpenAiIdentity& identity,
                        const engine::GenerateResult& result, const TokenTextFn& token_text);

// One finished choice of a completions call (one per prompt).
struct CompletionChoiceResult {
  std::string echo_prefix;  // the prompt text when echo is set
  engine::GenerateResult result;
  std::int32_t first_prompt_token = 0;  // for the echoed prompt's logprobs
};
Json CompletionJson(const OpenAiCall& call, const OpenAiIdentity& identity,
                    const std::vector<CompletionChoiceResult>& choices,
                    const TokenTextFn& token_text);

// Streaming chunks.
Json ChatRoleChunk(const OpenAiIdentity& identity);
Json ChatContentChunk(const OpenAiIdentity& identity, std::string_view text, const Json& logprobs,
                      const std::optional<TokenCounts>& usage);
Json ChatFinishChunk(const OpenAiIdentity& identity, const engine::GenerateResult& result);
Json CompletionChunk(const OpenAiIdentity& identity, int index, std::string_view text,
                     const Json& logprobs, const engine::GenerateResult* finished,
                     const std::optional<TokenCounts>& usage);
// The final usage chunk: "choices": [] and the summed usage.
Json UsageChunk(const OpenAiIdentity& identity, bool chat, const TokenCounts& counts);

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_OPENAI_RESPONSE_H_
