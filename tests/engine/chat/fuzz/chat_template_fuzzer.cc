// libFuzzer target: parses arbitrary bytes as a chat template and renders it. The input is
// "<template>\0<JSON inputs>"; the JSON part, when it parses as an object, supplies messages,
// tools and extra kwargs, otherwise a fixed two-message conversation is used.
//
// Any crash, sanitizer report, hang or unbounded allocation is a bug: every failure must come
// back as a Status. Limits are tightened so that each input renders quickly.
//
//   cmake -DCMAKE_CXX_COMPILER=clang++ -DRADIXLM_BUILD_FUZZERS=ON
//   -DRADIXLM_SANITIZE=address,undefined chat_template_fuzzer -max_total_time=60
//   tests/engine/chat/testdata/templates
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nlohmann/json.hpp"
#include "src/engine/chat/chat_template.h"

namespace {

radixlm::engine::ChatTemplateInputs InputsFrom(std::string_view json_text) {
  radixlm::engine::ChatTemplateInputs inputs;
  inputs.messages = nlohmann::ordered_json::parse(
      R"([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi ü"}])");
  inputs.add_generation_prompt = true;
  inputs.bos_token = "<s>";
  inputs.eos_token = "</s>";
  std::tm fixed{};
  fixed.tm_year = 124;
  inputs.local_time = fixed;
  auto json = nlohmann::ordered_json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return inputs;
  if (json.contains("messages")) inputs.messages = json["messages"];
  if (json.contains("tools")) inputs.tools = json["tools"];
  if (json.contains("kwargs") && json["kwargs"].is_object()) inputs.extra_kwargs = json["kwargs"];
  return inputs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t separator = input.find('\0');
  std::string_view source = input.substr(0, separator);
  std::string_view json_text =
      separator == std::string_view::npos ? std::string_view() : input.substr(separator + 1);
  radixlm::engine::ChatTemplateLimits limits;
  limits.max_output_bytes = 1 << 20;
  limits.max_steps = 100000;
  limits.max_call_depth = 50;
  auto parsed = radixlm::engine::ChatTemplate::Parse(source, limits);
  if (!parsed.ok()) return 0;
  auto rendered = parsed->Render(InputsFrom(json_text));
  (void)rendered;
  return 0;
}
