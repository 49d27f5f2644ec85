#include "src/client/protocol.h"
#include "src/common/strings.h"

#include <string>
#include <utility>

#include "absl/status/status.h"

namespace radixlm::sglang::internal {
namespace {

using nlohmann::json;

template <typename T>
void PutIfSet(json& body, const char* key, const std::optional<T>& value) {
  if (value.has_value()) body[key] = *value;
}

absl::Status Malformed(std::string_view field, std::string_view expected, const json& got) {
  std::string shown = got.dump();
  if (shown.size() > 200) shown = radixlm::StrCat(shown.substr(0, 200), "...");
  return absl::DataLossError(radixlm::StrCat("malformed response: `", field, "` should be ", expected,
                                          ", got ", shown));
}

// Reads an optional integer field; null or absent leaves `out` unchanged.
absl::Status ReadInt(const json& object, const char* key, std::string_view path,
                     std::int64_t& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_number_integer()) return Malformed(radixlm::StrCat(path, key), "an integer", *it);
  out = it->get<std::int64_t>();
  return absl::OkStatus();
}

absl::Status ReadString(const json& object, const char* key, std::string_view path,
                        std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return Malformed(radixlm::StrCat(path, key), "a string", *it);
  out = it->get<std::string>();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::int32_t>> ReadTokenIds(const json& value, std::string_view path) {
  if (!value.is_array()) return Malformed(path, "an array of token ids", value);
  std::vector<std::int32_t> ids;
  ids.reserve(value.size());
  for (const json& id : value) {
    if (!id.is_number_integer()) return Malformed(path, "an array of token ids", value);
    ids.push_back(id.get<std::int32_t>());
  }
  return ids;
}

}  // namespace

absl::StatusOr<json> ParseJsonBody(std::string_view body, std::string_view what) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    std::string shown(body.substr(0, 120));
    return absl::DataLossError(radixlm::StrCat(what, ": malformed response: not valid JSON (",
                                            body.size(), " bytes, starting \"", shown, "\")"));
  }
  return parsed;
}

void MergeExtra(json& body, const json& extra) {
  if (!extra.is_object()) return;
  for (auto it = extra.begin(); it != extra.end(); ++it) body[it.key()] = it.value();
}

json EncodeCompletionRequest(const CompletionRequest& request, std::string_view default_model,
                             bool stream) {
  json body = json::object();
  body["model"] = request.model.empty() ? std::string(default_model) : request.model;
  json messages = json::array();
  for (const Message& message : request.messages) {
    json entry = {{"role", message.role}, {"content", message.content}};
    if (!message.name.empty()) entry["name"] = message.name;
    messages.push_back(std::move(entry));
  }
  body["messages"] = std::move(messages);
  PutIfSet(body, "temperature", request.temperature);
  PutIfSet(body, "top_p", request.top_p);
  PutIfSet(body, "top_k", request.top_k);
  PutIfSet(body, "min_p", request.min_p);
  PutIfSet(body, "max_tokens", request.max_tokens);
  if (!request.stop.empty()) body["stop"] = request.stop;
  PutIfSet(body, "seed", request.seed);
  PutIfSet(body, "frequency_penalty", request.frequency_penalty);
  PutIfSet(body, "presence_penalty", request.presence_penalty);
  PutIfSet(body, "repetition_penalty", request.repetition_penalty);
  PutIfSet(body, "response_format", request.response_format);
  PutIfSet(body, "logprobs", request.logprobs);
  PutIfSet(body, "top_logprobs", request.top_logprobs);
  if (stream) {
    body["stream"] = true;
    const StreamOptions options = request.stream_options.value_or(StreamOptions{});
    body["stream_options"] = {{"include_usage", options.include_usage},
                              {"continuous_usage_stats", options.continuous_usage_stats}};
  }
  MergeExtra(body, request.extra);
  return body;
}

absl::StatusOr<Usage> DecodeUsage(const json& usage) {
  Usage out;
  if (usage.is_null()) return out;
  if (!usage.is_object()) return Malformed("usage", "an object", usage);
  if (auto s = ReadInt(usage, "prompt_tokens", "usage.", out.prompt_tokens); !s.ok()) return s;
  if (auto s = ReadInt(usage, "completion_tokens", "usage.", out.completion_tokens); !s.ok()) {
    return s;
  }
  if (auto s = ReadInt(usage, "total_tokens", "usage.", out.total_tokens); !s.ok()) return s;
  if (auto details = usage.find("prompt_tokens_details");
      details != usage.end() && details->is_object()) {
    std::int64_t cached = 0;
    if (details->contains("cached_tokens") && !(*details)["cached_tokens"].is_null()) {
      if (auto s = ReadInt(*details, "cached_tokens", "usage.prompt_tokens_details.", cached);
          !s.ok()) {
        return s;
      }
      out.cached_tokens = cached;
    }
  }
  return out;
}

absl::StatusOr<CompletionResponse> DecodeCompletionResponse(const json& body) {
  if (!body.is_object()) return Malformed("(body)", "a JSON object", body);
  CompletionResponse out;
  if (auto s = ReadString(body, "id", "", out.id); !s.ok()) return s;
  if (auto s = ReadString(body, "object", "", out.object); !s.ok()) return s;
  if (auto s = ReadInt(body, "created", "", out.created); !s.ok()) return s;
  if (auto s = ReadString(body, "model", "", out.model); !s.ok()) return s;
  auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array()) {
    return Malformed("choices", "an array", choices == body.end() ? json() : *choices);
  }
  for (size_t i = 0; i < choices->size(); ++i) {
    const json& choice = (*choices)[i];
    const std::string path = radixlm::StrCat("choices[", i, "].");
    if (!choice.is_object()) return Malformed(path, "an object", choice);
    CompletionChoice decoded;
    std::int64_t index = static_cast<std::int64_t>(i);
    if (auto s = ReadInt(choice, "index", path, index); !s.ok()) return s;
    decoded.index = static_cast<int>(index);
    auto message = choice.find("message");
    if (message == choice.end() || !message->is_object()) {
      return Malformed(radixlm::StrCat(path, "message"), "an object",
                       message == choice.end() ? json() : *message);
    }
    decoded.message.role = "assistant";
    if (auto s = ReadString(*message, "role", radixlm::StrCat(path, "message."), decoded.message.role);
        !s.ok()) {
      return s;
    }
    if (auto s = ReadString(*message, "content", radixlm::StrCat(path, "message."),
                            decoded.message.content);
        !s.ok()) {
      return s;
    }
    if (auto s = ReadString(choice, "finish_reason", path, decoded.finish_reason); !s.ok()) {
      return s;
    }
    decoded.matched_stop = choice.value("matched_stop", json());
    decoded.logprobs = choice.value("logprobs", json());
    out.choices.push_back(std::move(decoded));
  }
  absl::StatusOr<Usage> usage = DecodeUsage(body.value("usage", json()));
  if (!usage.ok()) return usage.status();
  out.usage = *usage;
  out.raw = body;
  return out;
}

absl::StatusOr<json> EncodeGenerateRequest(const GenerateRequest& request, bool stream) {
  const bool has_text = request.text.has_value();
  const bool has_ids = !request.input_ids.empty();
  if (has_text == has_ids) {
    return absl::InvalidArgumentError(
        "GenerateRequest needs exactly one of `text` and `input_ids`");
  }
  json body = json::object();
  if (has_text) {
    body["text"] = *request.text;
  } else {
    body["input_ids"] = request.input_ids;
  }
  const SamplingParams& params = request.sampling_params;
  json sampling = json::object();
  PutIfSet(sampling, "max_new_tokens", params.max_new_tokens);
  PutIfSet(sampling, "min_new_tokens", params.min_new_tokens);
  PutIfSet(sampling, "temperature", params.temperature);
  PutIfSet(sampling, "top_p", params.top_p);
  PutIfSet(sampling, "top_k", params.top_k);
  PutIfSet(sampling, "min_p", params.min_p);
  PutIfSet(sampling, "frequency_penalty", params.frequency_penalty);
  PutIfSet(sampling, "presence_penalty", params.presence_penalty);
  PutIfSet(sampling, "repetition_penalty", params.repetition_penalty);
  if (!params.stop.empty()) sampling["stop"] = params.stop;
  if (!params.stop_token_ids.empty()) sampling["stop_token_ids"] = params.stop_token_ids;
  PutIfSet(sampling, "ignore_eos", params.ignore_eos);
  PutIfSet(sampling, "skip_special_tokens", params.skip_special_tokens);
  PutIfSet(sampling, "no_stop_trim", params.no_stop_trim);
  PutIfSet(sampling, "sampling_seed", params.sampling_seed);
  MergeExtra(sampling, params.extra);
  body["sampling_params"] = std::move(sampling);
  if (stream) body["stream"] = true;
  if (request.return_logprob) body["return_logprob"] = true;
  PutIfSet(body, "logprob_start_len", request.logprob_start_len);
  PutIfSet(body, "top_logprobs_num", request.top_logprobs_num);
  PutIfSet(body, "rid", request.rid);
  if (request.session_params.has_value()) {
    const SessionParams& session = *request.session_params;
    json session_json = {{"id", session.id}};
    PutIfSet(session_json, "rid", session.rid);
    PutIfSet(session_json, "offset", session.offset);
    PutIfSet(session_json, "replace", session.replace);
    PutIfSet(session_json, "drop_previous_output", session.drop_previous_output);
    body["session_params"] = std::move(session_json);
  }
  MergeExtra(body, request.extra);
  return body;
}

absl::StatusOr<GenerateResponse> DecodeGenerateResponse(const json& body) {
  if (!body.is_object()) return Malformed("(body)", "a JSON object", body);
  GenerateResponse out;
  if (auto s = ReadString(body, "text", "", out.text); !s.ok()) return s;
  if (auto ids = body.find("output_ids"); ids != body.end() && !ids->is_null()) {
    absl::StatusOr<std::vector<std::int32_t>> decoded = ReadTokenIds(*ids, "output_ids");
    if (!decoded.ok()) return decoded.status();
    out.output_ids = *std::move(decoded);
  }
  auto meta = body.find("meta_info");
  if (meta == body.end() || !meta->is_object()) {
    return Malformed("meta_info", "an object", meta == body.end() ? json() : *meta);
  }
  GenerateMetaInfo& info = out.meta_info;
  if (auto s = ReadString(*meta, "id", "meta_info.", info.id); !s.ok()) return s;
  info.finish_reason = meta->value("finish_reason", json());
  if (auto s = ReadInt(*meta, "prompt_tokens", "meta_info.", info.prompt_tokens); !s.ok()) return s;
  if (auto s = ReadInt(*meta, "completion_tokens", "meta_info.", info.completion_tokens); !s.ok()) {
    return s;
  }
  if (auto s = ReadInt(*meta, "cached_tokens", "meta_info.", info.cached_tokens); !s.ok()) return s;
  if (auto latency = meta->find("e2e_latency"); latency != meta->end() && latency->is_number()) {
    info.e2e_latency_seconds = latency->get<double>();
  }
  out.raw = body;
  return out;
}

absl::StatusOr<std::vector<ModelCard>> DecodeModels(const json& body) {
  if (!body.is_object()) return Malformed("(body)", "a JSON object", body);
  auto data = body.find("data");
  if (data == body.end() || !data->is_array()) {
    return Malformed("data", "an array", data == body.end() ? json() : *data);
  }
  std::vector<ModelCard> cards;
  for (size_t i = 0; i < data->size(); ++i) {
    const json& entry = (*data)[i];
    const std::string path = radixlm::StrCat("data[", i, "].");
    if (!entry.is_object()) return Malformed(path, "an object", entry);
    ModelCard card;
    if (auto s = ReadString(entry, "id", path, card.id); !s.ok()) return s;
    if (card.id.empty()) return Malformed(radixlm::StrCat(path, "id"), "a model name", entry);
    if (auto s = ReadString(entry, "owned_by", path, card.owned_by); !s.ok()) return s;
    if (auto s = ReadString(entry, "root", path, card.root); !s.ok()) return s;
    std::int64_t max_len = -1;
    if (auto s = ReadInt(entry, "max_model_len", path, max_len); !s.ok()) return s;
    if (max_len >= 0) card.max_model_len = max_len;
    cards.push_back(std::move(card));
  }
  return cards;
}

}  // namespace radixlm::sglang::internal
