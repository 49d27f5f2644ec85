// SGLang's native POST /generate: the request body (GenerateReqInput, protocol §1.3) parsed into
// one item per prompt, and the response objects (§1.5, §1.6) built from engine results. Pure
// functions, so that the shapes are unit-tested without an engine; generate_route.cc runs them.
#ifndef RADIXLM_SRC_SERVER_GENERATE_REQUEST_H_
#define RADIXLM_SRC_SERVER_GENERATE_REQUEST_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "radixlm/engine/engine.h"
#include "src/server/request_parsing.h"
#include "src/server/sessions.h"

namespace radixlm::server {

// One prompt of a /generate call.
struct GenerateItem {
  std::optional<std::string> text;  // exactly one of text and input_ids
  std::vector<std::int32_t> input_ids;
  std::string rid;  // never empty after parsing
  engine::SamplingParams sampling;
  bool return_logprob = false;
  std::int32_t top_logprobs_num = 0;
  bool return_text_in_logprobs = false;
  std::optional<SessionParams> session;
};

struct GenerateCall {
  bool batch = false;  // text/input_ids were lists of prompts: answer with a list
  bool stream = false;
  std::vector<GenerateItem> items;
};

// Parses a /generate body. `defaults` are the engine's sampling defaults, `context_length` bounds
// a null max_new_tokens. Shape errors are ValidationErrors; semantic ones (no prompt, empty
// input_ids, rid list of the wrong size, session_params with a batch) plain kInvalidArgument.
absl::StatusOr<GenerateCall> ParseGenerateCall(const Json& body,
                                               const engine::SamplingParams& defaults,
                                               std::int64_t context_length);

// {"type":"stop","matched":…} | {"type":"length","length":N} | {"type":"abort","message":…}.
Json FinishReasonJson(const engine::GenerateResult& result, std::int64_t max_new_tokens);

using TokenTextFn = std::function<std::string(std::int32_t token)>;

// [[logprob, token_id, text|null], ...] for output tokens, and the per-position alternatives.
Json OutputTokenLogprobs(const std::vector<engine::OutputLogprob>& logprobs, bool with_text,
                         const TokenTextFn& token_text);
Json OutputTopLogprobs(const std::vector<engine::OutputLogprob>& logprobs, bool with_text,
                       const TokenTextFn& token_text);

// Progress of one streamed item: what has been generated so far (SGLang streams cumulatively).
struct GenerateProgress {
  std::string text;
  std::vector<std::int32_t> output_ids;
  std::vector<engine::OutputLogprob> logprobs;
  std::vector<engine::OutputLogprob> prompt_logprobs;  // from the first delta
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;
};

// A streaming chunk for an unfinished item (finish_reason null). `index` is set for batches.
Json GenerateChunkJson(const GenerateItem& item, const GenerateProgress& progress,
                       std::optional<int> index, const TokenTextFn& token_text);

// The final object of an item (the non-streaming answer, or the last streaming chunk).
Json GenerateResultJson(const GenerateItem& item, const engine::GenerateResult& result,
                        double e2e_latency_seconds, std::optional<int> index,
                        const TokenTextFn& token_text);

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_GENERATE_REQUEST_H_
