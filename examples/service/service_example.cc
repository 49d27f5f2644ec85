// The guide's OptimizationService in C++: sessions through a remote SGLang server, with fallback to
// the embedded engine when the server is unreachable.
//
//   service_example --endpoint http://localhost:30000 [--model /path/to/hf-model] [--store s.db]
//
// With no server at the endpoint the turns are answered by the embedded engine (the model given,
// or the built-in demo model), and each turn says which backend served it.
#include <iostream>
#include <string>

#include "radixlm/optimization/config.h"
#include "radixlm/optimization/service.h"

int main(int argc, char** argv) {
  // The guide's optimization.DefaultConfig(), then its YAML keys set in code.
  radixlm::optimization::Config config = radixlm::optimization::DefaultConfig();
  config.sglang.enabled = true;
  config.sglang.endpoint = "http://localhost:30000";
  config.sglang.fallback_on_unavailable = true;
  config.sglang.warm_prefixes = {"You are a helpful coding assistant."};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--endpoint") config.sglang.endpoint = argv[i + 1];
    if (flag == "--model") config.engine.model = argv[i + 1];
    if (flag == "--store") config.sessions.store_path = argv[i + 1];  // sessions survive restarts
  }

  // optimization.NewService(config); or Service::CreateFromFile("radixlm.yaml").
  auto service = radixlm::optimization::Service::Create(config);
  if (!service.ok()) {
    std::cerr << "service: " << service.status().message() << "\n";
    return 1;
  }
  const radixlm::optimization::ServiceStatus status = (*service)->Status();
  std::cout << "serving: " << status.serving << " (" << status.prefixes_warmed
            << " prefixes warmed)\n";

  auto session = (*service)->CreateSession("session-123", "You are a helpful coding assistant.",
                                           /*replace_existing=*/true);
  if (!session.ok()) {
    std::cerr << "session: " << session.status().message() << "\n";
    return 1;
  }
  const radixlm::optimization::TurnOptions options{.max_tokens = 16, .temperature = 0};
  for (const char* question : {"What is Python?", "How do I install it?"}) {
    auto turn = (*service)->ContinueSession("session-123", question, options);
    if (!turn.ok()) {
      std::cerr << "turn: " << turn.status().message() << "\n";
      return 1;
    }
    std::cout << "turn " << turn->turn_number << ": " << turn->cached_tokens << " of "
              << turn->prompt_tokens << " prompt tokens cached, served by " << turn->backend
              << "\n";
  }
  std::cout << "removed idle sessions: " << (*service)->CleanupSessions(absl::Hours(1)) << "\n";
  return 0;
}
