// Writes the test tokenizers of fixture_builder.h into a folder:
//   make_tokenizer_fixtures <testdata_dir>
// reference/regenerate.sh runs it and then records the reference ids.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/engine/tokenizer/fixture_builder.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <testdata_dir>\n", argv[0]);
    return 2;
  }
  auto fixtures = radixlm::engine::tokenizer_fixtures::BuildFixtures();
  if (!fixtures.ok()) {
    std::fprintf(stderr, "%s\n", std::string(fixtures.status().message()).c_str());
    return 1;
  }
  for (const auto& fixture : *fixtures) {
    const std::filesystem::path dir = std::filesystem::path(argv[1]) / fixture.name;
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "tokenizer.json", std::ios::binary) << fixture.tokenizer_json;
    std::ofstream(dir / "tokenizer_config.json", std::ios::binary) << fixture.tokenizer_config_json;
    std::printf("wrote %s\n", dir.string().c_str());
  }
  return 0;
}
