#include "src/engine/tokenizer/tokenizer_config.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "src/common/strings.h"
#include "src/engine/tokenizer/tokenizer.h"
#include "tests/engine/tokenizer/testdata_reader.h"

namespace radixlm::engine {
namespace {

TEST(TokenizerConfigTest, ReadsTokensFlagsAndTemplates) {
  auto config = ParseTokenizerConfig(R"({
    "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
    "eos_token": "</s>",
    "pad_token": null,
    "add_bos_token": true,
    "add_eos_token": false,
    "model_max_length": 1000000000000000019884624838656,
    "tokenizer_class": "LlamaTokenizer",
    "chat_template": [{"name": "default", "template": "{{ messages }}"},
                      {"name": "tool_use", "template": "{{ tools }}"}]
  })");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->bos_token, "<s>");
  EXPECT_EQ(config->eos_token, "</s>");
  EXPECT_FALSE(config->pad_token.has_value());
  EXPECT_EQ(config->add_bos_token, true);
  EXPECT_EQ(config->add_eos_token, false);
  EXPECT_FALSE(config->model_max_length.has_value());  // transformers' "no limit" sentinel
  EXPECT_EQ(config->tokenizer_class, "LlamaTokenizer");
  EXPECT_EQ(config->chat_template, "{{ messages }}");
  ASSERT_EQ(config->named_chat_templates.size(), 2u);
  EXPECT_EQ(config->named_chat_templates[1].first, "tool_use");
}

TEST(TokenizerConfigTest, StringTemplateAndLength) {
  auto config = ParseTokenizerConfig(R"({"chat_template": "x", "model_max_length": 8192})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->chat_template, "x");
  EXPECT_EQ(config->model_max_length, 8192);
  EXPECT_TRUE(config->named_chat_templates.empty());
}

TEST(TokenizerConfigTest, WrongTypesAreErrors) {
  for (const char* bad :
       {R"({"bos_token": 5})", R"({"add_bos_token": "yes"})", R"({"chat_template": 3})",
        R"({"chat_template": [{"name": "x"}]})", R"({"model_max_length": "long"})", "[1]", "{"}) {
    auto config = ParseTokenizerConfig(bad);
    EXPECT_FALSE(config.ok()) << bad;
    if (!config.ok()) {
      EXPECT_TRUE(ToStd(config.status().message()).starts_with("tokenizer_config.json")) << bad;
    }
  }
}

TEST(TokenizerConfigTest, ChatTemplateFileOverridesConfig) {
  const std::filesystem::path source =
      std::filesystem::path(RADIXLM_TOKENIZER_TESTDATA) / "llama3_style";
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("radixlm_chat_template_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(source / "tokenizer.json", dir / "tokenizer.json",
                             std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dir / "tokenizer_config.json")
      << R"({"chat_template": "old", "eos_token": "<|eot_id|>"})";
  std::ofstream(dir / "chat_template.jinja") << "{{ bos_token }}new";
  auto tokenizer = Tokenizer::FromFolder(dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ(tokenizer->config().chat_template, "{{ bos_token }}new");
  EXPECT_EQ(tokenizer->eos_ids(), std::vector<int32_t>{*tokenizer->TokenToId("<|eot_id|>")});
}

}  // namespace
}  // namespace radixlm::engine
