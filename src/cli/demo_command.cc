// `radixlm demo`: the README's first command. Starts `radixlm serve` (the built-in demo model, or
// --model DIR) on a free loopback port, runs a scripted multi-turn session through our own client,
// prints per turn the prompt tokens, the cached tokens and the time to first token, then runs the
// same session against a server with the radix cache disabled and compares the two.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "fmt/format.h"
#include "radixlm/sglang/client.h"
#include "src/cli/commands.h"
#include "src/cli/server_process.h"
#include "src/engine/maker/demo_model.h"

namespace radixlm::cli {
namespace {

struct DemoOptions {
  std::string model;  // empty: the built-in demo model
  int turns = 5;
  std::int64_t max_tokens = 32;
  int threads = 0;
  bool skip_baseline = false;
};

constexpr std::string_view kSystemPrompt =
    "You are a patient and precise assistant for a team that builds applications on top of large "
    "language models. Answer in plain English, keep every answer short, and when a question is "
    "about performance, explain which part of the work is repeated between requests and which "
    "part is new. Prefer concrete numbers to adjectives, say when you are unsure, and never invent "
    "benchmark results. The team runs a chat product in which every conversation starts with the "
    "same long instructions, so the cost of the first tokens of every request matters to them.";

constexpr std::string_view kUserTurns[] = {
    "What does a prefix cache store, in one sentence?",
    "Why does the second message of a chat cost less than the first?",
    "What happens to the cache when the server runs out of memory?",
    "How would you measure the time to first token of a request?",
    "Summarize our conversation in two sentences.",
    "Which requests benefit most from sharing a system prompt?",
    "What is continuous batching?",
    "Thank you, that is all.",
};

struct TurnRecord {
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;
  double ttft_seconds = 0;
  std::string reply;
};

std::string Shorten(std::string text, std::size_t limit) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return text.substr(0, cut) + "…";
}

// Runs the scripted session against one server; prints a row per turn.
absl::StatusOr<std::vector<TurnRecord>> RunSession(const std::string& base_url,
                                                   const DemoOptions& options) {
  sglang::ClientConfig config;
  config.base_url = base_url;
  config.timeout = absl::Minutes(10);
  sglang::Client client(config);
  sglang::SessionOptions session_options;
  session_options.request_template.temperature = 0.0;
  session_options.request_template.max_tokens = options.max_tokens;
  session_options.request_template.extra["ignore_eos"] = true;  // every reply the same length
  absl::StatusOr<sglang::Session> session =
      client.CreateSession("demo", kSystemPrompt, session_options);
  if (!session.ok()) return session.status();
  std::cout << fmt::format("  {:>4}  {:>7}  {:>7}  {:>8}  {:>9}   {}\n", "turn", "prompt", "cached",
                           "computed", "TTFT", "reply (first words)");
  std::vector<TurnRecord> turns;
  const int count = std::min<int>(options.turns, static_cast<int>(std::size(kUserTurns)));
  for (int turn = 0; turn < count; ++turn) {
    const absl::Time start = absl::Now();
    std::optional<absl::Time> first_token;
    absl::StatusOr<sglang::CompletionResponse> response = client.ContinueSessionStream(
        "demo", kUserTurns[turn], [&](const sglang::CompletionDelta&) {
          if (!first_token.has_value()) first_token = absl::Now();
          return true;
        });
    if (!response.ok()) return response.status();
    TurnRecord record;
    record.prompt_tokens = response->usage.prompt_tokens;
    record.cached_tokens = response->usage.cached_tokens.value_or(0);
    record.ttft_seconds = absl::ToDoubleSeconds(first_token.value_or(absl::Now()) - start);
    record.reply = response->Text();
    std::cout << fmt::format("  {:>4}  {:>7}  {:>7}  {:>8}  {:>7.3f} s   {}\n", turn + 1,
                             record.prompt_tokens, record.cached_tokens,
                             record.prompt_tokens - record.cached_tokens, record.ttft_seconds,
                             record.reply.empty() ? "(no text)" : Shorten(record.reply, 40))
              << std::flush;
    turns.push_back(std::move(record));
  }
  return turns;
}

std::vector<std::string> ServeArgs(const DemoOptions& options, bool cache) {
  std::vector<std::string> args;
  if (options.model.empty()) {
    args.push_back("--demo");
  } else {
    args.insert(args.end(), {"--model", options.model});
  }
  if (options.threads > 0) args.insert(args.end(), {"--threads", std::to_string(options.threads)});
  if (!cache) args.push_back("--disable-radix-cache");
  return args;
}

absl::StatusOr<std::vector<TurnRecord>> RunAgainstNewServer(const DemoOptions& options,
                                                            bool cache) {
  absl::StatusOr<ServerProcess> server =
      ServerProcess::Start(ServeArgs(options, cache), absl::Minutes(15));
  if (!server.ok()) return server.status();
  std::cout << fmt::format("\nradix cache {}: radixlm serve at {}\n", cache ? "ON" : "OFF",
                           server->base_url());
  absl::StatusOr<std::vector<TurnRecord>> turns = RunSession(server->base_url(), options);
  absl::Status stopped = server->Stop();
  if (!turns.ok()) return turns.status();
  if (!stopped.ok()) return stopped;
  return turns;
}

int RunDemo(const DemoOptions& options) {
  std::cout << "radixlm demo: a " << options.turns
            << "-turn chat session through radixlm's client against radixlm serve, first with "
               "the radix prefix cache, then without it.\n";
  absl::StatusOr<std::vector<TurnRecord>> cached = RunAgainstNewServer(options, true);
  if (!cached.ok()) {
    std::cerr << "radixlm demo: " << cached.status().message() << "\n";
    return 1;
  }
  std::int64_t prompt = 0;
  std::int64_t hit = 0;
  double ttft_on = 0;
  for (const TurnRecord& turn : *cached) {
    prompt += turn.prompt_tokens;
    hit += turn.cached_tokens;
    ttft_on += turn.ttft_seconds;
  }
  std::cout << fmt::format(
      "\nWith the cache, the session computed {} of its {} prompt tokens ({:.0f}%); the rest "
      "came from the radix tree.\n",
      prompt - hit, prompt, prompt > 0 ? 100.0 * static_cast<double>(prompt - hit) / prompt : 0.0);
  if (!options.skip_baseline) {
    absl::StatusOr<std::vector<TurnRecord>> uncached = RunAgainstNewServer(options, false);
    if (!uncached.ok()) {
      std::cerr << "radixlm demo: " << uncached.status().message() << "\n";
      return 1;
    }
    double ttft_off = 0;
    std::int64_t computed_off = 0;
    for (const TurnRecord& turn : *uncached) {
      ttft_off += turn.ttft_seconds;
      computed_off += turn.prompt_tokens - turn.cached_tokens;
    }
    std::cout << fmt::format(
        "\nSummary: cache on computed {} prompt tokens, cache off {} ({:.1f}× more); time to first "
        "token summed over the turns: {:.3f} s on vs {:.3f} s off ({:.1f}× faster with the "
        "cache).\n",
        prompt - hit, computed_off,
        prompt - hit > 0 ? static_cast<double>(computed_off) / static_cast<double>(prompt - hit)
                         : 0.0,
        ttft_on, ttft_off, ttft_on > 0 ? ttft_off / ttft_on : 0.0);
  }
  if (options.model.empty()) {
    std::cout << fmt::format(
        "\nThe demo model has random weights (the {} shape, made by `radixlm model make`), so its "
        "replies are gibberish or empty (most of its 49152 token ids have no text in its small "
        "trained tokenizer); the token counts and timings are real. To see real text, point it at "
        "a Hugging Face Llama, Mistral, Qwen2 or Qwen3 checkpoint folder:\n"
        "  radixlm demo --model /path/to/SmolLM2-135M-Instruct\n",
        engine::kDemoModelShape);
  }
  return 0;
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* command = app.add_subcommand(
      "demo",
      "Serve a model, run a multi-turn session, show cached tokens per turn, cache on vs off");
  command->add_option("--model", options->model,
                      "Hugging Face model folder (default: the built-in demo model)");
  command->add_option("--turns", options->turns, "Turns of the session (1-8)")
      ->check(CLI::Range(1, 8));
  command->add_option("--max-tokens", options->max_tokens, "Reply length per turn")
      ->check(CLI::Range(1, 4096));
  command->add_option("--threads", options->threads, "Kernel threads of the server (0: all cores)");
  command->add_flag("--no-baseline", options->skip_baseline,
                    "Skip the comparison run with the radix cache disabled");
  command->callback([options] {
    if (int code = RunDemo(*options); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace radixlm::cli
