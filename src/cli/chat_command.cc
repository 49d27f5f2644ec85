// `radixlm chat`: an interactive multi-turn session through the optimization service, one line
// per user turn, printing the reply as it streams and, after each turn, the prompt and cached
// token counts and which backend answered — so the prefix cache and the fallback from a remote
// SGLang server to the embedded engine can both be watched at work.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "radixlm/optimization/service.h"
#include "src/cli/client_options.h"
#include "src/cli/commands.h"
#include "src/common/strings.h"

namespace radixlm::cli {
namespace {

struct ChatOptions {
  ClientOptions client;
  std::string system_prompt = "You are a helpful assistant.";
  std::string session_id = "cli-chat";
  std::optional<double> temperature;
  std::optional<std::int64_t> max_tokens;
  bool no_stream = false;
};

std::string TurnSummary(const optimization::TurnResult& turn) {
  const double share = turn.prompt_tokens > 0 ? 100.0 * static_cast<double>(turn.cached_tokens) /
                                                    static_cast<double>(turn.prompt_tokens)
                                              : 0.0;
  return fmt::format(
      "[turn {} · prompt {} tok · cached {} tok ({:.0f}%) · completion {} tok · TTFT {:.3f} s · "
      "{:.3f} s · served by {}]",
      turn.turn_number, turn.prompt_tokens, turn.cached_tokens, share, turn.completion_tokens,
      absl::ToDoubleSeconds(turn.time_to_first_token), absl::ToDoubleSeconds(turn.latency),
      turn.backend);
}

std::string Describe(const optimization::ServiceStatus& status) {
  if (status.serving.empty()) return "no backend is reachable";
  if (status.serving == optimization::kEmbeddedBackend) {
    return status.endpoints.empty() ? "the embedded engine"
                                    : "the embedded engine (remote endpoints are down)";
  }
  return status.serving;
}

int RunChat(const ChatOptions& options) {
  absl::StatusOr<optimization::Config> config = options.client.Resolve();
  if (!config.ok()) {
    std::cerr << "radixlm chat: " << config.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<optimization::Service>> service =
      optimization::Service::Create(*config);
  if (!service.ok()) {
    std::cerr << "radixlm chat: " << service.status().message() << "\n";
    return absl::IsInvalidArgument(service.status()) ? 2 : 1;
  }
  optimization::Service& chat = **service;
  // A stored session with this id is resumed (sessions.store_path keeps them across runs).
  absl::StatusOr<optimization::SessionInfo> session = chat.GetSession(options.session_id);
  if (!session.ok()) {
    session = chat.CreateSession(options.session_id, options.system_prompt);
    if (!session.ok()) {
      std::cerr << "radixlm chat: " << session.status().message() << "\n";
      return 1;
    }
  }
  const bool interactive = isatty(STDIN_FILENO) != 0;
  std::cerr << "radixlm chat: session \"" << options.session_id << "\" ("
            << session->turns.size() << " earlier turns), served by "
            << Describe(chat.Status()) << "\n";
  if (interactive) std::cout << "Commands: /reset (new session), /history, /status, /quit.\n";
  const optimization::TurnOptions turn_options{.max_tokens = options.max_tokens,
                                               .temperature = options.temperature};
  std::string line;
  while (true) {
    if (interactive) std::cout << "you> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    if (line == "/quit" || line == "/exit") break;
    if (line == "/reset") {
      (void)chat.CreateSession(options.session_id, options.system_prompt,
                               /*replace_existing=*/true);
      std::cout << "(new session)\n";
      continue;
    }
    if (line == "/history") {
      absl::StatusOr<optimization::SessionInfo> current = chat.GetSession(options.session_id);
      if (current.ok()) {
        for (const optimization::StoredTurn& turn : current->turns) {
          std::cout << "user: " << turn.user << "\nassistant: " << turn.assistant << "\n";
        }
      }
      continue;
    }
    if (line == "/status") {
      std::cout << "serving: " << Describe(chat.Status()) << "\n";
      continue;
    }
    std::cout << "assistant> " << std::flush;
    absl::StatusOr<optimization::TurnResult> turn;
    if (options.no_stream) {
      turn = chat.ContinueSession(options.session_id, line, turn_options);
      if (turn.ok()) std::cout << turn->text;
    } else {
      turn = chat.ContinueSessionStream(
          options.session_id, line,
          [](std::string_view text) {
            std::cout << text << std::flush;
            return true;
          },
          turn_options);
    }
    std::cout << "\n";
    if (!turn.ok()) {
      std::cerr << "radixlm chat: " << turn.status().message() << "\n";
      return 1;
    }
    std::cout << TurnSummary(*turn) << "\n" << std::flush;
  }
  return 0;
}

}  // namespace

void AddChatCommand(CLI::App& app) {
  auto options = std::make_shared<ChatOptions>();
  CLI::App* command = app.add_subcommand(
      "chat", "Multi-turn session through the optimization service; prints cached tokens and backend per turn");
  options->client.Register(*command);
  command->add_option("--system", options->system_prompt, "System prompt of the session");
  command->add_option("--session", options->session_id,
                      "Session id; a stored one (sessions.store_path) is resumed");
  command->add_option("--temperature", options->temperature, "Sampling temperature (0 = greedy)");
  command->add_option("--max-tokens", options->max_tokens, "Reply length limit per turn");
  command->add_flag("--no-stream", options->no_stream, "Wait for whole replies");
  command->callback([options] {
    if (int code = RunChat(*options); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace radixlm::cli
