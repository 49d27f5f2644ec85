#include "src/engine/transformer/transformer.h"

#include <algorithm>
#include <optional>

#include "src/common/strings.h"
#include "src/engine/kernels/attention.h"
#include "src/engine/kernels/matmul.h"
#include "src/engine/model/rope.h"

namespace radixlm::engine {

struct Transformer::Layer {
  TensorView input_norm;
  TensorView post_attention_norm;
  std::optional<TensorView> q_norm, k_norm;
  PackedWeights q, k, v, o, gate, up, down;
  std::vector<float> q_bias, k_bias, v_bias, o_bias, gate_bias, up_bias, down_bias;
};

namespace {

absl::StatusOr<PackedWeights> Pack(const TensorView& tensor, const TransformerOptions& options,
                                   ThreadPool* pool) {
  const std::int64_t rows = tensor.shape[0];
  const std::int64_t cols = tensor.shape.size() > 1 ? tensor.shape[1] : 1;
  absl::StatusOr<PackedWeights> packed =
      options.quantize
          ? QuantizeInt8(tensor.data, tensor.dtype, rows, cols, options.quantized_type, pool)
          : PackWeights(tensor.data, tensor.dtype, rows, cols, tensor.dtype, pool);
  if (!packed.ok()) {
    return absl::Status(packed.status().code(),
                        StrCat("packing ", tensor.name, ": ", packed.status().message()));
  }
  if (options.on_tensor_packed) options.on_tensor_packed(tensor);
  return packed;
}

std::vector<float> ToFloats(const std::optional<TensorView>& tensor) {
  if (!tensor.has_value()) return {};
  std::vector<float> values(static_cast<size_t>(tensor->NumElements()));
  ConvertToF32(tensor->data, tensor->dtype, tensor->NumElements(), values.data());
  return values;
}

const float* OrNull(const std::vector<float>& values) {
  return values.empty() ? nullptr : values.data();
}

}  // namespace

Transformer::Transformer(const ModelConfig& config, const TransformerOptions& options,
                         ThreadPool* pool, KvCache kv_cache, RopeTable rope)
    : config_(config),
      options_(options),
      pool_(pool),
      kv_cache_(std::move(kv_cache)),
      rope_(std::move(rope)) {}

Transformer::~Transformer() = default;

absl::StatusOr<std::unique_ptr<Transformer>> Transformer::Create(const ModelConfig& config,
                                                                 const ModelWeights& weights,
                                                                 const TransformerOptions& options,
                                                                 ThreadPool* pool) {
  for (std::int64_t window : config.layer_attention_window) {
    if (window > 0 && window < options.max_positions) {
      return absl::UnimplementedError(StrCat(
          "this model uses sliding-window attention (window ", window,
          " tokens) and radixlm's attention kernel attends to the whole context; run it with a "
          "context length of at most ",
          window, " tokens"));
    }
  }
  const KvCacheLayout layout{.num_kv_heads = config.num_key_value_heads,
                             .head_dim = config.head_dim,
                             .page_size = options.page_size,
                             .dtype = options.kv_dtype};
  absl::StatusOr<KvCache> kv_cache =
      KvCache::Create(config.num_hidden_layers, options.num_pages, layout);
  if (!kv_cache.ok()) return kv_cache.status();
  const std::vector<float> inv_freq = ComputeRopeInverseFrequencies(config);
  absl::StatusOr<RopeTable> rope = RopeTable::Create(inv_freq, options.max_positions);
  if (!rope.ok()) return rope.status();

  std::unique_ptr<Transformer> model(
      new Transformer(config, options, pool, *std::move(kv_cache), *std::move(rope)));
  model->embed_tokens_ = weights.embed_tokens;
  model->final_norm_ = weights.norm;
  absl::StatusOr<PackedWeights> lm_head = Pack(weights.lm_head, options, pool);
  if (!lm_head.ok()) return lm_head.status();
  model->lm_head_ = *std::move(lm_head);
  for (const LayerWeights& source : weights.layers) {
    Layer layer;
    layer.input_norm = source.input_layernorm;
    layer.post_attention_norm = source.post_attention_layernorm;
    layer.q_norm = source.q_norm;
    layer.k_norm = source.k_norm;
    struct Target {
      const TensorView* tensor;
      PackedWeights* packed;
    };
    for (const Target& target :
         {Target{&source.q_proj, &layer.q}, Target{&source.k_proj, &layer.k},
          Target{&source.v_proj, &layer.v}, Target{&source.o_proj, &layer.o},
          Target{&source.gate_proj, &layer.gate}, Target{&source.up_proj, &layer.up},
          Target{&source.down_proj, &layer.down}}) {
      absl::StatusOr<PackedWeights> packed = Pack(*target.tensor, options, pool);
      if (!packed.ok()) return packed.status();
      *target.packed = *std::move(packed);
    }
    layer.q_bias = ToFloats(source.q_bias);
    layer.k_bias = ToFloats(source.k_bias);
    layer.v_bias = ToFloats(source.v_bias);
    layer.o_bias = ToFloats(source.o_bias);
    layer.gate_bias = ToFloats(source.gate_bias);
    layer.up_bias = ToFloats(source.up_bias);
    layer.down_bias = ToFloats(source.down_bias);
    model->layers_.push_back(std::move(layer));
  }

  const auto tokens = static_cast<size_t>(options.max_batch_tokens);
  const auto hidden = static_cast<size_t>(config.hidden_size);
  const auto q_width = static_cast<size_t>(config.num_attention_heads * config.head_dim);
  const auto kv_width = static_cast<size_t>(config.num_key_value_heads * config.head_dim);
  const auto intermediate = static_cast<size_t>(config.intermediate_size);
  model->x_.resize(tokens * hidden);
  model->h_.resize(tokens * hidden);
  model->q_.resize(tokens * q_width);
  model->k_.resize(tokens * kv_width);
  model->v_.resize(tokens * kv_width);
  model->attention_.resize(tokens * q_width);
  model->gate_.resize(tokens * intermediate);
  model->up_.resize(tokens * intermediate);
  model->positions_.resize(tokens);
  model->slots_.resize(tokens);
  size_t scratch = MatmulScratchBytes(model->lm_head_, options.max_batch_tokens);
  for (const Layer& layer : model->layers_) {
    for (const PackedWeights* w :
         {&layer.q, &layer.k, &layer.v, &layer.o, &layer.gate, &layer.up, &layer.down}) {
      scratch = std::max(scratch, MatmulScratchBytes(*w, options.max_batch_tokens));
    }
  }
  model->matmul_scratch_.resize(scratch);
  return model;
}

std::int64_t Transformer::weight_bytes() const {
  std::int64_t bytes = lm_head_.StreamedBytes();
  for (const Layer& layer : layers_) {
    for (const PackedWeights* w :
         {&layer.q, &layer.k, &layer.v, &layer.o, &layer.gate, &layer.up, &layer.down}) {
      bytes += w->StreamedBytes();
    }
  }
  return bytes;
}

absl::Status Transformer::Forward(std::span<const ForwardSequence> batch, std::span<float> logits) {
  const std::int64_t hidden = config_.hidden_size;
  const std::int64_t heads = config_.num_attention_heads;
  const std::int64_t kv_heads = config_.num_key_value_heads;
  const std::int64_t head_dim = config_.head_dim;
  const std::int64_t page_size = options_.page_size;
  const auto eps = static_cast<float>(config_.rms_norm_eps);

  std::int64_t total = 0;
  std::int64_t wanted = 0;
  std::vector<AttentionSequence> sequences;
  sequences.reserve(batch.size());
  for (const ForwardSequence& sequence : batch) {
    const auto count = static_cast<std::int64_t>(sequence.tokens.size());
    const std::int64_t end = sequence.start_position + count;
    if (count == 0) return absl::InvalidArgumentError("a sequence in the batch has no tokens");
    if (end > rope_.max_positions()) {
      return absl::InvalidArgumentError(StrCat("position ", end - 1, " is beyond the context of ",
                                               rope_.max_positions(), " tokens"));
    }
    if (static_cast<std::int64_t>(sequence.page_table.size()) * page_size < end) {
      return absl::InvalidArgumentError("a page table does not cover the sequence");
    }
    if (total + count > options_.max_batch_tokens) {
      return absl::InvalidArgumentError(
          StrCat("the batch has more than ", options_.max_batch_tokens, " tokens"));
    }
    for (std::int64_t t = 0; t < count; ++t) {
      const std::int64_t position = sequence.start_position + t;
      positions_[static_cast<size_t>(total + t)] = static_cast<std::int32_t>(position);
      slots_[static_cast<size_t>(total + t)] =
          static_cast<std::int64_t>(
              sequence.page_table[static_cast<size_t>(position / page_size)]) *
              page_size +
          position % page_size;
      const std::int32_t token = sequence.tokens[static_cast<size_t>(t)];
      if (token < 0 || token >= config_.vocab_size) {
        return absl::InvalidArgumentError(
            StrCat("token id ", token, " is outside the vocabulary [0, ", config_.vocab_size, ")"));
      }
      const std::int64_t row_bytes = hidden * FloatDTypeBytes(embed_tokens_.dtype);
      ConvertToF32(embed_tokens_.data + token * row_bytes, embed_tokens_.dtype, hidden,
                   x_.data() + (total + t) * hidden);
    }
    sequences.push_back({.page_table = sequence.page_table.data(),
                         .start_position = sequence.start_position,
                         .num_tokens = count,
                         .token_offset = total});
    total += count;
    if (sequence.logit_rows < 0 || sequence.logit_rows > count) {
      return absl::InvalidArgumentError(StrCat("logits wanted for ", sequence.logit_rows,
                                               " rows of a sequence of ", count, " tokens"));
    }
    wanted += sequence.logit_rows;
  }
  if (static_cast<std::int64_t>(logits.size()) < wanted * config_.vocab_size) {
    return absl::InvalidArgumentError("the logits buffer is too small for the batch");
  }

  float* x = x_.data();
  float* h = h_.data();
  std::span<std::byte> scratch(matmul_scratch_);
  for (size_t index = 0; index < layers_.size(); ++index) {
    const Layer& layer = layers_[index];
    const KvCacheLayer& cache = kv_cache_.layer(static_cast<std::int64_t>(index));
    RmsNorm(x, total, hidden, layer.input_norm.data, layer.input_norm.dtype, eps, h, pool_);
    const MatmulOutput qkv[] = {{&layer.q, OrNull(layer.q_bias), q_.data()},
                                {&layer.k, OrNull(layer.k_bias), k_.data()},
                                {&layer.v, OrNull(layer.v_bias), v_.data()}};
    MatmulShared(h, total, qkv, scratch, pool_);
    if (layer.q_norm.has_value()) {
      RmsNorm(q_.data(), total * heads, head_dim, layer.q_norm->data, layer.q_norm->dtype, eps,
              q_.data(), pool_);
      RmsNorm(k_.data(), total * kv_heads, head_dim, layer.k_norm->data, layer.k_norm->dtype, eps,
              k_.data(), pool_);
    }
    ApplyRope(q_.data(), total, heads, head_dim, positions_.data(), rope_, pool_);
    ApplyRope(k_.data(), total, kv_heads, head_dim, positions_.data(), rope_, pool_);
    StoreKv(k_.data(), v_.data(), total, slots_.data(), cache, pool_);
    Attention(q_.data(), heads, sequences, cache, attention_.data(), pool_);
    Matmul(attention_.data(), total, layer.o, OrNull(layer.o_bias), h, scratch, pool_);
    Add(x, h, total * hidden, x, pool_);

    RmsNorm(x, total, hidden, layer.post_attention_norm.data, layer.post_attention_norm.dtype, eps,
            h, pool_);
    const MatmulOutput gate_up[] = {{&layer.gate, OrNull(layer.gate_bias), gate_.data()},
                                    {&layer.up, OrNull(layer.up_bias), up_.data()}};
    MatmulShared(h, total, gate_up, scratch, pool_);
    SiluMul(gate_.data(), up_.data(), total * config_.intermediate_size, gate_.data(), pool_);
    Matmul(gate_.data(), total, layer.down, OrNull(layer.down_bias), h, scratch, pool_);
    Add(x, h, total * hidden, x, pool_);
  }

  // The final norm and LM head only for the rows whose logits are wanted, gathered into h (free
  // after the last layer).
  std::int64_t row = 0;
  std::int64_t offset = 0;
  for (const ForwardSequence& sequence : batch) {
    offset += static_cast<std::int64_t>(sequence.tokens.size());
    std::copy_n(x + (offset - sequence.logit_rows) * hidden, sequence.logit_rows * hidden,
                h + row * hidden);
    row += sequence.logit_rows;
  }
  if (row == 0) return absl::OkStatus();
  RmsNorm(h, row, hidden, final_norm_.data, final_norm_.dtype, eps, h, pool_);
  Matmul(h, row, lm_head_, nullptr, logits.data(), scratch, pool_);
  return absl::OkStatus();
}

}  // namespace radixlm::engine
