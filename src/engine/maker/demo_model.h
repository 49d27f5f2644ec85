// The built-in demo model: the smollm2-135m shape with seeded random weights (bf16, seed 1), made
// by MakeModelFolder() on first use into ${XDG_CACHE_HOME:-~/.cache}/radixlm/demo-model and reused
// from there. `radixlm serve --demo`, `radixlm demo` and the service's embedded engine (with an
// empty optimization.engine.model) all serve this folder.
//
// Making it writes about 270 MB and trains a tokenizer, so it takes a while; it happens only when
// the folder's config.json is missing. The model is written into a temporary sibling folder and
// renamed into place when complete, so a crash mid-write never leaves a half model that a later
// run would take for a finished one.
//
// Thread safety: DemoModelDir() reads the environment, so it must not run concurrently with
// setenv(). Processes may call EnsureDemoModel() at the same time: each makes its own temporary
// folder and the first rename wins; within one process, call it from one thread at a time.
#ifndef RADIXLM_SRC_ENGINE_MAKER_DEMO_MODEL_H_
#define RADIXLM_SRC_ENGINE_MAKER_DEMO_MODEL_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "src/engine/model/random_model.h"

namespace radixlm::engine {

// The shape and seed of the demo model (see ModelShapeNames()).
inline constexpr std::string_view kDemoModelShape = "smollm2-135m";
inline constexpr std::uint64_t kDemoModelSeed = 1;

// DemoModelDir() is where the demo model lives: $XDG_CACHE_HOME/radixlm/demo-model, or
// $HOME/.cache/radixlm/demo-model when XDG_CACHE_HOME is unset or empty (./.cache/... without
// HOME). It does not look at the folder.
std::filesystem::path DemoModelDir();

// EnsureDemoModel() returns DemoModelDir() as a string, first making the model there when its
// config.json is missing. `progress`, if set, is called while the weights are written. Errors
// come from making the model (errno codes for I/O, e.g. a full disk) and name the folder.
//
//   absl::StatusOr<std::string> dir = radixlm::engine::EnsureDemoModel();
//   if (!dir.ok()) return dir.status();
//   options.model_dir = *dir;
absl::StatusOr<std::string> EnsureDemoModel(const WriteProgressCallback& progress = {});

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MAKER_DEMO_MODEL_H_
