// `radixlm health URL`: is the server up? Exit 0 when healthy, 1 when not.
#include <iostream>
#include <memory>

#include "radixlm/sglang/client.h"
#include "src/cli/client_options.h"
#include "src/cli/commands.h"
#include "src/common/duration.h"

namespace radixlm::cli {

void AddHealthCommand(CLI::App& app) {
  auto url = std::make_shared<std::string>();
  auto options = std::make_shared<ClientOptions>();
  CLI::App* command = app.add_subcommand("health", "Check that a server answers GET /health");
  command->add_option("url", *url, "Server root, e.g. http://localhost:30000")->required();
  options->Register(*command);
  command->callback([url, options] {
    options->endpoint = *url;
    absl::StatusOr<optimization::Config> config = options->Resolve();
    if (!config.ok()) {
      std::cerr << "radixlm health: " << config.status().message() << "\n";
      throw CLI::RuntimeError(2);
    }
    sglang::ClientConfig client_config = optimization::ToClientConfig(*config);
    if (options->timeout.empty()) client_config.timeout = absl::Seconds(10);
    sglang::Client client(client_config);
    const absl::Time start = absl::Now();
    absl::StatusOr<sglang::HealthResponse> health = client.Health();
    if (!health.ok()) {
      std::cout << "unhealthy: " << health.status().message() << "\n";
      throw CLI::RuntimeError(1);
    }
    std::cout << client_config.base_url << " is " << health->status << " ("
              << FormatGoDuration(absl::Now() - start) << ")\n";
  });
}

}  // namespace radixlm::cli
