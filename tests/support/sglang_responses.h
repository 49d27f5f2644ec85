// Bodies shaped like SGLang's responses (shared/protocol/SGLANG_API.md §1.5–1.10), for unit tests
// that script a peer. End-to-end tests use the real `radixlm serve` instead.
#ifndef RADIXLM_TESTS_SUPPORT_SGLANG_RESPONSES_H_
#define RADIXLM_TESTS_SUPPORT_SGLANG_RESPONSES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/scripted_http_peer.h"

namespace radixlm::testing {

// A /v1/chat/completions response body with one choice.
std::string ChatCompletionBody(const std::string& content, std::int64_t prompt_tokens,
                               std::int64_t completion_tokens,
                               std::optional<std::int64_t> cached_tokens);

// The SSE events of a streamed chat completion: a role chunk, one chunk per piece, a finish chunk,
// a usage chunk and [DONE]; concatenated, as the bytes a server writes.
std::string ChatStreamBody(const std::vector<std::string>& pieces, std::int64_t prompt_tokens,
                           std::int64_t cached_tokens);

// A /generate response body.
std::string GenerateBody(const std::string& text, const std::vector<int>& output_ids,
                         std::int64_t prompt_tokens, std::int64_t cached_tokens);

// Splits `bytes` into pieces of 1, 2, 3, ... `max_piece` bytes, cycling, so that a stream crosses
// line and UTF-8 boundaries at many different offsets.
std::vector<std::string> SplitIntoSmallPieces(const std::string& bytes, std::size_t max_piece);

// A handler answering /v1/chat/completions (stream or not) with "echo: <last user message>", and
// usage counting one token per 4 bytes of message content; /health with {"status":"healthy"};
// /v1/models with one model; /generate with a fixed text. Thread-safe.
Action EchoServer(const RecordedRequest& request);

}  // namespace radixlm::testing

#endif  // RADIXLM_TESTS_SUPPORT_SGLANG_RESPONSES_H_
