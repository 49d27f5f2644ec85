// radixlm/sglang/types.h — requests and responses of SGLang's OpenAI-compatible and native APIs.
//
// Plain value types. Optional fields that are unset are not sent, so the server's own defaults apply;
// a field that is set is always sent, even when it equals a common default (temperature = 0 is sent
// as 0). Every request has an `extra` JSON object that is merged into the body last, so any field the
// server supports (`regex`, `json_schema`, `chat_template_kwargs`, `cache_salt`, ...) is reachable.
// Every response keeps the server's full JSON in `raw`.
#ifndef RADIXLM_SGLANG_TYPES_H_
#define RADIXLM_SGLANG_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace radixlm::sglang {

// One chat message. `role` is "system", "user", "assistant" or "tool".
struct Message {
  std::string role;
  std::string content;
  // Optional participant name (OpenAI `name`), sent only when not empty.
  std::string name;

  friend bool operator==(const Message&, const Message&) = default;
};

// OpenAI `stream_options`.
struct StreamOptions {
  bool include_usage = true;
  bool continuous_usage_stats = false;
};

// POST /v1/chat/completions.
struct CompletionRequest {
  std::vector<Message> messages;
  // Empty → ClientConfig::model.
  std::string model;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int> top_k;
  std::optional<double> min_p;
  std::optional<std::int64_t> max_tokens;
  std::vector<std::string> stop;
  std::optional<std::int64_t> seed;
  std::optional<double> frequency_penalty;
  std::optional<double> presence_penalty;
  std::optional<double> repetition_penalty;
  // e.g. {"type": "json_object"}.
  std::optional<nlohmann::json> response_format;
  // Used for streaming calls only; streaming calls default to include_usage = true so that
  // cached_tokens are visible.
  std::optional<StreamOptions> stream_options;
  // OpenAI `logprobs` / `top_logprobs`.
  std::optional<bool> logprobs;
  std::optional<int> top_logprobs;
  // Merged into the JSON body last; its keys override the fields above.
  nlohmann::json extra = nlohmann::json::object();
};

// OpenAI `usage`. cached_tokens is `usage.prompt_tokens_details.cached_tokens`; SGLang reports it
// only with --enable-cache-report (radixlm serve always does), otherwise it is nullopt.
struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total_tokens = 0;
  std::optional<std::int64_t> cached_tokens;
};

struct CompletionChoice {
  int index = 0;
  Message message;
  // "stop", "length", "abort", ... ; empty when the server sent null.
  std::string finish_reason;
  // The stop string or token id that ended generation (SGLang `matched_stop`), or null.
  nlohmann::json matched_stop;
  // OpenAI `logprobs` object, or null.
  nlohmann::json logprobs;
};

struct CompletionResponse {
  std::string id;
  std::string object;
  std::int64_t created = 0;
  std::string model;
  std::vector<CompletionChoice> choices;
  Usage usage;
  // True when a streaming call was stopped by its callback before the server finished.
  bool stopped_by_caller = false;
  // The server's response (for streams: the last chunk that carried usage, or null).
  nlohmann::json raw;

  // Text() returns choices[0].message.content, or "" when there is no choice.
  const std::string& Text() const;
};

// One piece of a streamed chat completion, delivered to the caller's callback.
struct CompletionDelta {
  int index = 0;
  // New text since the previous delta of this choice (may be empty on role/finish chunks).
  std::string content;
  // Set on the chunk that finishes the choice.
  std::optional<std::string> finish_reason;
  // Set on the usage chunk (stream_options.include_usage).
  std::optional<Usage> usage;
};

// SGLang native `sampling_params` (server defaults apply to unset fields).
struct SamplingParams {
  std::optional<std::int64_t> max_new_tokens;
  std::optional<std::int64_t> min_new_tokens;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int> top_k;
  std::optional<double> min_p;
  std::optional<double> frequency_penalty;
  std::optional<double> presence_penalty;
  std::optional<double> repetition_penalty;
  std::vector<std::string> stop;
  std::vector<std::int32_t> stop_token_ids;
  std::optional<bool> ignore_eos;
  std::optional<bool> skip_special_tokens;
  std::optional<bool> no_stop_trim;
  std::optional<std::int64_t> sampling_seed;
  nlohmann::json extra = nlohmann::json::object();
};

// SGLang `session_params` for /generate (server-side sessions, see /open_session).
struct SessionParams {
  std::string id;
  std::optional<std::string> rid;
  std::optional<std::int64_t> offset;
  std::optional<bool> replace;
  std::optional<bool> drop_previous_output;
};

// POST /generate. Exactly one of `text` and `input_ids` must be set.
struct GenerateRequest {
  std::optional<std::string> text;
  std::vector<std::int32_t> input_ids;
  SamplingParams sampling_params;
  bool return_logprob = false;
  std::optional<std::int64_t> logprob_start_len;
  std::optional<int> top_logprobs_num;
  std::optional<std::string> rid;
  std::optional<SessionParams> session_params;
  nlohmann::json extra = nlohmann::json::object();
};

// `meta_info` of a /generate response.
struct GenerateMetaInfo {
  std::string id;
  // {"type": "stop" | "length" | "abort", ...} or null while running.
  nlohmann::json finish_reason;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::optional<double> e2e_latency_seconds;
};

struct GenerateResponse {
  std::string text;
  std::vector<std::int32_t> output_ids;
  GenerateMetaInfo meta_info;
  bool stopped_by_caller = false;
  nlohmann::json raw;
};

// One piece of a streamed /generate. SGLang streams cumulative text by default; the client turns it
// into deltas (and passes deltas through when the server streams incrementally).
struct GenerateDelta {
  std::string text;
  std::vector<std::int32_t> output_ids;
  GenerateMetaInfo meta_info;
};

// GET /health.
struct HealthResponse {
  // "healthy" for an empty 200 body, else the server's `status` field.
  std::string status;
};

// One entry of GET /v1/models.
struct ModelCard {
  std::string id;
  std::string owned_by;
  std::string root;
  std::optional<std::int64_t> max_model_len;
};

// Outcome of warming one prefix.
struct WarmResult {
  std::string prefix;
  // True when the server processed the prefix (it is now in the radix cache).
  bool cached = false;
  // The server's own token count of the warmed prompt (not an estimate).
  std::int64_t prompt_tokens = 0;
  // Tokens that were already cached before this warm request; nullopt when the server does not
  // report cached tokens.
  std::optional<std::int64_t> cached_tokens;
};

// How WarmPrefix sends the prefix.
enum class WarmMode {
  // As a system message through /v1/chat/completions (max_tokens 1): warms exactly the bytes that
  // sessions with this system prompt start with after the chat template.
  kSystemPrompt,
  // As raw text through /generate (max_new_tokens 0).
  kRawText,
};

// A client-side multi-turn session (a copy; the client keeps the original).
struct Session {
  std::string id;
  std::string system_prompt;
  // Earlier turns, user and assistant messages alternating (oldest first); the system prompt is not
  // included. Turns dropped by the SessionPolicy are not here.
  std::vector<Message> history;
  absl::Time created_at;
  absl::Time last_used_at;
  // Completed turns, dropped ones included.
  std::int64_t turns = 0;
  // Server counts summed over completed turns.
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t completion_tokens = 0;
  // Server counts of the last completed turn.
  std::int64_t last_prompt_tokens = 0;
  std::int64_t last_completion_tokens = 0;
};

// How CreateSession treats an id that already exists.
struct SessionOptions {
  // false: an existing id fails with kAlreadyExists. true: the old session is replaced.
  bool replace_existing = false;
  // Sampling fields used for every turn of the session (messages are ignored). Keeping them fixed
  // keeps every request of the session prefix-stable.
  CompletionRequest request_template;
};

}  // namespace radixlm::sglang

#endif  // RADIXLM_SGLANG_TYPES_H_
