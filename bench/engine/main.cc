// radixlm_bench: the figures of docs/PERFORMANCE.md, measured through the public Engine API.
//
//   radixlm_bench model --shape llama-1b --weights int8      # prefill, decode b1/b8, TTFT, RSS
//   radixlm_bench multi-turn [--scale 0.25]                  # the workloads of
//   radixlm_bench fanout [--scale 0.25]                      #   ../shared/workloads/README.md,
//   radixlm_bench decode-batching                            #   cache on and off in one run
//   radixlm_bench radix-attention [--scale 0.25]             # the three above, one report
//   radixlm_bench make-model --shape llama-1b                # print the model folder (make it)
//
// Output is markdown on stdout (and JSON with --json FILE). Models are made on first use into
// --models-dir. The shared machines are noisy: compare figures only as ratios within one run.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "CLI/CLI.hpp"
#include "bench/engine/bench_engine.h"
#include "bench/engine/bench_models.h"
#include "bench/engine/decode_batching_bench.h"
#include "bench/engine/fanout_bench.h"
#include "bench/engine/machine_info.h"
#include "bench/engine/model_bench.h"
#include "bench/engine/multi_turn_bench.h"

namespace radixlm::bench {
namespace {

// The workload shapes; the prompt ids (token_prompts.h) lie inside both vocabularies, not inside
// the 512-token "tiny" shape's.
const CLI::IsMember kShapes({"smollm2-135m", "llama-1b"});

void AddCommonOptions(CLI::App& command, BenchOptions& options) {
  command.add_option("--shape", options.shape, "smollm2-135m | llama-1b")
      ->capture_default_str()
      ->check(kShapes);
  command.add_option("--weights", options.weights, "bf16 | int8 | int8-block")
      ->capture_default_str();
  command.add_option("--threads", options.threads, "kernel threads (0: one per core)")
      ->capture_default_str();
  command.add_option("--models-dir", options.models_dir, "where benchmark models are made")
      ->capture_default_str();
  command.add_option("--repeats", options.repeats, "runs per measurement (median reported)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command.add_option("--page-size", options.page_size, "KV page size (0: the engine's default)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  command.add_option("--json", options.json_path, "also write the report as JSON to this file");
}

void AddScaleOption(CLI::App& command, BenchOptions& options) {
  command
      .add_option("--scale", options.scale,
                  "share of the workload's sessions / prompts per group to run (0, 1]")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
}

int Scaled(int count, double scale) {
  return std::max(1, static_cast<int>(std::lround(count * scale)));
}

int Finish(const absl::Status& status, const BenchOptions& options, nlohmann::json& report) {
  if (!status.ok()) {
    std::fprintf(stderr, "radixlm_bench: %s\n", status.ToString().c_str());
    return 1;
  }
  report["options"] = ToJson(options);
  report["load_average_end"] = LoadAverage();
  std::printf("_Load average at the end: %s._\n", LoadAverage().c_str());
  if (!options.json_path.empty()) {
    std::ofstream file(options.json_path);
    file << report.dump(2) << "\n";
    if (!file) {
      std::fprintf(stderr, "radixlm_bench: cannot write %s\n", options.json_path.c_str());
      return 1;
    }
  }
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"radixlm_bench: engine and RadixAttention workload benchmarks"};
  app.require_subcommand(1);
  BenchOptions options;
  MultiTurnParams multi_turn;
  FanoutParams fanout;
  DecodeBatchingParams decode_batching;

  CLI::App* model = app.add_subcommand("model", "prefill/decode tokens/s, TTFT, peak RSS");
  AddCommonOptions(*model, options);
  model->add_option("--phase", options.phase, "all | prefill | decode (to profile one phase)")
      ->capture_default_str()
      ->check(CLI::IsMember({"all", "prefill", "decode"}));
  CLI::App* turns = app.add_subcommand("multi-turn", "multi-turn chat, cache on vs off");
  AddCommonOptions(*turns, options);
  AddScaleOption(*turns, options);
  turns->add_option("--reference-repeats", multi_turn.reference_repeats,
                    "runs of each cached turn's new tokens alone (the TTFT reference)")
      ->check(CLI::PositiveNumber);
  turns->add_option("--in-flight", multi_turn.in_flight, "sessions running at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI::App* fan = app.add_subcommand("fanout", "shared-prefix fan-out, cache on vs off");
  AddCommonOptions(*fan, options);
  AddScaleOption(*fan, options);
  fan->add_option("--concurrency", fanout.concurrency, "closed-loop clients per level")
      ->capture_default_str();
  CLI::App* batching = app.add_subcommand("decode-batching", "aggregate decode tokens/s by batch");
  AddCommonOptions(*batching, options);
  batching->add_option("--batches", decode_batching.batches, "batch sizes")->capture_default_str();
  CLI::App* radix = app.add_subcommand(
      "radix-attention",
      "issue 4's three workloads in one run: multi-turn, fan-out, decode batching");
  AddCommonOptions(*radix, options);
  AddScaleOption(*radix, options);
  CLI::App* make = app.add_subcommand("make-model", "make the benchmark model, print its folder");
  make->add_option("--shape", options.shape, "smollm2-135m | llama-1b")
      ->capture_default_str()
      ->check(kShapes);
  make->add_option("--models-dir", options.models_dir, "where benchmark models are made")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (make->parsed()) {
    absl::StatusOr<std::filesystem::path> dir =
        EnsureBenchModel(options.models_dir, options.shape, "bf16");
    if (!dir.ok()) {
      std::fprintf(stderr, "radixlm_bench: %s\n", dir.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n", dir->c_str());
    return 0;
  }

  const MachineInfo machine = CurrentMachine();
  nlohmann::json report = {{"machine", ToJson(machine)}};
  std::printf("## radixlm_bench %s\n\n", app.get_subcommands().front()->get_name().c_str());
  PrintMachineHeader(machine);
  absl::Status status;
  if (model->parsed()) {
    status = RunModelBench(options, report);
  } else if (turns->parsed()) {
    multi_turn.sessions = Scaled(multi_turn.sessions, options.scale);
    status = RunMultiTurnBench(options, multi_turn, report);
  } else if (fan->parsed()) {
    fanout.prompts_per_group = Scaled(fanout.prompts_per_group, options.scale);
    status = RunFanoutBench(options, fanout, report);
  } else if (radix->parsed()) {
    multi_turn.sessions = Scaled(multi_turn.sessions, options.scale);
    fanout.prompts_per_group = Scaled(fanout.prompts_per_group, options.scale);
    status = RunMultiTurnBench(options, multi_turn, report);
    if (status.ok()) status = RunFanoutBench(options, fanout, report);
    if (status.ok()) status = RunDecodeBatchingBench(options, decode_batching, report);
  } else {
    status = RunDecodeBatchingBench(options, decode_batching, report);
  }
  return Finish(status, options, report);
}

}  // namespace
}  // namespace radixlm::bench

int main(int argc, char** argv) { return radixlm::bench::Main(argc, argv); }
