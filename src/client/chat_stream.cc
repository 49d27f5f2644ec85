#include "src/client/chat_stream.h"
#include "src/common/strings.h"

#include <string>
#include <utility>

#include "src/client/http_error.h"
#include "src/client/protocol.h"

namespace radixlm::sglang::internal {

using nlohmann::json;

absl::Status InStreamError(const json& event, std::string_view what) {
  const json& error = event["error"];
  int code = 500;
  if (error.is_object()) {
    if (auto it = error.find("code"); it != error.end() && it->is_number_integer()) {
      code = it->get<int>();
    }
  }
  return StatusFromHttpError(code, event.dump(), radixlm::StrCat(what, " (in-stream error)"));
}

absl::Status ChatStreamAssembler::OnEvent(std::string_view data) {
  if (data == "[DONE]") {
    done_ = true;
    return absl::OkStatus();
  }
  absl::StatusOr<json> chunk = ParseJsonBody(data, "stream chunk");
  if (!chunk.ok()) return chunk.status();
  if (!chunk->is_object()) {
    return absl::DataLossError(radixlm::StrCat("malformed stream chunk: ", data.substr(0, 200)));
  }
  if (chunk->contains("error")) return InStreamError(*chunk, "chat completion stream");
  if (response_.id.empty()) {
    response_.id = chunk->value("id", "");
    response_.model = chunk->value("model", "");
    response_.object = "chat.completion";
    if (auto created = chunk->find("created"); created != chunk->end() && created->is_number()) {
      response_.created = created->get<std::int64_t>();
    }
  }
  if (auto usage = chunk->find("usage"); usage != chunk->end() && usage->is_object()) {
    absl::StatusOr<Usage> decoded = DecodeUsage(*usage);
    if (!decoded.ok()) return decoded.status();
    response_.usage = *decoded;
    response_.raw = *chunk;
    CompletionDelta delta;
    delta.usage = *decoded;
    if (!on_delta_(delta)) stopped_ = true;
  }
  auto choices = chunk->find("choices");
  if (choices == chunk->end() || choices->is_null()) return absl::OkStatus();
  if (!choices->is_array()) {
    return absl::DataLossError(radixlm::StrCat("malformed stream chunk: `choices` is not an array: ",
                                            data.substr(0, 200)));
  }
  for (const json& choice : *choices) {
    if (stopped_) break;
    if (!choice.is_object()) {
      return absl::DataLossError("malformed stream chunk: a choice is not an object");
    }
    CompletionDelta delta;
    delta.index = choice.value("index", 0);
    CompletionChoice& assembled = choices_[delta.index];
    assembled.index = delta.index;
    assembled.message.role = "assistant";
    if (auto content = choice.find("delta");
        content != choice.end() && content->is_object()) {
      if (auto text = content->find("content"); text != content->end() && text->is_string()) {
        delta.content = text->get<std::string>();
        assembled.message.content += delta.content;
      }
    }
    if (auto finish = choice.find("finish_reason");
        finish != choice.end() && finish->is_string()) {
      delta.finish_reason = finish->get<std::string>();
      assembled.finish_reason = *delta.finish_reason;
      assembled.matched_stop = choice.value("matched_stop", json());
    }
    if (auto logprobs = choice.find("logprobs"); logprobs != choice.end() && !logprobs->is_null()) {
      if (assembled.logprobs.is_null()) assembled.logprobs = {{"content", json::array()}};
      if (auto items = logprobs->find("content"); items != logprobs->end() && items->is_array()) {
        for (const json& item : *items) assembled.logprobs["content"].push_back(item);
      }
    }
    if (delta.content.empty() && !delta.finish_reason.has_value()) continue;
    if (!on_delta_(delta)) stopped_ = true;
  }
  return absl::OkStatus();
}

absl::StatusOr<CompletionResponse> ChatStreamAssembler::Finish(std::string_view what) {
  if (!done_ && !stopped_) {
    return absl::DataLossError(
        radixlm::StrCat(what, ": malformed response: the stream ended before `data: [DONE]`"));
  }
  response_.stopped_by_caller = stopped_;
  for (auto& [index, choice] : choices_) response_.choices.push_back(std::move(choice));
  return std::move(response_);
}

}  // namespace radixlm::sglang::internal
