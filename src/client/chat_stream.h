// Assembles a streamed chat completion (OpenAI SSE chunks, shared/protocol/SGLANG_API.md §1.10)
// into deltas for the caller and one CompletionResponse at the end.
#ifndef RADIXLM_SRC_CLIENT_CHAT_STREAM_H_
#define RADIXLM_SRC_CLIENT_CHAT_STREAM_H_

#include <map>
#include <string_view>

#include "absl/status/statusor.h"
#include "radixlm/sglang/client.h"

namespace radixlm::sglang::internal {

class ChatStreamAssembler {
 public:
  explicit ChatStreamAssembler(const CompletionCallback& on_delta) : on_delta_(on_delta) {}

  // Handles the data of one SSE event. An in-stream {"error": ...} becomes the returned error.
  absl::Status OnEvent(std::string_view data);
  // True once `data: [DONE]` arrived.
  bool done() const { return done_; }
  // True once the callback asked to stop.
  bool stopped() const { return stopped_; }
  // The assembled response; kDataLoss when the stream ended before [DONE] and was not stopped.
  absl::StatusOr<CompletionResponse> Finish(std::string_view what);

 private:
  const CompletionCallback& on_delta_;
  CompletionResponse response_;
  std::map<int, CompletionChoice> choices_;
  bool done_ = false;
  bool stopped_ = false;
};

// Shared by both stream assemblers: an SSE event whose JSON holds an "error" object becomes a
// Status with the embedded HTTP code (SGLang keeps HTTP 200 and reports errors in-stream).
absl::Status InStreamError(const nlohmann::json& event, std::string_view what);

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_CHAT_STREAM_H_
