#include "bench/engine/bench_engine.h"

#include <utility>

#include "bench/engine/bench_models.h"

namespace radixlm::bench {

nlohmann::json ToJson(const BenchOptions& options) {
  return {{"shape", options.shape},     {"weights", options.weights},
          {"threads", options.threads}, {"repeats", options.repeats},
          {"page_size", options.page_size},
          {"scale", options.scale},     {"models_dir", options.models_dir},
          {"phase", options.phase}};
}

absl::StatusOr<std::unique_ptr<engine::Engine>> CreateBenchEngine(const BenchOptions& options,
                                                                  bool enable_radix_cache) {
  if (options.weights != "bf16" && options.weights != "int8" && options.weights != "int8-block") {
    return absl::InvalidArgumentError("--weights must be bf16, int8 or int8-block, got " +
                                      options.weights);
  }
  absl::StatusOr<std::filesystem::path> dir =
      EnsureBenchModel(options.models_dir, options.shape, "bf16");
  if (!dir.ok()) return dir.status();
  engine::EngineOptions engine_options;
  engine_options.model_dir = dir->string();
  engine_options.threads = options.threads;
  engine_options.weight_type = options.weights == "bf16" ? "stored" : options.weights;
  engine_options.enable_radix_cache = enable_radix_cache;
  if (options.page_size > 0) engine_options.page_size = options.page_size;
  return engine::Engine::Create(engine_options);
}

engine::GenerateRequest GreedyRequest(std::vector<std::int32_t> input_ids,
                                      std::int64_t max_new_tokens) {
  engine::GenerateRequest request;
  request.input_ids = std::move(input_ids);
  request.sampling.max_new_tokens = max_new_tokens;
  request.sampling.temperature = 0;
  request.sampling.ignore_eos = true;
  return request;
}

}  // namespace radixlm::bench
