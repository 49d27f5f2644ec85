// tokenizer_config.json: the transformers-level settings around tokenizer.json.
//
// Only what the engine uses is read: the BOS/EOS/PAD/UNK token names (a string or an
// AddedToken object {"content": ...}), add_bos_token/add_eos_token, model_max_length and the
// chat template(s), exposed verbatim for the chat-template interpreter.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_TOKENIZER_CONFIG_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_TOKENIZER_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace radixlm::engine {

struct TokenizerConfig {
  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
  std::optional<std::string> pad_token;
  std::optional<std::string> unk_token;
  // As written; for Llama-2 style tokenizers tokenizer.json's TemplateProcessing already adds
  // (or not) BOS/EOS accordingly, and Encode follows tokenizer.json.
  std::optional<bool> add_bos_token;
  std::optional<bool> add_eos_token;
  // Absent when missing or when it is transformers' "no limit" sentinel (about 1e30).
  std::optional<int64_t> model_max_length;
  // The template to use when none is named: "chat_template" when it is a string, or the entry
  // named "default" when it is a list of {name, template}.
  std::optional<std::string> chat_template;
  // Every template of the list form, by name, in file order ({"default", ...} included).
  std::vector<std::pair<std::string, std::string>> named_chat_templates;
  std::optional<std::string> tokenizer_class;
};

// Parses tokenizer_config.json text. Unknown fields are ignored; known fields of the wrong
// type are errors naming the field.
absl::StatusOr<TokenizerConfig> ParseTokenizerConfig(std::string_view json_text);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_TOKENIZER_CONFIG_H_
