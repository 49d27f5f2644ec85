// Chat templates: turn a conversation into the prompt text a model was trained on, exactly as
// Hugging Face transformers' `tokenizer.apply_chat_template(..., tokenize=False)` does.
//
// A model publishes its template (tokenizer_config.json's `chat_template`, or
// chat_template.jinja) in the Jinja2 language. ChatTemplate implements the part of Jinja2 that
// chat templates use, under the settings transformers renders with (trim_blocks, lstrip_blocks,
// loop controls, a sandbox that forbids mutating lists and dicts, its own `tojson`,
// `raise_exception` and `strftime_now`, and the `{% generation %}` tag), with Python's semantics
// for values and strings. A template that uses something outside that subset fails to parse with
// an error naming the construct and its line; it never renders something different.
//
//   absl::StatusOr<ChatTemplate> chat_template = ChatTemplate::Parse(source);
//   ChatTemplateInputs inputs;
//   inputs.messages = nlohmann::ordered_json::parse(R"([{"role": "user", "content": "Hi"}])");
//   inputs.add_generation_prompt = true;
//   inputs.bos_token = "<|begin_of_text|>";
//   absl::StatusOr<std::string> prompt = chat_template->Render(inputs);
//
// Errors are kInvalidArgument (the request cannot be rendered: a 400) except for exceeded
// ChatTemplateLimits, which are kResourceExhausted. When the template itself calls
// raise_exception(message), the error message is exactly `message`.
//
// Thread safety: a ChatTemplate is immutable after Parse; Render may be called concurrently.
#ifndef RADIXLM_SRC_ENGINE_CHAT_CHAT_TEMPLATE_H_
#define RADIXLM_SRC_ENGINE_CHAT_CHAT_TEMPLATE_H_

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace radixlm::engine {

// Bounds on the work one Render may do, so that a hostile or broken template fails cleanly.
struct ChatTemplateLimits {
  // Size of the output, and of any single string or list built while rendering.
  size_t max_output_bytes = size_t{8} << 20;
  // Nested macro calls (templates recurse through macros, e.g. to print JSON schemas).
  int max_call_depth = 100;
  // Statements executed, loop iterations, macro calls and items processed by filters.
  int64_t max_steps = 5'000'000;
};

// What transformers passes to a chat template. Objects keep their key order: `tools | tojson`
// prints keys in the order the request gave them, as Python's json.dumps does.
struct ChatTemplateInputs {
  // [{"role": ..., "content": string or [{"type": "text", "text": ...}], "tool_calls": ...}]
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  // JSON schemas of the tools; null is Python's None (the template's `tools is none`).
  nlohmann::ordered_json tools;
  // Retrieval documents for RAG templates; null is None.
  nlohmann::ordered_json documents;
  bool add_generation_prompt = false;
  // Special tokens from tokenizer_config.json. An absent token is undefined in the template, as
  // in transformers, which passes only the tokens a tokenizer has.
  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
  std::optional<std::string> unk_token;
  std::optional<std::string> pad_token;
  // Further template variables (transformers' **kwargs), e.g. {"enable_thinking": false,
  // "date_string": "26 Jul 2024"}. Must be an object; may not redefine messages, tools,
  // documents or add_generation_prompt. Keys here replace same-named special tokens.
  nlohmann::ordered_json extra_kwargs = nlohmann::ordered_json::object();
  // The local time strftime_now() formats; absent, the time of the call. Tests fix it.
  std::optional<std::tm> local_time;
};

class ChatTemplate {
 public:
  // Parses `source`. Errors (kInvalidArgument) give the line and column and what was expected,
  // or name the unsupported construct ("the 'include' tag is not supported ...").
  static absl::StatusOr<ChatTemplate> Parse(std::string_view source,
                                            ChatTemplateLimits limits = {});

  // Renders the template for `inputs`; see the file comment for the errors.
  absl::StatusOr<std::string> Render(const ChatTemplateInputs& inputs) const;

 private:
  struct Parsed;
  explicit ChatTemplate(std::shared_ptr<const Parsed> parsed) : parsed_(std::move(parsed)) {}

  std::shared_ptr<const Parsed> parsed_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_CHAT_CHAT_TEMPLATE_H_
