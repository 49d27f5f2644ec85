#include "src/client/generate_stream.h"
#include "src/common/strings.h"

#include <algorithm>
#include <utility>

#include "src/client/chat_stream.h"
#include "src/client/protocol.h"

namespace radixlm::sglang::internal {

absl::Status GenerateStreamAssembler::OnEvent(std::string_view data) {
  if (data == "[DONE]") {
    done_ = true;
    return absl::OkStatus();
  }
  absl::StatusOr<nlohmann::json> chunk = ParseJsonBody(data, "stream chunk");
  if (!chunk.ok()) return chunk.status();
  if (chunk->is_object() && chunk->contains("error")) {
    return InStreamError(*chunk, "generate stream");
  }
  absl::StatusOr<GenerateResponse> decoded = DecodeGenerateResponse(*chunk);
  if (!decoded.ok()) return decoded.status();

  GenerateDelta delta;
  const bool continues_text = std::string_view(decoded->text).starts_with(response_.text);
  const bool continues_ids =
      decoded->output_ids.size() >= response_.output_ids.size() &&
      std::equal(response_.output_ids.begin(), response_.output_ids.end(),
                 decoded->output_ids.begin());
  if (any_chunk_ && !incremental_ && !(continues_text && continues_ids)) incremental_ = true;
  any_chunk_ = true;
  if (incremental_) {
    delta.text = decoded->text;
    delta.output_ids = decoded->output_ids;
    response_.text += decoded->text;
    response_.output_ids.insert(response_.output_ids.end(), decoded->output_ids.begin(),
                                decoded->output_ids.end());
  } else {
    delta.text = decoded->text.substr(response_.text.size());
    delta.output_ids.assign(decoded->output_ids.begin() + response_.output_ids.size(),
                            decoded->output_ids.end());
    response_.text = std::move(decoded->text);
    response_.output_ids = std::move(decoded->output_ids);
  }
  response_.meta_info = decoded->meta_info;
  response_.raw = std::move(decoded->raw);
  delta.meta_info = response_.meta_info;
  if (!on_delta_(delta)) stopped_ = true;
  return absl::OkStatus();
}

absl::StatusOr<GenerateResponse> GenerateStreamAssembler::Finish(std::string_view what) {
  if (!done_ && !stopped_) {
    return absl::DataLossError(
        radixlm::StrCat(what, ": malformed response: the stream ended before `data: [DONE]`"));
  }
  response_.stopped_by_caller = stopped_;
  return std::move(response_);
}

}  // namespace radixlm::sglang::internal
