#include "tests/engine/chat/chat_test_cases.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "src/common/strings.h"

namespace radixlm::engine::chat_test {

std::string TestdataPath(const std::string& relative) {
  return std::string(RADIXLM_CHAT_TESTDATA) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::vector<TemplateCase> LoadTemplates() {
  auto index = nlohmann::ordered_json::parse(ReadFile(TestdataPath("templates.json")));
  std::vector<TemplateCase> templates;
  for (const auto& entry : index) {
    std::string name = entry["name"].get<std::string>();
    templates.push_back(TemplateCase{name, ReadFile(TestdataPath("templates/" + name + ".jinja")),
                                     entry["special_tokens"]});
  }
  return templates;
}

std::vector<std::string> TemplateNames() {
  std::vector<std::string> names;
  for (const auto& entry :
       nlohmann::ordered_json::parse(ReadFile(TestdataPath("templates.json")))) {
    names.push_back(entry["name"].get<std::string>());
  }
  return names;
}

nlohmann::ordered_json LoadConversations() {
  return nlohmann::ordered_json::parse(ReadFile(TestdataPath("conversations.json")));
}

std::tm FixtureLocalTime() {
  std::tm time{};
  time.tm_year = 2024 - 1900;
  time.tm_mon = 8;  // September
  time.tm_mday = 15;
  time.tm_hour = 10;
  time.tm_min = 30;
  time.tm_wday = 0;    // A Sunday.
  time.tm_yday = 258;  // Days since 1 January.
  time.tm_isdst = -1;
  return time;
}

ChatTemplateInputs MakeInputs(const TemplateCase& chat_template,
                              const nlohmann::ordered_json& conversation) {
  ChatTemplateInputs inputs;
  inputs.messages = conversation["messages"];
  inputs.tools = conversation.value("tools", nlohmann::ordered_json());
  inputs.documents = conversation.value("documents", nlohmann::ordered_json());
  inputs.add_generation_prompt = conversation.value("add_generation_prompt", false);
  const auto& tokens = conversation.contains("special_tokens") ? conversation["special_tokens"]
                                                               : chat_template.special_tokens;
  auto token = [&tokens](const char* name) -> std::optional<std::string> {
    if (!tokens.contains(name)) return std::nullopt;
    return tokens[name].get<std::string>();
  };
  inputs.bos_token = token("bos_token");
  inputs.eos_token = token("eos_token");
  inputs.unk_token = token("unk_token");
  inputs.pad_token = token("pad_token");
  inputs.extra_kwargs = conversation.value("kwargs", nlohmann::ordered_json::object());
  inputs.local_time = FixtureLocalTime();
  return inputs;
}

void ExpectSameAsJinja(const TemplateCase& chat_template,
                       const nlohmann::ordered_json& conversation,
                       const nlohmann::ordered_json& jinja_result) {
  SCOPED_TRACE(StrCat(chat_template.name, " with conversation '",
                      conversation["id"].get<std::string>(), "'"));
  absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(chat_template.source);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  absl::StatusOr<std::string> rendered = parsed->Render(MakeInputs(chat_template, conversation));
  if (jinja_result.contains("output")) {
    ASSERT_TRUE(rendered.ok()) << "jinja2 rendered it, we failed: " << rendered.status();
    EXPECT_EQ(*rendered, jinja_result["output"].get<std::string>());
    return;
  }
  std::string jinja_error = jinja_result["error"].get<std::string>();
  std::string error_type = jinja_result["error_type"].get<std::string>();
  ASSERT_FALSE(rendered.ok()) << "jinja2 raised " << error_type << " (" << jinja_error
                              << "); we rendered:\n"
                              << *rendered;
  std::string message(ToStd(rendered.status().message()));
  if (error_type == "TemplateError") {
    // raise_exception(): the server shows this message verbatim.
    EXPECT_EQ(message, jinja_error);
    EXPECT_EQ(rendered.status().code(), absl::StatusCode::kInvalidArgument);
  } else if (error_type == "RecursionError") {
    // CPython's recursion limit is our max_call_depth.
    EXPECT_NE(message.find("maximum recursion depth exceeded"), std::string::npos) << message;
  } else {
    EXPECT_NE(message.find(jinja_error), std::string::npos)
        << "jinja2's " << error_type << ": " << jinja_error << "\nours: " << message;
  }
}

}  // namespace radixlm::engine::chat_test
