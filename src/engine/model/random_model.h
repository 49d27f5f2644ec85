// Writing model folders with seeded random weights, for `radixlm model make`.
//
// WriteRandomModel() writes what save_pretrained writes for a Llama-family model: config.json,
// generation_config.json and model.safetensors — or, when the weights exceed
// RandomModelOptions::max_shard_bytes, model-00001-of-0000N.safetensors shards plus
// model.safetensors.index.json. It writes no tokenizer files; the tokenizer is made separately and
// its vocabulary size and special token ids are passed in through RandomModelOptions.
//
// Weights: linear weights and biases ~ N(0, 0.02²); norm weights 1 + N(0, 0.1²), so that a norm
// applied wrongly shows in the output. The normal variates are Irwin–Hall sums of four uniform
// 16-bit integers (bounded at ±3.46σ) computed with integer arithmetic and one IEEE multiply, so
// the same seed gives the same bytes on every machine and compiler. Each tensor draws from its own
// stream, seeded by the seed and the tensor's name, so its values do not depend on sharding.
//
// Thread safety: WriteRandomModel() may run concurrently for different folders.
#ifndef RADIXLM_SRC_ENGINE_MODEL_RANDOM_MODEL_H_
#define RADIXLM_SRC_ENGINE_MODEL_RANDOM_MODEL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/engine/model/dtype.h"
#include "src/engine/model/model_config.h"

namespace radixlm::engine {

// ModelShape is a named model configuration to instantiate.
struct ModelShape {
  std::string name;
  ModelConfig config;
};

// ModelShapeNames() lists the built-in shapes: "tiny", "smollm2-135m", "llama-1b".
std::vector<std::string> ModelShapeNames();

// FindModelShape() returns the built-in shape called `name`; NotFound listing the names otherwise.
//   tiny          Llama, hidden 64, 2 layers, 4 heads / 2 KV heads (head_dim 16), intermediate 128,
//                 vocab 512, untied lm_head, θ 10000, 2048 positions, bos 1, eos 2
//   smollm2-135m  SmolLM2-135M: hidden 576, 30 layers, 9 / 3 heads, intermediate 1536, vocab 49152,
//                 tied, θ 100000, 8192 positions, rms eps 1e-5, bos 0, eos 0
//   llama-1b      Llama-3.2-1B: hidden 2048, 16 layers, 32 / 8 heads, head_dim 64, intermediate
//                 8192, vocab 128256, tied, θ 500000 with llama3 scaling (factor 32, low 1, high 4,
//                 original 8192), 131072 positions, bos 128000, eos 128001
absl::StatusOr<ModelShape> FindModelShape(std::string_view name);

// RandomModelOptions says how to instantiate a shape.
struct RandomModelOptions {
  DType dtype = DType::kBF16;  // kF32, kF16 or kBF16 (int8 is a load-time choice, not a file type)
  std::uint64_t seed = 0;
  // Override the shape's vocabulary and special tokens to match a separately trained tokenizer.
  // The ids must lie inside the (possibly overridden) vocabulary.
  std::optional<std::int64_t> vocab_size;
  std::optional<std::int64_t> bos_token_id;
  std::vector<std::int64_t> eos_token_ids;  // empty: keep the shape's
  // Weights larger than this are split into shards of at most this size (a tensor larger than the
  // limit gets a shard of its own).
  std::uint64_t max_shard_bytes = std::uint64_t{2} << 30;
  // Replace the model files of a folder that already holds a model. Tokenizer files and other
  // files are never touched.
  bool overwrite = false;
};

// WriteProgress reports how far WriteRandomModel() has come.
struct WriteProgress {
  std::string file;                 // the weight file being written
  std::uint64_t bytes_written = 0;  // over all weight files
  std::uint64_t total_bytes = 0;
};
using WriteProgressCallback = std::function<void(const WriteProgress&)>;

// WriteRandomModel() creates `dir` if needed and writes the model into it. FailedPrecondition when
// `dir` already holds config.json or weights and `options.overwrite` is false; InvalidArgument for
// an invalid shape, override or non-float dtype; errno codes for I/O failures. `progress`, if set,
// is called after every few MiB written.
absl::Status WriteRandomModel(const ModelShape& shape, const RandomModelOptions& options,
                              const std::string& dir, const WriteProgressCallback& progress = {});

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_RANDOM_MODEL_H_
