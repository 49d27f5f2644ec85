// Every acceptance template × every test conversation, checked against the outputs the real
// jinja2 produced (testdata/expected/, written by reference/update_fixtures.py). Needs no Python;
// chat_template_reference_test re-derives the same results live.
#include <string>

#include "gtest/gtest.h"
#include "tests/engine/chat/chat_test_cases.h"

namespace radixlm::engine::chat_test {
namespace {

class ChatTemplateFixturesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatTemplateFixturesTest, RendersEveryConversationAsJinjaDid) {
  const std::string& name = GetParam();
  TemplateCase chat_template;
  for (TemplateCase& candidate : LoadTemplates()) {
    if (candidate.name == name) chat_template = std::move(candidate);
  }
  ASSERT_EQ(chat_template.name, name);
  auto expected =
      nlohmann::ordered_json::parse(ReadFile(TestdataPath("expected/" + name + ".json")));
  nlohmann::ordered_json conversations = LoadConversations();
  ASSERT_FALSE(conversations.empty());
  for (const auto& conversation : conversations) {
    std::string id = conversation["id"].get<std::string>();
    ASSERT_TRUE(expected.contains(id)) << "no fixture for " << id << "; run update_fixtures.py";
    ExpectSameAsJinja(chat_template, conversation, expected[id]);
  }
}

INSTANTIATE_TEST_SUITE_P(AcceptanceTemplates, ChatTemplateFixturesTest,
                         ::testing::ValuesIn(TemplateNames()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name;
                           for (char c : param_info.param) {
                             name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
                           }
                           return name;
                         });

}  // namespace
}  // namespace radixlm::engine::chat_test
