// MakeModelFolder: writes a complete Hugging Face model folder — config.json,
// generation_config.json, safetensors weights, tokenizer.json, tokenizer_config.json with a chat
// template — for one of the named shapes (tiny, smollm2-135m, llama-1b), with seeded random
// weights and a byte-level BPE tokenizer trained by our own trainer on the English corpus we ship.
//
// The weights are random, so the model's text is gibberish; everything else (formats, shapes,
// tokenizer, template, cache behaviour, speed) is what a real checkpoint of that shape has. This is
// the built-in demo model and the test model of every engine and server test.
#ifndef RADIXLM_SRC_ENGINE_MAKER_MODEL_MAKER_H_
#define RADIXLM_SRC_ENGINE_MAKER_MODEL_MAKER_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "src/engine/kernels/dtype.h"
#include "src/engine/model/random_model.h"

namespace radixlm::engine {

struct MakeModelOptions {
  std::string shape = "tiny";
  DType dtype = DType::kBF16;
  std::uint64_t seed = 0;
  // Replace a model already in the folder.
  bool overwrite = false;
};

absl::Status MakeModelFolder(const MakeModelOptions& options, const std::filesystem::path& dir,
                             const WriteProgressCallback& progress = {});

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MAKER_MODEL_MAKER_H_
