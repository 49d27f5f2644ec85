// JSON encoding of requests and decoding of responses for the OpenAI-compatible and native SGLang
// APIs (field names and shapes: shared/protocol/SGLANG_API.md §1.3–1.11).
//
// Encoding is deterministic — the same request always yields the same bytes — because sessions
// rely on every turn's body starting with the previous turn's messages. Decoding is strict about
// what we need (a missing `choices` is an error) and tolerant of what we do not (unknown fields,
// nulls SGLang sends for unset values). Decoding errors are kDataLoss naming the bad field.
#ifndef RADIXLM_SRC_CLIENT_PROTOCOL_H_
#define RADIXLM_SRC_CLIENT_PROTOCOL_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "radixlm/sglang/types.h"

namespace radixlm::sglang::internal {

// Parses `body` as JSON; kDataLoss quoting the parse error when it is not.
absl::StatusOr<nlohmann::json> ParseJsonBody(std::string_view body, std::string_view what);

nlohmann::json EncodeCompletionRequest(const CompletionRequest& request,
                                       std::string_view default_model, bool stream);
absl::StatusOr<CompletionResponse> DecodeCompletionResponse(const nlohmann::json& body);
absl::StatusOr<Usage> DecodeUsage(const nlohmann::json& usage);

// kInvalidArgument unless exactly one of text / input_ids is given.
absl::StatusOr<nlohmann::json> EncodeGenerateRequest(const GenerateRequest& request, bool stream);
absl::StatusOr<GenerateResponse> DecodeGenerateResponse(const nlohmann::json& body);

absl::StatusOr<std::vector<ModelCard>> DecodeModels(const nlohmann::json& body);

// Merges `extra` into `body`: keys of `extra` replace those of `body`.
void MergeExtra(nlohmann::json& body, const nlohmann::json& extra);

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_PROTOCOL_H_
