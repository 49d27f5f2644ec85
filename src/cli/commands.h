// The subcommands of the `radixlm` binary. Each Add*Command() registers one subcommand on the
// application; its callback runs the command and reports failure by throwing CLI::RuntimeError
// with the exit code, which main() turns into the process exit status.
#ifndef RADIXLM_SRC_CLI_COMMANDS_H_
#define RADIXLM_SRC_CLI_COMMANDS_H_

#include "CLI/CLI.hpp"

namespace radixlm::cli {

void AddHealthCommand(CLI::App& app);
void AddChatCommand(CLI::App& app);
void AddWarmCommand(CLI::App& app);
void AddModelCommand(CLI::App& app);
void AddServeCommand(CLI::App& app);
void AddDemoCommand(CLI::App& app);

}  // namespace radixlm::cli

#endif  // RADIXLM_SRC_CLI_COMMANDS_H_
