// The acceptance matrix shared by the fixture and reference tests: every template under
// testdata/templates/ (with its special tokens from testdata/templates.json) rendered with every
// conversation of testdata/conversations.json, at the fixed instant update_fixtures.py uses.
#ifndef RADIXLM_TESTS_ENGINE_CHAT_CHAT_TEST_CASES_H_
#define RADIXLM_TESTS_ENGINE_CHAT_CHAT_TEST_CASES_H_

#include <ctime>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/engine/chat/chat_template.h"

namespace radixlm::engine::chat_test {

struct TemplateCase {
  std::string name;
  std::string source;
  nlohmann::ordered_json special_tokens;
};

std::string TestdataPath(const std::string& relative);
std::string ReadFile(const std::string& path);

std::vector<TemplateCase> LoadTemplates();
std::vector<std::string> TemplateNames();
nlohmann::ordered_json LoadConversations();

// 2024-09-15 10:30:00, the time render.py's strftime_now formats for the fixtures.
std::tm FixtureLocalTime();

// The inputs transformers would get for `conversation` with this template's special tokens
// (unless the conversation overrides them).
ChatTemplateInputs MakeInputs(const TemplateCase& chat_template,
                              const nlohmann::ordered_json& conversation);

// Checks our rendering of `conversation` against jinja2's result ({"output": ...} or
// {"error": ..., "error_type": ...}): the same bytes, or an error carrying jinja2's message
// (exactly that message for raise_exception).
void ExpectSameAsJinja(const TemplateCase& chat_template,
                       const nlohmann::ordered_json& conversation,
                       const nlohmann::ordered_json& jinja_result);

}  // namespace radixlm::engine::chat_test

#endif  // RADIXLM_TESTS_ENGINE_CHAT_CHAT_TEST_CASES_H_
