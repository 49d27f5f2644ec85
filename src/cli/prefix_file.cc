#include "src/cli/prefix_file.h"

#include <fstream>

#include "src/common/strings.h"
#include "yaml-cpp/yaml.h"

namespace radixlm::cli {

absl::StatusOr<std::vector<std::string>> ReadPrefixFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(StrCat("cannot open prefix file ", path));
  YAML::Node root;
  try {
    root = YAML::Load(in);
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        StrCat(path, ":", error.mark.line + 1, ": not valid YAML: ", error.msg));
  }
  if (root.IsMap() && root["warm_prefixes"]) root = root["warm_prefixes"];
  if (!root.IsSequence()) {
    return absl::InvalidArgumentError(
        StrCat(path, ": expected a list of strings (or a `warm_prefixes:` list)"));
  }
  std::vector<std::string> prefixes;
  for (const YAML::Node& item : root) {
    if (!item.IsScalar() || item.as<std::string>().empty()) {
      return absl::InvalidArgumentError(StrCat(path, ":", item.Mark().line + 1,
                                               ": every prefix must be a non-empty string"));
    }
    prefixes.push_back(item.as<std::string>());
  }
  if (prefixes.empty()) return absl::InvalidArgumentError(StrCat(path, ": no prefixes listed"));
  return prefixes;
}

}  // namespace radixlm::cli
