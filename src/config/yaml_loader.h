// Reading the `optimization:` block out of YAML text, with every check the public API promises.
#ifndef RADIXLM_SRC_CONFIG_YAML_LOADER_H_
#define RADIXLM_SRC_CONFIG_YAML_LOADER_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "radixlm/optimization/config.h"

namespace radixlm::optimization::internal {

// ReadYaml() is ParseConfig() without the environment overrides: DefaultConfig() with the keys set
// in `yaml_text` replaced. Errors are kInvalidArgument, "<source_name>:<line>: <key>: <problem>".
absl::StatusOr<Config> ReadYaml(std::string_view yaml_text, std::string_view source_name);

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_CONFIG_YAML_LOADER_H_
