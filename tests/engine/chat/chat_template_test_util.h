// Renders small templates for the language-feature tests.
#ifndef RADIXLM_TESTS_ENGINE_CHAT_CHAT_TEMPLATE_TEST_UTIL_H_
#define RADIXLM_TESTS_ENGINE_CHAT_CHAT_TEMPLATE_TEST_UTIL_H_

#include <ctime>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/chat/chat_template.h"

namespace radixlm::engine::chat_test {

// 2024-09-15 10:30:00, a Sunday: what strftime_now() formats in these tests.
inline std::tm TestLocalTime() {
  std::tm time{};
  time.tm_year = 2024 - 1900;
  time.tm_mon = 8;
  time.tm_mday = 15;
  time.tm_hour = 10;
  time.tm_min = 30;
  time.tm_wday = 0;
  time.tm_yday = 258;
  time.tm_isdst = -1;
  return time;
}

// Renders `source` with the variables of the JSON object `context`; a failure renders as
// "ERROR: <message>" so that expectations can state either outcome.
inline std::string Render(std::string_view source, std::string_view context = "{}") {
  absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(source);
  if (!parsed.ok()) return StrCat("ERROR: ", parsed.status().message());
  ChatTemplateInputs inputs;
  inputs.extra_kwargs = nlohmann::ordered_json::parse(context);
  inputs.local_time = TestLocalTime();
  absl::StatusOr<std::string> rendered = parsed->Render(inputs);
  if (!rendered.ok()) return StrCat("ERROR: ", rendered.status().message());
  return *rendered;
}

}  // namespace radixlm::engine::chat_test

#endif  // RADIXLM_TESTS_ENGINE_CHAT_CHAT_TEMPLATE_TEST_UTIL_H_
