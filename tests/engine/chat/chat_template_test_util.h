// Renders small templates for the language-feature tests.
#ifndef RADIXLM_TESTS_ENGINE_CHAT_CHAT_TEMPLATE_TEST_UTIL_H_
#define RADIXLM_TESTS_ENGINE_CHAT_CHAT_TEMPLATE_TEST_UTIL_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/chat/chat_template.h"
#include "tests/engine/chat/chat_test_cases.h"

namespace radixlm::engine::chat_test {

// Renders `source` with the variables of the JSON object `context`; a failure renders as
// "ERROR: <message>" so that expectations can state either outcome.
inline std::string Render(std::string_view source, std::string_view context = "{}") {
  absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(source);
  if (!parsed.ok()) return StrCat("ERROR: ", parsed.status().message());
  ChatTemplateInputs inputs;
  inputs.extra_kwargs = nlohmann::ordered_json::parse(context);
  inputs.local_time = FixtureLocalTime();
  absl::StatusOr<std::string> rendered = parsed->Render(inputs);
  if (!rendered.ok()) return StrCat("ERROR: ", rendered.status().message());
  return *rendered;
}

}  // namespace radixlm::engine::chat_test

#endif  // RADIXLM_TESTS_ENGINE_CHAT_CHAT_TEMPLATE_TEST_UTIL_H_
