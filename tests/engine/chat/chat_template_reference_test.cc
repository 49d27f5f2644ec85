// Differential test against the real jinja2: renders every acceptance template × every test
// conversation with reference/render.py (transformers' exact environment) and with our
// interpreter, and requires byte-identical output or the same error. It also checks that the
// committed fixtures still match jinja2, so chat_template_fixtures_test stays trustworthy.
//
// Needs python3 with jinja2 (Debian: python3-jinja2); skipped with a message when absent.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/engine/chat/chat_test_cases.h"

namespace radixlm::engine::chat_test {
namespace {

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

bool JinjaAvailable() {
  std::string command = ShellQuote(RADIXLM_CHAT_PYTHON3) + " -c 'import jinja2' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

class ChatTemplateReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatTemplateReferenceTest, MatchesJinja2ForEveryConversation) {
  if (!JinjaAvailable()) {
    GTEST_SKIP() << RADIXLM_CHAT_PYTHON3 << " cannot import jinja2; install python3-jinja2";
  }
  const std::string& name = GetParam();
  TemplateCase chat_template;
  for (TemplateCase& candidate : LoadTemplates()) {
    if (candidate.name == name) chat_template = std::move(candidate);
  }
  ASSERT_EQ(chat_template.name, name);
  nlohmann::ordered_json conversations = LoadConversations();

  // The same cases update_fixtures.py builds, for this template only.
  nlohmann::ordered_json spec;
  spec["local_time"] = "2024-09-15T10:30:00";
  spec["templates"][name] = chat_template.source;
  spec["cases"] = nlohmann::ordered_json::array();
  for (const auto& conversation : conversations) {
    nlohmann::ordered_json entry = conversation;
    entry["id"] = conversation["id"];
    entry["template"] = name;
    if (!conversation.contains("special_tokens")) {
      entry["special_tokens"] = chat_template.special_tokens;
    }
    spec["cases"].push_back(entry);
  }
  std::string base = ::testing::TempDir() + "chat_reference_" + std::to_string(getpid()) + "_";
  for (char c : name) base.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  std::string cases_path = base + "_cases.json";
  std::string results_path = base + "_results.json";
  std::ofstream(cases_path) << spec.dump();
  std::string command = ShellQuote(RADIXLM_CHAT_PYTHON3) + " " +
                        ShellQuote(RADIXLM_CHAT_RENDER_PY) + " " + ShellQuote(cases_path) + " " +
                        ShellQuote(results_path);
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  auto results = nlohmann::ordered_json::parse(ReadFile(results_path));
  auto fixtures =
      nlohmann::ordered_json::parse(ReadFile(TestdataPath("expected/" + name + ".json")));
  std::remove(cases_path.c_str());
  std::remove(results_path.c_str());

  for (const auto& conversation : conversations) {
    std::string id = conversation["id"].get<std::string>();
    ASSERT_TRUE(results.contains(id));
    ExpectSameAsJinja(chat_template, conversation, results[id]);
    EXPECT_EQ(fixtures.value(id, nlohmann::ordered_json()), results[id])
        << "testdata/expected/" << name << ".json is stale for '" << id
        << "'; run tests/engine/chat/reference/update_fixtures.py";
  }
}

INSTANTIATE_TEST_SUITE_P(AcceptanceTemplates, ChatTemplateReferenceTest,
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
