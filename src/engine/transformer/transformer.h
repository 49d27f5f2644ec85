// Transformer: the forward pass of a Llama-family decoder (Llama, Mistral, Qwen2, Qwen3) over a
// batch that mixes prefill chunks and decode tokens of many sequences, reading and writing a paged
// KV cache.
//
// Per layer, on f32 activations: RMSNorm → Q/K/V projections (+bias for Qwen2) → per-head Q/K
// RMSNorm (Qwen3) → RoPE (rotate-half) → store K/V → causal GQA attention over the sequence's pages
// → output projection → residual; RMSNorm → gate/up → silu(gate)·up → down → residual. Then the
// final RMSNorm and the LM head for the last new tokens of each sequence that asks for logits.
//
// Weights stay in their stored precision (views into the mmap'd checkpoint) or are quantized to
// int8 once at creation. Every buffer is allocated at creation for up to `max_batch_tokens` tokens
// per step, so Forward() allocates nothing.
//
// Thread safety: Forward() must not run concurrently with itself (one scheduler loop owns it).
#ifndef RADIXLM_SRC_ENGINE_TRANSFORMER_TRANSFORMER_H_
#define RADIXLM_SRC_ENGINE_TRANSFORMER_TRANSFORMER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/kernels/dtype.h"
#include "src/engine/kernels/elementwise.h"
#include "src/engine/kernels/packed_weights.h"
#include "src/engine/kernels/thread_pool.h"
#include "src/engine/model/model_config.h"
#include "src/engine/model/model_weights.h"
#include "src/engine/transformer/kv_cache.h"

namespace radixlm::engine {

struct TransformerOptions {
  // How linear-layer weights are kept: their stored float type (kF32/kF16/kBF16 are all
  // "stored": the checkpoint's own type is used), or quantized at load (kInt8, kInt8Block).
  bool quantize = false;
  DType quantized_type = DType::kInt8;
  // KV cache element type (kBF16 or kF32) and geometry.
  DType kv_dtype = DType::kBF16;
  std::int64_t page_size = 16;
  std::int64_t num_pages = 0;
  // Upper bound on tokens in one Forward() call (prefill chunk + decode tokens).
  std::int64_t max_batch_tokens = 512;
  // Upper bound on sequences in one Forward() call.
  std::int64_t max_batch_sequences = 64;
  // Longest position the RoPE table covers.
  std::int64_t max_positions = 4096;
  // Called with each linear-layer tensor once it has been packed (the packed copy owns its data);
  // the engine drops the tensor's mmap'd file pages here, so the weights are not resident twice.
  std::function<void(const TensorView&)> on_tensor_packed;
};

// One sequence's part of a step.
struct ForwardSequence {
  // Tokens to run; their K/V are written at positions start_position, start_position + 1, ...
  std::span<const std::int32_t> tokens;
  // Tokens of this sequence already in the KV cache.
  std::int64_t start_position = 0;
  // Logical page → physical page, covering positions [0, start_position + tokens.size()).
  std::span<const std::int32_t> page_table;
  // Compute the logits of this many of the last tokens: 1 to sample the next token, 0 for a
  // mid-prompt prefill chunk, more for prompt log probabilities.
  std::int64_t logit_rows = 1;
};

class Transformer {
 public:
  static absl::StatusOr<std::unique_ptr<Transformer>> Create(const ModelConfig& config,
                                                             const ModelWeights& weights,
                                                             const TransformerOptions& options,
                                                             ThreadPool* pool);
  ~Transformer();
  Transformer(const Transformer&) = delete;
  Transformer& operator=(const Transformer&) = delete;

  // Runs one step. `logits` receives vocab_size() floats per logit row, sequence by sequence, in
  // order. kInvalidArgument when the batch exceeds the limits given at creation.
  absl::Status Forward(std::span<const ForwardSequence> batch, std::span<float> logits);

  std::int64_t vocab_size() const { return config_.vocab_size; }
  const ModelConfig& config() const { return config_; }
  const KvCache& kv_cache() const { return kv_cache_; }
  // See KvCache::CopySlots().
  void CopyKvSlots(std::int64_t from_page, std::int64_t to_page, std::int64_t slots) {
    kv_cache_.CopySlots(from_page, to_page, slots);
  }
  const TransformerOptions& options() const { return options_; }
  // Bytes of weights the kernels stream per token (packed or viewed).
  std::int64_t weight_bytes() const;

 private:
  struct Layer;
  Transformer(const ModelConfig& config, const TransformerOptions& options, ThreadPool* pool,
              KvCache kv_cache, RopeTable rope);

  const ModelConfig config_;
  const TransformerOptions options_;
  ThreadPool* const pool_;
  KvCache kv_cache_;
  RopeTable rope_;
  TensorView embed_tokens_;
  TensorView final_norm_;
  PackedWeights lm_head_;
  std::vector<Layer> layers_;

  // Activations for up to max_batch_tokens tokens (allocated once).
  std::vector<float> x_, h_, q_, k_, v_, attention_, gate_, up_;
  std::vector<std::int32_t> positions_;
  std::vector<std::int64_t> slots_;
  std::vector<std::byte> matmul_scratch_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_TRANSFORMER_TRANSFORMER_H_
