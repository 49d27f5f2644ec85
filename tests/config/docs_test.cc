// The YAML examples in docs/CONFIG.md must load, so that a renamed key or a stricter check cannot
// leave the documentation showing a file that fails.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "radixlm/optimization/config.h"
#include "src/config/yaml_loader.h"

namespace radixlm::optimization {
namespace {

// The bodies of the ```yaml fenced blocks of a Markdown text.
std::vector<std::string> YamlBlocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  std::istringstream lines(markdown);
  std::string line;
  std::string block;
  bool inside = false;
  while (std::getline(lines, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

TEST(ConfigDocTest, EveryYamlExampleLoads) {
  std::ifstream file(RADIXLM_CONFIG_DOC);
  ASSERT_TRUE(file) << "cannot read " << RADIXLM_CONFIG_DOC;
  std::stringstream markdown;
  markdown << file.rdbuf();
  const std::vector<std::string> blocks = YamlBlocks(markdown.str());
  ASSERT_GE(blocks.size(), 2u) << "expected the seed's block and the full example";
  for (const std::string& block : blocks) {
    const absl::StatusOr<Config> config = internal::ReadYaml(block, "CONFIG.md");
    EXPECT_TRUE(config.ok()) << config.status() << "\n" << block;
  }
}

TEST(ConfigDocTest, FullExampleSetsWhatItsCommentsSay) {
  std::ifstream file(RADIXLM_CONFIG_DOC);
  std::stringstream markdown;
  markdown << file.rdbuf();
  const absl::StatusOr<Config> config =
      internal::ReadYaml(YamlBlocks(markdown.str()).back(), "CONFIG.md");
  ASSERT_TRUE(config.ok()) << config.status();
  Config expected = DefaultConfig();
  expected.sglang.enabled = true;
  expected.sglang.endpoint = "http://gpu-box:30000";
  expected.sglang.fallback_on_unavailable = true;
  expected.sglang.warm_prefixes = {"You are a helpful assistant."};
  EXPECT_EQ(ToYaml(*config), ToYaml(expected));
}

}  // namespace
}  // namespace radixlm::optimization
