#include "src/server/openai_request.h"

#include <utility>

#include "src/common/strings.h"
#include "src/server/errors.h"

namespace radixlm::server {
namespace {

// Fields both OpenAI routes share (and SGLang's extras on them).
void ReadCommonFields(FieldReader& reader, OpenAiCall& call) {
  engine::SamplingParams& sampling = call.sampling;
  if (auto value = reader.String("model")) call.model = *value;
  if (auto value = reader.String("rid")) call.rid = *value;
  call.stream = reader.Bool("stream").value_or(false);
  if (const Json* options = reader.Raw("stream_options")) {
    if (!options->is_object()) {
      reader.Fail("stream_options",
                  StrCat("Input should be a valid dictionary, got ", Preview(*options)));
    } else {
      FieldReader options_reader(*options, "body.stream_options");
      call.include_usage = options_reader.Bool("include_usage").value_or(false);
      call.continuous_usage_stats = options_reader.Bool("continuous_usage_stats").value_or(false);
      if (!options_reader.ok())
        reader.Fail("stream_options", ToStd(options_reader.status().message()));
    }
  }
  ReadSharedSamplingFields(reader, sampling);
  if (auto value = reader.Int("seed")) sampling.seed = static_cast<std::uint64_t>(*value);
  if (auto value = reader.Int("min_tokens")) sampling.min_new_tokens = *value;
  if (auto n = reader.Int("n"); n.has_value() && *n != 1) {
    reader.Fail("n", StrCat("radixlm serve returns one choice per request (n=1), got ", *n));
  }
  if (const Json* bias = reader.Raw("logit_bias"); bias != nullptr && !bias->empty()) {
    reader.Fail("logit_bias", "is not supported by radixlm serve; remove it");
  }
  for (std::string_view unsupported : {"regex", "json_schema", "ebnf", "stop_regex", "suffix"}) {
    if (reader.Raw(unsupported) != nullptr) {
      reader.Fail(unsupported, "is not supported by radixlm serve; remove it");
    }
  }
  if (const Json* format = reader.Raw("response_format")) {
    if (!format->is_object() || !format->contains("type") || !(*format)["type"].is_string()) {
      reader.Fail("response_format",
                  StrCat("Input should be an object with a string 'type', got ", Preview(*format)));
    } else if ((*format)["type"] != "text") {
      reader.Fail("response_format",
                  StrCat("type ", Preview((*format)["type"]),
                         " is not supported by radixlm serve (no constrained decoding); use "
                         "\"text\""));
    }
  }
}

absl::Status CheckMaxTokens(const OpenAiCall& call, std::string_view name) {
  if (call.max_tokens.has_value() && *call.max_tokens < 0) {
    return ValidationError(StrCat("1 validation error: body.", name, ": must be non-negative, got ",
                                  *call.max_tokens));
  }
  return absl::OkStatus();
}

// Chat content: a string, or a list of {"type":"text","text":…} parts joined by newlines.
absl::StatusOr<Json> FlattenContent(const Json& content, std::size_t index) {
  if (content.is_null() || content.is_string()) return content.is_null() ? Json("") : content;
  if (!content.is_array()) {
    return ValidationError(StrCat("1 validation error: body.messages.", index,
                                  ".content: Input should be a string or a list of parts, got ",
                                  Preview(content)));
  }
  std::string text;
  for (const Json& part : content) {
    if (!part.is_object() || !part.contains("type") || part["type"] != "text" ||
        !part.contains("text") || !part["text"].is_string()) {
      return absl::InvalidArgumentError(
          StrCat("messages[", index,
                 "].content: only text parts ({\"type\":\"text\",\"text\":…}) "
                 "are supported by radixlm serve, got ",
                 Preview(part)));
    }
    if (!text.empty()) text += "\n";
    text += part["text"].get<std::string>();
  }
  return Json(text);
}

}  // namespace

absl::Status CheckJsonContentType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  if (AsciiToLower(StripAsciiWhitespace(type)) != "application/json") {
    return ValidationError(StrCat(
        "Unsupported Media Type: Only 'application/json' is allowed, got '", content_type, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<OpenAiCall> ParseChatCompletionCall(const Json& body,
                                                   const engine::SamplingParams& defaults) {
  OpenAiCall call;
  call.chat = true;
  call.sampling = defaults;
  FieldReader reader(body, "body");
  ReadCommonFields(reader, call);
  std::optional<std::int64_t> max_tokens = reader.Int("max_tokens");
  std::optional<std::int64_t> max_completion_tokens = reader.Int("max_completion_tokens");
  call.max_tokens = max_completion_tokens.has_value() ? max_completion_tokens : max_tokens;
  call.logprobs = reader.Bool("logprobs").value_or(false);
  std::optional<std::int64_t> top_logprobs = reader.Int("top_logprobs");
  reader.CheckRange("top_logprobs",
                    top_logprobs.has_value() ? std::optional<double>(*top_logprobs) : std::nullopt,
                    0, 20, "in [0, 20]");
  call.top_logprobs = static_cast<std::int32_t>(top_logprobs.value_or(0));
  call.continue_final_message = reader.Bool("continue_final_message").value_or(false);
  if (const Json* kwargs = reader.Raw("chat_template_kwargs")) {
    if (!kwargs->is_object()) {
      reader.Fail("chat_template_kwargs",
                  StrCat("Input should be a valid dictionary, got ", Preview(*kwargs)));
    } else {
      call.chat_template_kwargs = *kwargs;
    }
  }
  if (const Json* tools = reader.Raw("tools")) {
    if (!tools->is_array()) {
      reader.Fail("tools", StrCat("Input should be a valid list, got ", Preview(*tools)));
    } else if (!tools->empty()) {
      call.tools = *tools;
    }
  }
  std::optional<std::vector<std::int32_t>> input_ids = reader.IntList("input_ids");
  const Json* messages = reader.Raw("messages");
  if (!reader.ok()) return reader.status();
  if (absl::Status valid = CheckMaxTokens(
          call, max_completion_tokens.has_value() ? "max_completion_tokens" : "max_tokens");
      !valid.ok()) {
    return valid;
  }
  if (messages == nullptr)
    return ValidationError("1 validation error: body.messages: Field required");
  if (!messages->is_array()) {
    return ValidationError(
        StrCat("1 validation error: body.messages: Input should be a valid list, got ",
               Preview(*messages)));
  }
  if (messages->empty()) return absl::InvalidArgumentError("Messages cannot be empty.");
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const Json& message = (*messages)[i];
    if (!message.is_object()) {
      return ValidationError(StrCat("1 validation error: body.messages.", i,
                                    ": Input should be a valid dictionary, got ",
                                    Preview(message)));
    }
    if (!message.contains("role") || !message["role"].is_string()) {
      return ValidationError(
          StrCat("1 validation error: body.messages.", i, ".role: Field required (a string)"));
    }
    Json flattened = message;
    absl::StatusOr<Json> content =
        FlattenContent(message.contains("content") ? message["content"] : Json(nullptr), i);
    if (!content.ok()) return content.status();
    flattened["content"] = *std::move(content);
    call.messages.push_back(std::move(flattened));
  }
  if (input_ids.has_value()) {
    if (input_ids->empty()) return absl::InvalidArgumentError("input_ids cannot be empty.");
    call.prompts.push_back({.input_ids = *std::move(input_ids)});
  }
  call.sampling.return_logprob = call.logprobs;
  call.sampling.top_logprobs = call.logprobs ? call.top_logprobs : 0;
  return call;
}

absl::StatusOr<OpenAiCall> ParseCompletionCall(const Json& body,
                                               const engine::SamplingParams& defaults) {
  OpenAiCall call;
  call.sampling = defaults;
  FieldReader reader(body, "body");
  ReadCommonFields(reader, call);
  call.max_tokens = reader.Int("max_tokens").value_or(16);
  call.echo = reader.Bool("echo").value_or(false);
  std::optional<std::int64_t> logprobs = reader.Int("logprobs");
  reader.CheckRange("logprobs",
                    logprobs.has_value() ? std::optional<double>(*logprobs) : std::nullopt, 0, 20,
                    "in [0, 20]");
  const Json* prompt = reader.Raw("prompt");
  if (!reader.ok()) return reader.status();
  if (absl::Status valid = CheckMaxTokens(call, "max_tokens"); !valid.ok()) return valid;
  call.logprobs = logprobs.has_value();
  call.top_logprobs = static_cast<std::int32_t>(logprobs.value_or(0));
  if (prompt == nullptr) return ValidationError("1 validation error: body.prompt: Field required");
  const auto bad_prompt = [&] {
    return ValidationError(StrCat(
        "1 validation error: body.prompt: Input should be a string, a list of strings, a list of "
        "token ids or a list of lists of token ids, got ",
        Preview(*prompt)));
  };
  const auto read_ids = [](const Json& list, std::vector<std::int32_t>& out) {
    for (const Json& id : list) {
      if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
          id.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max()) {
        return false;
      }
      out.push_back(id.get<std::int32_t>());
    }
    return true;
  };
  if (prompt->is_string()) {
    if (prompt->get<std::string>().empty()) {
      return absl::InvalidArgumentError("Prompt cannot be empty");
    }
    call.prompts.push_back({.text = prompt->get<std::string>()});
  } else if (prompt->is_array()) {
    if (prompt->empty()) return absl::InvalidArgumentError("Prompt cannot be empty");
    const Json& first = (*prompt)[0];
    if (first.is_number_integer()) {
      OpenAiPrompt& one = call.prompts.emplace_back();
      if (!read_ids(*prompt, one.input_ids)) return bad_prompt();
    } else {
      for (const Json& entry : *prompt) {
        OpenAiPrompt& one = call.prompts.emplace_back();
        if (entry.is_string()) {
          if (entry.get<std::string>().empty()) {
            return absl::InvalidArgumentError("Prompt cannot be empty");
          }
          one.text = entry.get<std::string>();
        } else if (!entry.is_array() || entry.empty() || !read_ids(entry, one.input_ids)) {
          return bad_prompt();
        }
      }
    }
  } else {
    return bad_prompt();
  }
  call.sampling.return_logprob = call.logprobs;
  call.sampling.top_logprobs = call.top_logprobs;
  // echo with logprobs scores the prompt too (SGLang: logprob_start_len 0).
  call.sampling.logprob_start_len = call.echo && call.logprobs ? 0 : -1;
  return call;
}

absl::Status FitToContext(std::int64_t prompt_tokens, std::int64_t context_length,
                          OpenAiCall& call) {
  if (prompt_tokens >= context_length) {
    return absl::InvalidArgumentError(StrCat("The input (", prompt_tokens,
                                             " tokens) is longer than the model's context length (",
                                             context_length, " tokens)."));
  }
  if (!call.max_tokens.has_value()) {
    call.sampling.max_new_tokens = context_length - prompt_tokens;
    return absl::OkStatus();
  }
  if (call.chat && *call.max_tokens > context_length) {
    return absl::InvalidArgumentError(
        StrCat("max_completion_tokens is too large: ", *call.max_tokens,
               ". This model supports at most ", context_length, " completion tokens."));
  }
  if (prompt_tokens + *call.max_tokens > context_length) {
    return absl::InvalidArgumentError(StrCat(
        "Requested token count exceeds the model's maximum context length of ", context_length,
        " tokens. You requested a total of ", prompt_tokens + *call.max_tokens,
        " tokens: ", prompt_tokens, " tokens from the input messages and ", *call.max_tokens,
        " tokens for the completion. Please reduce the number of tokens in the input messages or "
        "the completion to fit within the limit."));
  }
  call.sampling.max_new_tokens = *call.max_tokens;
  return absl::OkStatus();
}

absl::StatusOr<std::string> CutAfterFinalMessage(const std::string& rendered,
                                                 const Json& messages) {
  if (messages.empty()) return rendered;
  const Json& final = messages.back();
  const std::string content = final.contains("content") && final["content"].is_string()
                                  ? final["content"].get<std::string>()
                                  : std::string();
  const std::size_t at = rendered.rfind(content);
  if (at == std::string::npos) {
    return absl::InvalidArgumentError(
        "continue_final_message: the final message's content is not in the rendered template");
  }
  return rendered.substr(0, at + content.size());
}

}  // namespace radixlm::server
