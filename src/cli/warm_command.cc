// `radixlm warm FILE`: send every prefix listed in FILE once so the server caches it, and report
// the server's token counts for each.
#include <iostream>
#include <memory>

#include "radixlm/sglang/client.h"
#include "src/cli/client_options.h"
#include "src/cli/commands.h"
#include "src/cli/prefix_file.h"

namespace radixlm::cli {

void AddWarmCommand(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto options = std::make_shared<ClientOptions>();
  auto raw = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand(
      "warm", "Warm the server's prefix cache with the prefixes in FILE (a YAML list of strings)");
  command->add_option("file", *path, "YAML or JSON list of prefixes")->required();
  command->add_flag("--raw", *raw,
                    "Send prefixes as raw text via /generate instead of as system prompts");
  options->Register(*command);
  command->callback([path, options, raw] {
    absl::StatusOr<std::vector<std::string>> prefixes = ReadPrefixFile(*path);
    absl::StatusOr<optimization::Config> config = options->Resolve();
    if (!prefixes.ok() || !config.ok()) {
      std::cerr << "radixlm warm: "
                << (prefixes.ok() ? config.status() : prefixes.status()).message() << "\n";
      throw CLI::RuntimeError(2);
    }
    sglang::Client client(optimization::ToClientConfig(*config));
    std::vector<absl::StatusOr<sglang::WarmResult>> results = client.WarmPrefixes(
        *prefixes, *raw ? sglang::WarmMode::kRawText : sglang::WarmMode::kSystemPrompt);
    int failures = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      std::string shown = (*prefixes)[i].substr(0, 48);
      if ((*prefixes)[i].size() > 48) shown += "...";
      if (results[i].ok()) {
        std::cout << "warmed  \"" << shown << "\": " << results[i]->prompt_tokens
                  << " prompt tokens";
        if (results[i]->cached_tokens.has_value()) {
          std::cout << ", " << *results[i]->cached_tokens << " were already cached";
        }
        std::cout << "\n";
      } else {
        ++failures;
        std::cout << "FAILED  \"" << shown << "\": " << results[i].status().message() << "\n";
      }
    }
    std::cout << results.size() - failures << " of " << results.size() << " prefixes warmed\n";
    if (failures > 0) throw CLI::RuntimeError(1);
  });
}

}  // namespace radixlm::cli
