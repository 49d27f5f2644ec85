#include "tests/engine/tokenizer/testdata_reader.h"

#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"

namespace radixlm::engine::tokenizer_fixtures {

const std::vector<std::string>& FixtureNames() {
  static const std::vector<std::string>* const names =
      new std::vector<std::string>{"gpt2_style",   "smollm2_style", "llama3_style", "qwen2_style",
                                   "llama2_style", "mistral_style", "misc"};
  return *names;
}

bool IsByteLevel(const std::string& fixture) {
  return fixture == "gpt2_style" || fixture == "smollm2_style" || fixture == "llama3_style" ||
         fixture == "qwen2_style";
}

std::filesystem::path TestdataDir(const char* configured_dir) { return configured_dir; }

absl::StatusOr<std::string> ReadTextFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(StrCat("cannot open ", path.string()));
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

absl::StatusOr<std::vector<std::string>> ReadStringList(const std::filesystem::path& path) {
  auto text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  const nlohmann::json json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_array()) return absl::InvalidArgumentError(StrCat(path.string(), ": not a list"));
  std::vector<std::string> strings;
  for (const auto& entry : json) {
    if (!entry.is_string()) {
      return absl::InvalidArgumentError(StrCat(path.string(), ": not a list of strings"));
    }
    strings.push_back(entry.get<std::string>());
  }
  return strings;
}

absl::StatusOr<std::vector<ReferenceResult>> ParseReferenceResults(const std::string& json_text) {
  const nlohmann::json json = nlohmann::json::parse(json_text, nullptr, false);
  if (!json.is_array()) return absl::InvalidArgumentError("reference output is not a JSON list");
  std::vector<ReferenceResult> results;
  for (const auto& entry : json) {
    if (!entry.is_object() || !entry.contains("text") || !entry.contains("ids") ||
        !entry.contains("ids_plain") || !entry.contains("decoded") ||
        !entry.contains("decoded_skip")) {
      return absl::InvalidArgumentError("reference output entry lacks a field");
    }
    ReferenceResult result;
    result.text = entry["text"].get<std::string>();
    result.ids = entry["ids"].get<std::vector<int32_t>>();
    result.ids_plain = entry["ids_plain"].get<std::vector<int32_t>>();
    result.decoded = entry["decoded"].get<std::string>();
    result.decoded_skip = entry["decoded_skip"].get<std::string>();
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace radixlm::engine::tokenizer_fixtures
