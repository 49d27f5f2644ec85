#include "src/engine/chat/chat_template.h"

#include <utility>
#include <vector>

#include "src/common/strings.h"
#include "src/engine/chat/ast.h"
#include "src/engine/chat/interpreter.h"
#include "src/engine/chat/json.h"
#include "src/engine/chat/lexer.h"
#include "src/engine/chat/parser.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"

namespace radixlm::engine {

struct ChatTemplate::Parsed {
  jinja::StmtList body;
  ChatTemplateLimits limits;
};

absl::StatusOr<ChatTemplate> ChatTemplate::Parse(std::string_view source,
                                                 ChatTemplateLimits limits) {
  if (!jinja::IsValidUtf8(source)) {
    return absl::InvalidArgumentError("the chat template is not valid UTF-8");
  }
  std::string normalized = jinja::NormalizeNewlines(source);
  auto parsed = std::make_shared<Parsed>();
  CHAT_ASSIGN_OR_RETURN(parsed->body, jinja::ParseTemplate(normalized));
  parsed->limits = limits;
  return ChatTemplate(std::move(parsed));
}

absl::StatusOr<std::string> ChatTemplate::Render(const ChatTemplateInputs& inputs) const {
  // The variables transformers passes: render(messages=..., tools=..., documents=...,
  // add_generation_prompt=..., **special_tokens_map, **kwargs).
  std::vector<std::pair<std::string, jinja::Value>> variables;
  auto set = [&variables](std::string_view name, jinja::Value value) {
    for (auto& [key, existing] : variables) {
      if (key == name) {
        existing = std::move(value);
        return;
      }
    }
    variables.emplace_back(std::string(name), std::move(value));
  };
  CHAT_ASSIGN_OR_RETURN(jinja::Value messages, jinja::FromJson(inputs.messages, "messages"));
  CHAT_ASSIGN_OR_RETURN(jinja::Value tools, jinja::FromJson(inputs.tools, "tools"));
  CHAT_ASSIGN_OR_RETURN(jinja::Value documents, jinja::FromJson(inputs.documents, "documents"));
  set("messages", std::move(messages));
  set("tools", std::move(tools));
  set("documents", std::move(documents));
  set("add_generation_prompt", jinja::Value::Bool(inputs.add_generation_prompt));
  const std::pair<std::string_view, const std::optional<std::string>*> tokens[] = {
      {"bos_token", &inputs.bos_token},
      {"eos_token", &inputs.eos_token},
      {"unk_token", &inputs.unk_token},
      {"pad_token", &inputs.pad_token},
  };
  for (const auto& [name, token] : tokens) {
    if (!token->has_value()) continue;
    if (!jinja::IsValidUtf8(**token)) {
      return absl::InvalidArgumentError(StrCat(name, " is not valid UTF-8"));
    }
    set(name, jinja::Value::String(**token));
  }
  if (!inputs.extra_kwargs.is_null()) {
    if (!inputs.extra_kwargs.is_object()) {
      return absl::InvalidArgumentError("extra chat template kwargs must be a JSON object");
    }
    for (const auto& [name, value] : inputs.extra_kwargs.items()) {
      if (name == "messages" || name == "tools" || name == "documents" ||
          name == "add_generation_prompt") {
        return absl::InvalidArgumentError(StrCat("extra chat template kwarg '", name,
                                                 "' would replace the argument of the same "
                                                 "name; pass it in its own field"));
      }
      CHAT_ASSIGN_OR_RETURN(jinja::Value converted, jinja::FromJson(value, name));
      set(name, std::move(converted));
    }
  }
  const ChatTemplateLimits& limits = parsed_->limits;
  jinja::Interpreter interpreter(
      jinja::InterpreterLimits{limits.max_output_bytes, limits.max_call_depth, limits.max_steps},
      inputs.local_time);
  return interpreter.Render(parsed_->body, std::move(variables));
}

}  // namespace radixlm::engine
