#include "src/server/generate_request.h"

#include <algorithm>
#include <utility>

#include "src/common/strings.h"
#include "src/server/errors.h"
#include "src/server/request_tracker.h"

namespace radixlm::server {
namespace {

// A value that is either one thing or a list with one entry per prompt.
const Json* PerItem(const Json* value, std::size_t index, bool is_list) {
  if (value == nullptr) return nullptr;
  return is_list ? &(*value)[index] : value;
}

absl::StatusOr<SessionParams> ParseSessionParams(const Json& object) {
  if (!object.is_object()) {
    return ValidationError(
        StrCat("session_params: Input should be a valid dictionary, got ", Preview(object)));
  }
  FieldReader reader(object, "session_params");
  SessionParams params;
  std::optional<std::string> id = reader.String("id");
  params.rid = reader.String("rid");
  params.offset = reader.Int("offset").value_or(0);
  params.replace = reader.Bool("replace").value_or(false);
  params.drop_previous_output = reader.Bool("drop_previous_output").value_or(false);
  if (!reader.ok()) return reader.status();
  if (!id.has_value()) return ValidationError("session_params.id: Field required");
  params.id = *id;
  return params;
}

}  // namespace

absl::StatusOr<GenerateCall> ParseGenerateCall(const Json& body,
                                               const engine::SamplingParams& defaults,
                                               std::int64_t context_length) {
  FieldReader reader(body, "body");
  const Json* text = reader.Raw("text");
  const Json* input_ids = reader.Raw("input_ids");
  const Json* input_embeds = reader.Raw("input_embeds");
  const Json* sampling = reader.Raw("sampling_params");
  const Json* rid = reader.Raw("rid");
  const Json* return_logprob = reader.Raw("return_logprob");
  const Json* session_params = reader.Raw("session_params");
  GenerateCall call;
  call.stream = reader.Bool("stream").value_or(false);
  const Json* logprob_start_len = reader.Raw("logprob_start_len");
  std::optional<std::int64_t> top_logprobs_num = reader.Int("top_logprobs_num");
  bool return_text = reader.Bool("return_text_in_logprobs").value_or(false);
  std::optional<std::string> session_id = reader.String("session_id");
  if (!reader.ok()) return reader.status();

  if (input_embeds != nullptr) {
    return absl::InvalidArgumentError("input_embeds is not supported by radixlm serve");
  }
  if ((text == nullptr) == (input_ids == nullptr)) {
    return absl::InvalidArgumentError(
        text == nullptr ? "Either text, input_ids or input_embeds should be provided."
                        : "Either text or input_ids should be provided, not both.");
  }
  if (session_id.has_value()) {
    if (session_params != nullptr) {
      return absl::InvalidArgumentError("session_id cannot be combined with session_params.");
    }
    return absl::InvalidArgumentError(
        "session_id (streaming sessions) is not supported by radixlm serve; use session_params");
  }

  // Single or batch, from the prompt's shape.
  std::vector<GenerateItem> items;
  if (text != nullptr) {
    if (text->is_string()) {
      items.emplace_back().text = text->get<std::string>();
    } else if (text->is_array() && !text->empty()) {
      call.batch = true;
      for (const Json& prompt : *text) {
        if (!prompt.is_string()) {
          return ValidationError(StrCat(
              "body.text: Input should be a string or a list of strings, got ", Preview(*text)));
        }
        items.emplace_back().text = prompt.get<std::string>();
      }
    } else {
      return ValidationError(
          StrCat("body.text: Input should be a string or a non-empty list of strings, got ",
                 Preview(*text)));
    }
  } else {
    auto read_ids = [](const Json& list, std::vector<std::int32_t>& out) {
      for (const Json& id : list) {
        if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
            id.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max()) {
          return false;
        }
        out.push_back(id.get<std::int32_t>());
      }
      return true;
    };
    if (!input_ids->is_array()) {
      return ValidationError(
          StrCat("body.input_ids: Input should be a list of integers, got ", Preview(*input_ids)));
    }
    if (input_ids->empty()) return absl::InvalidArgumentError("input_ids cannot be empty.");
    if ((*input_ids)[0].is_array()) {
      call.batch = true;
      for (const Json& prompt : *input_ids) {
        GenerateItem& item = items.emplace_back();
        if (!prompt.is_array() || !read_ids(prompt, item.input_ids)) {
          return ValidationError(
              StrCat("body.input_ids: Input should be a list of lists of non-negative integers, "
                     "got ",
                     Preview(*input_ids)));
        }
        if (item.input_ids.empty()) return absl::InvalidArgumentError("input_ids cannot be empty.");
      }
    } else if (!read_ids(*input_ids, items.emplace_back().input_ids)) {
      return ValidationError(
          StrCat("body.input_ids: Input should be a list of non-negative integers, got ",
                 Preview(*input_ids)));
    }
  }

  const std::size_t count = items.size();
  const bool sampling_is_list = sampling != nullptr && sampling->is_array();
  if (sampling_is_list && sampling->size() != count) {
    return absl::InvalidArgumentError(
        StrCat("sampling_params has ", sampling->size(), " entries for ", count, " prompts"));
  }
  const bool rid_is_list = rid != nullptr && rid->is_array();
  if (rid != nullptr && !rid->is_string() && !rid_is_list) {
    return ValidationError(
        StrCat("body.rid: Input should be a string or a list of strings, got ", Preview(*rid)));
  }
  if (rid_is_list && rid->size() != count) {
    return absl::InvalidArgumentError(
        StrCat("The rid list has ", rid->size(), " entries for ", count, " prompts"));
  }
  const bool logprob_is_list = return_logprob != nullptr && return_logprob->is_array();
  if (logprob_is_list && return_logprob->size() != count) {
    return absl::InvalidArgumentError(
        StrCat("return_logprob has ", return_logprob->size(), " entries for ", count, " prompts"));
  }
  const bool start_is_list = logprob_start_len != nullptr && logprob_start_len->is_array();
  if (start_is_list && logprob_start_len->size() != count) {
    return absl::InvalidArgumentError(StrCat("logprob_start_len has ", logprob_start_len->size(),
                                             " entries for ", count, " prompts"));
  }
  if (top_logprobs_num.has_value() && (*top_logprobs_num < 0 || *top_logprobs_num > 1000)) {
    return ValidationError(
        StrCat("body.top_logprobs_num: must be in [0, 1000], got ", *top_logprobs_num));
  }
  if (session_params != nullptr && call.batch) {
    return absl::InvalidArgumentError("session_params cannot be used with a batch of prompts");
  }

  for (std::size_t i = 0; i < count; ++i) {
    GenerateItem& item = items[i];
    item.sampling = defaults;
    if (const Json* params = PerItem(sampling, i, sampling_is_list)) {
      if (absl::Status applied = ApplyNativeSamplingParams(*params, context_length, item.sampling);
          !applied.ok()) {
        return applied;
      }
    }
    if (const Json* value = PerItem(rid, i, rid_is_list)) {
      if (!value->is_string()) {
        return ValidationError(StrCat("body.rid: Input should be a string, got ", Preview(*value)));
      }
      item.rid = rid_is_list || !call.batch ? value->get<std::string>()
                                            : StrCat(value->get<std::string>(), "_", i);
    } else {
      item.rid = NewRequestId();
    }
    if (const Json* value = PerItem(return_logprob, i, logprob_is_list)) {
      if (!value->is_boolean()) {
        return ValidationError(
            StrCat("body.return_logprob: Input should be a valid boolean, got ", Preview(*value)));
      }
      item.return_logprob = value->get<bool>();
    }
    item.top_logprobs_num = static_cast<std::int32_t>(top_logprobs_num.value_or(0));
    item.return_text_in_logprobs = return_text;
    item.sampling.return_logprob = item.return_logprob;
    item.sampling.top_logprobs = item.return_logprob ? item.top_logprobs_num : 0;
    if (const Json* value = PerItem(logprob_start_len, i, start_is_list);
        value != nullptr && !value->is_null()) {
      if (!value->is_number_integer()) {
        return ValidationError(StrCat(
            "body.logprob_start_len: Input should be a valid integer, got ", Preview(*value)));
      }
      if (item.return_logprob) item.sampling.logprob_start_len = value->get<std::int64_t>();
    }
    if (session_params != nullptr) {
      absl::StatusOr<SessionParams> parsed = ParseSessionParams(*session_params);
      if (!parsed.ok()) return parsed.status();
      item.session = *std::move(parsed);
    }
  }
  call.items = std::move(items);
  return call;
}

Json FinishReasonJson(const engine::GenerateResult& result, std::int64_t max_new_tokens) {
  switch (result.finish_reason) {
    case engine::FinishReason::kStop:
      return {{"type", "stop"},
              {"matched", Json(result.matched_stop.is_discarded() ? nlohmann::json(nullptr)
                                                                  : result.matched_stop)}};
    case engine::FinishReason::kLength:
      return {{"type", "length"}, {"length", max_new_tokens}};
    case engine::FinishReason::kAbort:
      break;
  }
  const bool failed = IsServerFailure(result.error);
  return {{"type", "abort"},
          {"message", failed ? std::string(ToStd(result.error.message())) : "Abort request"},
          {"status_code", failed ? Json(HttpStatusFor(result.error)) : Json(nullptr)},
          {"err_type", nullptr}};
}

Json OutputTokenLogprobs(const std::vector<engine::OutputLogprob>& logprobs, bool with_text,
                         const TokenTextFn& token_text) {
  Json list = Json::array();
  for (const engine::OutputLogprob& entry : logprobs) {
    list.push_back(Json::array(
        {entry.logprob, entry.token, with_text ? Json(token_text(entry.token)) : Json(nullptr)}));
  }
  return list;
}

Json OutputTopLogprobs(const std::vector<engine::OutputLogprob>& logprobs, bool with_text,
                       const TokenTextFn& token_text) {
  Json list = Json::array();
  for (const engine::OutputLogprob& entry : logprobs) {
    Json position = Json::array();
    for (const engine::TopLogprob& top : entry.top) {
      position.push_back(Json::array(
          {top.logprob, top.token, with_text ? Json(token_text(top.token)) : Json(nullptr)}));
    }
    list.push_back(std::move(position));
  }
  return list;
}

namespace {

// SGLang's input logprobs: the prompt from logprob_start_len on (its last token when -1), the first
// position with a null log probability (nothing computed predicts it), then the engine's entries.
Json InputTokenLogprobs(const GenerateItem& item,
                        const std::vector<engine::OutputLogprob>& prompt_logprobs,
                        const TokenTextFn& token_text) {
  const auto prompt_length = static_cast<std::int64_t>(item.input_ids.size());
  if (prompt_length == 0) return Json::array();  // not tokenized (unit tests of the shapes)
  const std::int64_t start = item.sampling.logprob_start_len >= 0
                                 ? std::min(item.sampling.logprob_start_len, prompt_length - 1)
                                 : prompt_length - 1;
  const std::int32_t first = item.input_ids[static_cast<std::size_t>(start)];
  Json list = Json::array({Json::array(
      {nullptr, first, item.return_text_in_logprobs ? Json(token_text(first)) : Json(nullptr)})});
  for (Json& entry :
       OutputTokenLogprobs(prompt_logprobs, item.return_text_in_logprobs, token_text)) {
    list.push_back(std::move(entry));
  }
  return list;
}

Json InputTopLogprobs(const GenerateItem& item,
                      const std::vector<engine::OutputLogprob>& prompt_logprobs,
                      const TokenTextFn& token_text) {
  Json list = Json::array({nullptr});
  for (Json& entry : OutputTopLogprobs(prompt_logprobs, item.return_text_in_logprobs, token_text)) {
    list.push_back(std::move(entry));
  }
  return list;
}

Json MetaInfo(const GenerateItem& item, std::string_view rid, Json finish_reason,
              std::int64_t prompt_tokens, std::int64_t completion_tokens,
              std::int64_t cached_tokens, const std::vector<engine::OutputLogprob>& logprobs,
              const std::vector<engine::OutputLogprob>& prompt_logprobs,
              const TokenTextFn& token_text) {
  Json meta = {{"id", rid},
               {"finish_reason", std::move(finish_reason)},
               {"prompt_tokens", prompt_tokens},
               {"completion_tokens", completion_tokens},
               {"cached_tokens", cached_tokens},
               {"reasoning_tokens", 0},
               {"weight_version", "default"},
               {"num_retractions", 0}};
  if (item.return_logprob) {
    meta["input_token_logprobs"] = InputTokenLogprobs(item, prompt_logprobs, token_text);
    meta["output_token_logprobs"] =
        OutputTokenLogprobs(logprobs, item.return_text_in_logprobs, token_text);
    if (item.top_logprobs_num > 0) {
      meta["input_top_logprobs"] = InputTopLogprobs(item, prompt_logprobs, token_text);
      meta["output_top_logprobs"] =
          OutputTopLogprobs(logprobs, item.return_text_in_logprobs, token_text);
    }
    meta["output_token_logprobs_length"] = logprobs.size();
  }
  return meta;
}

}  // namespace

Json GenerateChunkJson(const GenerateItem& item, const GenerateProgress& progress,
                       std::optional<int> index, const TokenTextFn& token_text) {
  Json chunk = {{"text", progress.text},
                {"output_ids", progress.output_ids},
                {"meta_info", MetaInfo(item, item.rid, nullptr, progress.prompt_tokens,
                                       static_cast<std::int64_t>(progress.output_ids.size()),
                                       progress.cached_tokens, progress.logprobs,
                                       progress.prompt_logprobs, token_text)}};
  if (index.has_value()) chunk["index"] = *index;
  return chunk;
}

Json GenerateResultJson(const GenerateItem& item, const engine::GenerateResult& result,
                        double e2e_latency_seconds, std::optional<int> index,
                        const TokenTextFn& token_text) {
  Json meta = MetaInfo(item, result.rid.empty() ? item.rid : result.rid,
                       FinishReasonJson(result, item.sampling.max_new_tokens), result.prompt_tokens,
                       result.completion_tokens, result.cached_tokens, result.logprobs,
                       result.prompt_logprobs, token_text);
  meta["num_retractions"] = result.retractions;
  meta["e2e_latency"] = e2e_latency_seconds;
  Json object = {{"text", result.text}, {"output_ids", result.output_ids}, {"meta_info", meta}};
  if (index.has_value()) object["index"] = *index;
  return object;
}

}  // namespace radixlm::server
