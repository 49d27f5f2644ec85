// radixlm: one binary, one subcommand per job (docs/CLI.md).
#include "CLI/CLI.hpp"
#include "src/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"radixlm — RadixAttention prefix caching for multi-turn LLM conversations"};
  app.set_version_flag("--version", "radixlm 0.1.0");
  app.require_subcommand(1);
  radixlm::cli::AddHealthCommand(app);
  radixlm::cli::AddChatCommand(app);
  radixlm::cli::AddWarmCommand(app);
  radixlm::cli::AddModelCommand(app);
  radixlm::cli::AddServeCommand(app);
  radixlm::cli::AddDemoCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
