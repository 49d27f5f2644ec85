// `radixlm chat`: an interactive multi-turn session against a server, one line per user turn,
// printing the reply as it streams and, after each turn, the server's prompt and cached token
// counts so the prefix cache can be watched at work.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "radixlm/sglang/client.h"
#include "src/cli/client_options.h"
#include "src/cli/commands.h"
#include "src/common/strings.h"

namespace radixlm::cli {
namespace {

struct ChatOptions {
  ClientOptions client;
  std::string system_prompt = "You are a helpful assistant.";
  std::string model;
  std::optional<double> temperature;
  std::optional<std::int64_t> max_tokens;
  bool no_stream = false;
};

std::string TurnSummary(int turn, const sglang::CompletionResponse& response,
                        std::optional<double> ttft_seconds, double total_seconds) {
  const sglang::Usage& usage = response.usage;
  std::string cached = "cached n/a (server does not report it; SGLang needs --enable-cache-report)";
  if (usage.cached_tokens.has_value()) {
    const double share = usage.prompt_tokens > 0 ? 100.0 * static_cast<double>(*usage.cached_tokens) /
                                                       static_cast<double>(usage.prompt_tokens)
                                                 : 0.0;
    cached = fmt::format("cached {} tok ({:.0f}%)", *usage.cached_tokens, share);
  }
  std::string ttft = ttft_seconds.has_value() ? fmt::format(" · TTFT {:.3f} s", *ttft_seconds) : "";
  return fmt::format("[turn {} · prompt {} tok · {} · completion {} tok{} · {:.3f} s]", turn,
                     usage.prompt_tokens, cached, usage.completion_tokens, ttft, total_seconds);
}

int RunChat(const ChatOptions& options) {
  absl::StatusOr<optimization::Config> config = options.client.Resolve();
  if (!config.ok()) {
    std::cerr << "radixlm chat: " << config.status().message() << "\n";
    return 2;
  }
  sglang::Client client(optimization::ToClientConfig(*config));
  if (absl::StatusOr<sglang::HealthResponse> health = client.Health(); !health.ok()) {
    std::cerr << "radixlm chat: " << health.status().message() << "\n";
    return 1;
  }
  sglang::SessionOptions session_options;
  session_options.request_template.model = options.model;
  session_options.request_template.temperature = options.temperature;
  session_options.request_template.max_tokens = options.max_tokens;
  const std::string session_id = "cli-chat";
  if (absl::StatusOr<sglang::Session> created =
          client.CreateSession(session_id, options.system_prompt, session_options);
      !created.ok()) {
    std::cerr << "radixlm chat: " << created.status().message() << "\n";
    return 1;
  }
  const bool interactive = isatty(STDIN_FILENO) != 0;
  if (interactive) {
    std::cout << "Chatting with " << config->sglang.endpoint
              << ". Commands: /reset (new session), /history, /quit.\n";
  }
  int turn = 0;
  std::string line;
  while (true) {
    if (interactive) std::cout << "you> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    if (line == "/quit" || line == "/exit") break;
    if (line == "/reset") {
      (void)client.CreateSession(session_id, options.system_prompt,
                                 {.replace_existing = true,
                                  .request_template = session_options.request_template});
      turn = 0;
      std::cout << "(new session)\n";
      continue;
    }
    if (line == "/history") {
      absl::StatusOr<sglang::Session> session = client.GetSession(session_id);
      if (session.ok()) {
        for (const sglang::Message& message : session->history) {
          std::cout << message.role << ": " << message.content << "\n";
        }
      }
      continue;
    }
    ++turn;
    const absl::Time start = absl::Now();
    std::optional<double> ttft;
    std::cout << "assistant> " << std::flush;
    absl::StatusOr<sglang::CompletionResponse> response;
    if (options.no_stream) {
      response = client.ContinueSession(session_id, line);
      if (response.ok()) std::cout << response->Text();
    } else {
      response = client.ContinueSessionStream(
          session_id, line, [&](const sglang::CompletionDelta& delta) {
            if (!delta.content.empty()) {
              if (!ttft.has_value()) ttft = absl::ToDoubleSeconds(absl::Now() - start);
              std::cout << delta.content << std::flush;
            }
            return true;
          });
    }
    std::cout << "\n";
    if (!response.ok()) {
      std::cerr << "radixlm chat: " << response.status().message() << "\n";
      return 1;
    }
    std::cout << TurnSummary(turn, *response, ttft, absl::ToDoubleSeconds(absl::Now() - start))
              << "\n";
  }
  return 0;
}

}  // namespace

void AddChatCommand(CLI::App& app) {
  auto options = std::make_shared<ChatOptions>();
  CLI::App* command = app.add_subcommand(
      "chat", "Interactive multi-turn session; prints prompt and cached tokens per turn");
  options->client.Register(*command);
  command->add_option("--system", options->system_prompt, "System prompt of the session");
  command->add_option("--model", options->model, "Model name to request (default: from config)");
  command->add_option("--temperature", options->temperature, "Sampling temperature (0 = greedy)");
  command->add_option("--max-tokens", options->max_tokens, "Reply length limit per turn");
  command->add_flag("--no-stream", options->no_stream, "Wait for whole replies");
  command->callback([options] {
    if (int code = RunChat(*options); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace radixlm::cli
