// The OpenAI-compatible request bodies of POST /v1/chat/completions and /v1/completions
// (SGLang's ChatCompletionRequest and CompletionRequest, protocol §1.7, §1.8) parsed into one
// OpenAiCall: sampling parameters over the model's defaults, stream options, logprob settings,
// and the prompt (chat messages, text prompts or token-id prompts). Pure, for unit tests.
#ifndef RADIXLM_SRC_SERVER_OPENAI_REQUEST_H_
#define RADIXLM_SRC_SERVER_OPENAI_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "radixlm/engine/sampling_params.h"
#include "src/server/request_parsing.h"

namespace radixlm::server {

// One prompt of a completions call: text, or token ids.
struct OpenAiPrompt {
  std::optional<std::string> text;
  std::vector<std::int32_t> input_ids;
};

struct OpenAiCall {
  bool chat = false;
  std::string model = "default";  // echoed back, not validated (as SGLang)
  std::string rid;                // empty: one is made
  bool stream = false;
  bool include_usage = false;
  bool continuous_usage_stats = false;
  engine::SamplingParams sampling;
  // max_tokens / max_completion_tokens as sent; nullopt: chat runs to the context limit,
  // completions use 16.
  std::optional<std::int64_t> max_tokens;
  bool logprobs = false;
  std::int32_t top_logprobs = 0;
  bool echo = false;  // completions: the prompt text precedes the output

  // Chat: the messages (content flattened to strings), tools and template arguments, or
  // input_ids that bypass the template.
  Json messages = Json::array();
  Json tools = nullptr;
  Json chat_template_kwargs = Json::object();
  bool continue_final_message = false;
  // Completions (and chat input_ids): one entry per prompt.
  std::vector<OpenAiPrompt> prompts;
};

// Content-Type must be application/json on the OpenAI routes (SGLang answers 400 otherwise).
absl::Status CheckJsonContentType(std::string_view content_type);

absl::StatusOr<OpenAiCall> ParseChatCompletionCall(const Json& body,
                                                   const engine::SamplingParams& defaults);
absl::StatusOr<OpenAiCall> ParseCompletionCall(const Json& body,
                                               const engine::SamplingParams& defaults);

// The prompt tokens and max_new_tokens checks of SGLang's serving_chat (protocol §1.8): the input
// must be shorter than the context, and input + max_tokens must fit. Sets sampling.max_new_tokens
// (to the rest of the context when max_tokens was not given).
absl::Status FitToContext(std::int64_t prompt_tokens, std::int64_t context_length,
                          OpenAiCall& call);

// transformers' continue_final_message: the rendered conversation cut right after the final
// message's content, so that generation continues it. kInvalidArgument when the content is not
// found in `rendered`.
absl::StatusOr<std::string> CutAfterFinalMessage(const std::string& rendered, const Json& messages);

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_OPENAI_REQUEST_H_
