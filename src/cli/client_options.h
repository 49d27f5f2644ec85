// Options shared by the subcommands that talk to a server (chat, health, warm): where the server
// is and how to reach it, from --config, the environment and flags (flags win).
#ifndef RADIXLM_SRC_CLI_CLIENT_OPTIONS_H_
#define RADIXLM_SRC_CLI_CLIENT_OPTIONS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "radixlm/optimization/config.h"
#include "radixlm/sglang/client_config.h"

namespace radixlm::cli {

struct ClientOptions {
  std::string config_path;
  std::string endpoint;
  std::string api_key;
  std::string timeout;

  // Adds --config, --endpoint, --api-key and --timeout to `command`.
  void Register(CLI::App& command);
  // The file config (or defaults) with environment overrides, then the flags.
  absl::StatusOr<optimization::Config> Resolve() const;
};

}  // namespace radixlm::cli

#endif  // RADIXLM_SRC_CLI_CLIENT_OPTIONS_H_
