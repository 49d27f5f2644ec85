// The SGLang Integration Guide's examples, in C++ with radixlm::sglang::Client.
//
//   quickstart --endpoint http://localhost:30000
//
// Runs against any SGLang server (python -m sglang.launch_server ...) or `radixlm serve`.
#include <iostream>
#include <string>
#include <vector>

#include "radixlm/optimization/config.h"
#include "radixlm/sglang/client.h"

int main(int argc, char** argv) {
  std::string endpoint = "http://localhost:30000";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--endpoint") endpoint = argv[i + 1];
  }

  // Client initialization (guide: sglang.NewClient(&sglang.ClientConfig{BaseURL, Timeout})).
  radixlm::sglang::Client client({.base_url = endpoint, .timeout = absl::Seconds(120)});

  // Health check.
  absl::StatusOr<radixlm::sglang::HealthResponse> health = client.Health();
  if (!health.ok()) {
    std::cerr << "SGLang unavailable: " << health.status().message() << "\n";
    return 1;
  }
  std::cout << "Status: " << health->status << "\n";

  // Simple completion.
  absl::StatusOr<std::string> simple = client.CompleteSimple("What is machine learning?");
  if (!simple.ok()) {
    std::cerr << simple.status() << "\n";
    return 1;
  }
  std::cout << *simple << "\n";

  // Completion with a system prompt.
  absl::StatusOr<std::string> with_system =
      client.CompleteWithSystem("You are a helpful assistant.", "Explain quantum computing.");
  if (with_system.ok()) std::cout << *with_system << "\n";

  // Full completion request.
  radixlm::sglang::CompletionRequest request;
  request.messages = {{.role = "system", .content = "You are an expert programmer."},
                      {.role = "user", .content = "Write a Python function to sort a list."}};
  request.temperature = 0.7;
  request.max_tokens = 500;
  request.top_p = 0.9;
  absl::StatusOr<radixlm::sglang::CompletionResponse> response = client.Complete(request);
  if (response.ok() && !response->choices.empty()) {
    std::cout << response->choices[0].message.content << "\n";
  }

  // Sessions: the system prompt is cached once, every turn reuses the whole history.
  absl::StatusOr<radixlm::sglang::Session> session =
      client.CreateSession("session-123", "You are a helpful coding assistant.");
  if (!session.ok()) {
    std::cerr << session.status() << "\n";
    return 1;
  }
  for (const char* question : {"What is Python?", "How do I install it?"}) {
    absl::StatusOr<radixlm::sglang::CompletionResponse> turn =
        client.ContinueSession("session-123", question);
    if (!turn.ok()) {
      std::cerr << turn.status() << "\n";
      return 1;
    }
    std::cout << turn->Text() << "\n  (prompt " << turn->usage.prompt_tokens << " tokens, cached "
              << turn->usage.cached_tokens.value_or(0) << ")\n";
  }
  (void)client.DeleteSession("session-123");

  // Remove sessions unused for 1 hour.
  std::size_t removed = client.CleanupSessions(absl::Hours(1));
  std::cout << "Removed " << removed << " stale sessions\n";

  // Warm one prefix, then several in parallel.
  absl::StatusOr<radixlm::sglang::WarmResult> warm =
      client.WarmPrefix("You are an expert in machine learning and AI.");
  if (warm.ok() && warm->cached) {
    std::cout << "Prefix cached, " << warm->prompt_tokens << " tokens\n";
  }
  std::vector<std::string> prefixes = {"You are a helpful coding assistant.",
                                       "You are an expert in data science.",
                                       "You are a creative writing assistant."};
  for (const auto& outcome : client.WarmPrefixes(prefixes)) {
    if (!outcome.ok()) std::cerr << "warm failed: " << outcome.status() << "\n";
  }

  // The optimization config of the guide, as YAML or as a struct.
  radixlm::optimization::Config config = radixlm::optimization::DefaultConfig();
  config.sglang.enabled = true;
  config.sglang.endpoint = endpoint;
  radixlm::sglang::Client configured(radixlm::optimization::ToClientConfig(config));
  if (!configured.IsAvailable()) {
    // Use a fallback.
    config.sglang.enabled = false;
  }
  return 0;
}
