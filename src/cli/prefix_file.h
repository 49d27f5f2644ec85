// Reads the list of prefixes for `radixlm warm`: a YAML (or JSON) sequence of strings, or a
// mapping with a `warm_prefixes` sequence (the key used in the config file).
#ifndef RADIXLM_SRC_CLI_PREFIX_FILE_H_
#define RADIXLM_SRC_CLI_PREFIX_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace radixlm::cli {

absl::StatusOr<std::vector<std::string>> ReadPrefixFile(const std::string& path);

}  // namespace radixlm::cli

#endif  // RADIXLM_SRC_CLI_PREFIX_FILE_H_
