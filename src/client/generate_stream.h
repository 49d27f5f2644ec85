// Assembles a streamed /generate response. SGLang sends the CUMULATIVE text and output_ids in
// every chunk by default and only deltas with --incremental-streaming-output (protocol notes
// §1.6); the assembler detects which from the first chunk that is not a continuation, and always
// hands the caller deltas.
#ifndef RADIXLM_SRC_CLIENT_GENERATE_STREAM_H_
#define RADIXLM_SRC_CLIENT_GENERATE_STREAM_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "radixlm/sglang/client.h"

namespace radixlm::sglang::internal {

class GenerateStreamAssembler {
 public:
  explicit GenerateStreamAssembler(const GenerateCallback& on_delta) : on_delta_(on_delta) {}

  absl::Status OnEvent(std::string_view data);
  bool done() const { return done_; }
  bool stopped() const { return stopped_; }
  absl::StatusOr<GenerateResponse> Finish(std::string_view what);

 private:
  const GenerateCallback& on_delta_;
  GenerateResponse response_;
  bool done_ = false;
  bool stopped_ = false;
  bool incremental_ = false;
  bool any_chunk_ = false;
};

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_GENERATE_STREAM_H_
