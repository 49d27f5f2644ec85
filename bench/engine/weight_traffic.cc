#include "bench/engine/weight_traffic.h"

#include <fstream>

#include "nlohmann/json.hpp"
#include "src/engine/kernels/dtype.h"

namespace radixlm::bench {
namespace {

using engine::kInt8BlockSize;

std::int64_t MatrixBytes(std::int64_t rows, std::int64_t cols, const std::string& weights) {
  if (weights == "bf16") return rows * cols * 2;
  const std::int64_t padded = (cols + kInt8BlockSize - 1) / kInt8BlockSize * kInt8BlockSize;
  const std::int64_t scales_per_row = weights == "int8-block" ? padded / kInt8BlockSize : 1;
  return rows * padded + rows * scales_per_row * static_cast<std::int64_t>(sizeof(float));
}

}  // namespace

absl::StatusOr<std::int64_t> WeightBytesPerToken(const std::filesystem::path& model_dir,
                                                 const std::string& weights) {
  std::ifstream file(model_dir / "config.json");
  if (!file) return absl::NotFoundError("cannot read " + (model_dir / "config.json").string());
  const nlohmann::json config = nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) {
    return absl::InvalidArgumentError((model_dir / "config.json").string() + " is not JSON");
  }
  const std::int64_t hidden = config.value("hidden_size", std::int64_t{0});
  const std::int64_t heads = config.value("num_attention_heads", std::int64_t{0});
  const std::int64_t kv_heads = config.value("num_key_value_heads", heads);
  const std::int64_t head_dim = config.value("head_dim", heads > 0 ? hidden / heads : 0);
  const std::int64_t intermediate = config.value("intermediate_size", std::int64_t{0});
  const std::int64_t layers = config.value("num_hidden_layers", std::int64_t{0});
  const std::int64_t vocab = config.value("vocab_size", std::int64_t{0});
  if (hidden <= 0 || heads <= 0 || intermediate <= 0 || layers <= 0 || vocab <= 0) {
    return absl::InvalidArgumentError((model_dir / "config.json").string() +
                                      " lacks the Llama shape fields");
  }
  const std::int64_t per_layer = MatrixBytes(heads * head_dim, hidden, weights) +         // q
                                 2 * MatrixBytes(kv_heads * head_dim, hidden, weights) +  // k, v
                                 MatrixBytes(hidden, heads * head_dim, weights) +         // o
                                 2 * MatrixBytes(intermediate, hidden, weights) +  // gate, up
                                 MatrixBytes(hidden, intermediate, weights);       // down
  return layers * per_layer + MatrixBytes(vocab, hidden, weights);
}

}  // namespace radixlm::bench
