#include "src/cli/client_options.h"

#include <cstdlib>

#include "src/common/duration.h"
#include "src/common/strings.h"

namespace radixlm::cli {

void ClientOptions::Register(CLI::App& command) {
  command.add_option("--config", config_path, "YAML config file (see docs/CONFIG.md)");
  command.add_option("--endpoint", endpoint,
                     "Server root, e.g. http://localhost:30000 (overrides the config)");
  command.add_option("--api-key", api_key, "Bearer token for servers started with --api-key");
  command.add_option("--timeout", timeout, "Total time per request, Go syntax (e.g. 120s)");
}

absl::StatusOr<optimization::Config> ClientOptions::Resolve() const {
  absl::StatusOr<optimization::Config> config;
  if (!config_path.empty()) {
    config = optimization::LoadConfigFile(config_path);
  } else {
    optimization::Config defaults = optimization::DefaultConfig();
    absl::Status env = optimization::ApplyEnvironment(
        defaults, [](std::string_view name) -> std::optional<std::string> {
          const char* value = std::getenv(std::string(name).c_str());
          if (value == nullptr) return std::nullopt;
          return std::string(value);
        });
    if (!env.ok()) return env;
    config = std::move(defaults);
  }
  if (!config.ok()) return config.status();
  if (!endpoint.empty()) {
    if (!endpoint.starts_with("http://") && !endpoint.starts_with("https://")) {
      return absl::InvalidArgumentError(
          StrCat("--endpoint \"", endpoint, "\" must start with http:// or https://"));
    }
    // Naming a server means using it, whatever the file said about other endpoints.
    config->sglang.enabled = true;
    config->sglang.endpoint = endpoint;
    config->sglang.endpoints.clear();
  }
  if (!api_key.empty()) config->sglang.api_key = api_key;
  if (!timeout.empty()) {
    absl::StatusOr<absl::Duration> parsed = ParseGoDuration(timeout);
    if (!parsed.ok()) return absl::InvalidArgumentError(StrCat("--timeout: ", parsed.status().message()));
    config->sglang.timeout = *parsed;
  }
  return config;
}

}  // namespace radixlm::cli
