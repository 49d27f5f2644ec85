// `radixlm serve --model DIR | --demo`: the embedded engine behind SGLang's HTTP API
// (docs/SERVER.md). Prints one "radixlm serve: listening on http://HOST:PORT (...)" line on
// stdout when ready (tests and scripts wait for it; --port 0 picks a free port), and shuts down
// gracefully on SIGINT/SIGTERM with exit status 0.
#include <pthread.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>

#include "radixlm/engine/engine.h"
#include "radixlm/optimization/config.h"
#include "radixlm/optimization/service.h"
#include "src/cli/commands.h"
#include "src/cli/progress_bar.h"
#include "src/common/strings.h"
#include "src/engine/maker/demo_model.h"
#include "src/server/server.h"

namespace radixlm::cli {
namespace {

struct ServeOptions {
  std::string model;
  bool demo = false;
  std::string host = "127.0.0.1";
  int port = 30000;
  std::string api_key;
  std::int64_t context_length = 0;
  int max_running_requests = 32;
  int max_queued_requests = 1024;
  std::int64_t chunked_prefill_size = 512;
  std::string schedule_policy = "lpm";
  bool disable_radix_cache = false;
  int page_size = 16;
  std::int64_t max_kv_tokens = 0;
  double mem_fraction_static = 0;
  bool enable_cache_report = true;
  int threads = 0;
  int io_threads = 2;
  std::string weight_type = "stored";
  std::string kv_cache_dtype = "bf16";
  std::string served_model_name;
  std::uint64_t random_seed = 0;
  std::size_t max_request_bytes = std::size_t{32} << 20;
  std::string config_path;
};

[[noreturn]] void Fail(std::string_view message, int code = 1) {
  std::cerr << "radixlm serve: " << message << "\n";
  throw CLI::RuntimeError(code);
}

// The demo model's folder, made first (with a message and a progress bar) when it is missing.
std::string DemoModelWithProgress() {
  const std::filesystem::path dir = engine::DemoModelDir();
  std::error_code error;
  if (!std::filesystem::exists(dir / "config.json", error)) {
    std::cerr << "radixlm serve: making the demo model (" << engine::kDemoModelShape
              << " shape, random weights) in " << dir.string() << "\n";
  }
  ProgressBar bar("writing weights");
  absl::StatusOr<std::string> made =
      engine::EnsureDemoModel([&bar](const engine::WriteProgress& progress) {
        bar.Update(progress.bytes_written, progress.total_bytes);
      });
  bar.Finish();
  if (!made.ok()) Fail(ToStd(made.status().message()));
  return *made;
}

// Free memory the kernel reports (MemAvailable), for --mem-fraction-static.
std::int64_t AvailableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::int64_t kilobytes = 0;
  std::string unit;
  while (meminfo >> key >> kilobytes >> unit) {
    if (key == "MemAvailable:") return kilobytes * 1024;
  }
  return 0;
}

void Serve(const ServeOptions& options) {
  if (options.demo == !options.model.empty()) Fail("give exactly one of --model DIR and --demo", 2);
  engine::EngineOptions engine_options;
  engine_options.model_dir = options.demo ? DemoModelWithProgress() : options.model;
  engine_options.served_model_name = options.served_model_name;
  engine_options.threads = options.threads;
  engine_options.weight_type = options.weight_type;
  engine_options.kv_cache_dtype = options.kv_cache_dtype;
  engine_options.page_size = options.page_size;
  engine_options.max_kv_tokens = options.max_kv_tokens;
  if (options.mem_fraction_static > 0) {
    if (options.mem_fraction_static >= 1) Fail("--mem-fraction-static must be in (0, 1)", 2);
    engine_options.max_kv_memory_bytes = static_cast<std::int64_t>(
        options.mem_fraction_static * static_cast<double>(AvailableMemoryBytes()));
  }
  engine_options.context_length = options.context_length;
  engine_options.max_running_requests = options.max_running_requests;
  engine_options.max_queued_requests = options.max_queued_requests;
  engine_options.chunked_prefill_size = options.chunked_prefill_size;
  engine_options.schedule_policy = options.schedule_policy == "fcfs"
                                       ? engine::SchedulePolicy::kFcfs
                                       : engine::SchedulePolicy::kLongestPrefix;
  engine_options.enable_radix_cache = !options.disable_radix_cache;
  engine_options.random_seed = options.random_seed;

  // Signals are taken by sigwait() below; block them before any thread exists so that every
  // engine and I/O thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::cerr << "radixlm serve: loading " << engine_options.model_dir << "\n";
  absl::StatusOr<std::unique_ptr<engine::Engine>> engine = engine::Engine::Create(engine_options);
  if (!engine.ok()) Fail(ToStd(engine.status().message()));

  // --config: the optimization service over this server's engine — it warms the config's
  // prefixes before the port opens and adds its series to /metrics.
  std::unique_ptr<optimization::Service> service;
  if (!options.config_path.empty()) {
    absl::StatusOr<optimization::Config> config = optimization::LoadConfigFile(options.config_path);
    if (!config.ok()) Fail(ToStd(config.status().message()), 2);
    // The server is the backend here; remote endpoints are for clients of the service.
    config->sglang.enabled = false;
    absl::StatusOr<std::unique_ptr<optimization::Service>> created =
        optimization::Service::Create(*config, {.embedded_engine = engine->get()});
    if (!created.ok()) Fail(ToStd(created.status().message()));
    service = *std::move(created);
    const optimization::ServiceStatus status = service->Status();
    std::cerr << "radixlm serve: warmed " << status.prefixes_warmed << " of "
              << config->sglang.warm_prefixes.size() << " prefixes from " << options.config_path
              << "\n";
  }

  server::ServeSettings settings;
  if (service != nullptr) {
    settings.extra_metrics = [&service] { return service->MetricsText(); };
  }
  settings.host = options.host;
  settings.port = options.port;
  settings.api_key = options.api_key;
  settings.io_threads = options.io_threads;
  settings.max_body_bytes = options.max_request_bytes;
  absl::StatusOr<std::unique_ptr<server::Server>> server =
      server::Server::Start(**engine, settings);
  if (!server.ok()) Fail(ToStd(server.status().message()));

  const engine::EngineModelInfo& info = (*engine)->model_info();
  const std::string host_text =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::cout << "radixlm serve: listening on http://" << host_text << ":" << (*server)->port()
            << " (model "
            << (info.served_model_name.empty() ? info.model_path : info.served_model_name) << ", "
            << info.max_kv_tokens << " KV tokens)" << std::endl;
  if (options.demo) {
    std::cerr << "radixlm serve: the demo model has random weights, so its text is gibberish; "
                 "serve a real checkpoint with --model DIR (a Hugging Face Llama/Qwen folder)\n";
  }

  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "radixlm serve: " << (received == SIGINT ? "SIGINT" : "SIGTERM")
            << ", shutting down\n";
  (*server)->Shutdown();
  server->reset();
  service.reset();
  engine->reset();
  std::cerr << "radixlm serve: stopped\n";
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Serve a model over SGLang's HTTP API (OpenAI-compatible routes, /generate, "
      "sessions, /metrics)");
  serve->add_option("--model,--model-path", options->model, "Hugging Face model folder");
  serve->add_flag("--demo", options->demo,
                  "Serve the built-in demo model (made on first use; random weights)");
  serve->add_option("--config", options->config_path,
                    "YAML config: warm its optimization.sglang.warm_prefixes at start and add "
                    "the optimization service's radixlm_service_* series to /metrics");
  serve->add_option("--host", options->host, "Address to bind")->capture_default_str();
  serve->add_option("--port", options->port, "Port to bind; 0 picks a free one")
      ->capture_default_str();
  serve->add_option("--api-key", options->api_key,
                    "Require 'Authorization: Bearer KEY' (except /health* and /metrics)");
  serve->add_option("--context-length", options->context_length,
                    "Longest prompt + output (default: the model's)");
  serve
      ->add_option("--max-running-requests", options->max_running_requests,
                   "Requests decoding at once")
      ->capture_default_str();
  serve
      ->add_option("--max-queued-requests", options->max_queued_requests,
                   "Waiting requests beyond which new ones get 503")
      ->capture_default_str();
  serve
      ->add_option("--chunked-prefill-size", options->chunked_prefill_size,
                   "Prompt tokens prefilled per step")
      ->capture_default_str();
  serve->add_option("--schedule-policy", options->schedule_policy, "lpm | fcfs")
      ->check(CLI::IsMember({"lpm", "fcfs"}))
      ->capture_default_str();
  serve->add_flag("--disable-radix-cache", options->disable_radix_cache,
                  "Compute every prompt from scratch (the cache-off baseline)");
  serve->add_option("--page-size", options->page_size, "Tokens per KV page (1..64)")
      ->capture_default_str();
  serve->add_option("--max-kv-tokens,--max-total-tokens", options->max_kv_tokens,
                    "KV pool size in tokens (default: a 1 GiB budget)");
  serve->add_option("--mem-fraction-static", options->mem_fraction_static,
                    "KV pool budget as a fraction of the memory available at start");
  serve->add_flag("--enable-cache-report", options->enable_cache_report,
                  "Accepted for SGLang compatibility; cached_tokens is always reported");
  serve->add_option("--threads", options->threads, "Kernel threads (0: one per core)")
      ->capture_default_str();
  serve->add_option("--io-threads", options->io_threads, "HTTP I/O threads")->capture_default_str();
  serve->add_option("--weight-type", options->weight_type, "stored | int8 | int8-block")
      ->check(CLI::IsMember({"stored", "int8", "int8-block"}))
      ->capture_default_str();
  serve->add_option("--kv-cache-dtype", options->kv_cache_dtype, "bf16 | f32")
      ->check(CLI::IsMember({"bf16", "f32"}))
      ->capture_default_str();
  serve->add_option("--served-model-name", options->served_model_name,
                    "Model name reported to clients (default: the folder's)");
  serve->add_option("--random-seed", options->random_seed, "Seed for requests without one")
      ->capture_default_str();
  serve
      ->add_option("--max-request-bytes", options->max_request_bytes,
                   "Largest request body; larger ones get 413")
      ->capture_default_str();
  serve->callback([options] { Serve(*options); });
}

}  // namespace radixlm::cli
