#include "src/engine/model/model_weights.h"

#include <cstdint>
#include <string>
#include <utility>

#include "src/common/strings.h"

namespace radixlm::engine {
namespace {

// Binder looks tensors up by name and checks their shapes, wording errors the same way for all.
class Binder {
 public:
  Binder(const Checkpoint& checkpoint, const ModelConfig& config)
      : checkpoint_(checkpoint), config_(config) {}

  absl::Status Bind(const std::string& name, const std::vector<std::int64_t>& expected,
                    TensorView& out) const {
    const TensorView* view = checkpoint_.Find(name);
    if (view == nullptr) {
      return absl::NotFoundError(StrCat("the checkpoint has no tensor '", name, "' (shape ",
                                        ShapeToString(expected), "), which this ",
                                        ArchitectureName(config_.architecture),
                                        " config needs; the weights do not match config.json"));
    }
    if (view->shape != expected) {
      return absl::InvalidArgumentError(StrCat(
          "tensor '", name, "' has shape ", ShapeToString(view->shape), " but config.json implies ",
          ShapeToString(expected), "; the weights do not match the config"));
    }
    if (reinterpret_cast<std::uintptr_t>(view->data) % ElementBytes(view->dtype) != 0) {
      return absl::InvalidArgumentError(
          StrCat("tensor '", name, "' (", SafetensorsDTypeName(view->dtype),
                 ") does not start at a multiple of its element size in its file; re-save the "
                 "checkpoint with a current safetensors, which aligns tensors"));
    }
    out = *view;
    return absl::OkStatus();
  }

  absl::Status BindIf(bool wanted, const std::string& name,
                      const std::vector<std::int64_t>& expected,
                      std::optional<TensorView>& out) const {
    if (!wanted) return absl::OkStatus();
    out.emplace();
    return Bind(name, expected, *out);
  }

 private:
  const Checkpoint& checkpoint_;
  const ModelConfig& config_;
};

absl::StatusOr<LayerWeights> BindLayer(const Binder& binder, const ModelConfig& config,
                                       std::int64_t layer) {
  const std::string prefix = StrCat("model.layers.", layer, ".");
  const std::int64_t hidden = config.hidden_size;
  const std::int64_t q_width = config.num_attention_heads * config.head_dim;
  const std::int64_t kv_width = config.num_key_value_heads * config.head_dim;
  const std::int64_t intermediate = config.intermediate_size;
  const std::string attention = prefix + "self_attn.";
  const std::string mlp = prefix + "mlp.";

  LayerWeights weights;
  absl::Status status = absl::OkStatus();
  auto bind = [&](const std::string& name, const std::vector<std::int64_t>& shape,
                  TensorView& out) {
    if (status.ok()) status = binder.Bind(name, shape, out);
  };
  auto bind_if = [&](bool wanted, const std::string& name, const std::vector<std::int64_t>& shape,
                     std::optional<TensorView>& out) {
    if (status.ok()) status = binder.BindIf(wanted, name, shape, out);
  };
  bind(prefix + "input_layernorm.weight", {hidden}, weights.input_layernorm);
  bind(attention + "q_proj.weight", {q_width, hidden}, weights.q_proj);
  bind(attention + "k_proj.weight", {kv_width, hidden}, weights.k_proj);
  bind(attention + "v_proj.weight", {kv_width, hidden}, weights.v_proj);
  bind(attention + "o_proj.weight", {hidden, q_width}, weights.o_proj);
  bind_if(config.attention_qkv_bias, attention + "q_proj.bias", {q_width}, weights.q_bias);
  bind_if(config.attention_qkv_bias, attention + "k_proj.bias", {kv_width}, weights.k_bias);
  bind_if(config.attention_qkv_bias, attention + "v_proj.bias", {kv_width}, weights.v_bias);
  bind_if(config.attention_output_bias, attention + "o_proj.bias", {hidden}, weights.o_bias);
  bind_if(config.qk_norm, attention + "q_norm.weight", {config.head_dim}, weights.q_norm);
  bind_if(config.qk_norm, attention + "k_norm.weight", {config.head_dim}, weights.k_norm);
  bind(prefix + "post_attention_layernorm.weight", {hidden}, weights.post_attention_layernorm);
  bind(mlp + "gate_proj.weight", {intermediate, hidden}, weights.gate_proj);
  bind(mlp + "up_proj.weight", {intermediate, hidden}, weights.up_proj);
  bind(mlp + "down_proj.weight", {hidden, intermediate}, weights.down_proj);
  bind_if(config.mlp_bias, mlp + "gate_proj.bias", {intermediate}, weights.gate_bias);
  bind_if(config.mlp_bias, mlp + "up_proj.bias", {intermediate}, weights.up_bias);
  bind_if(config.mlp_bias, mlp + "down_proj.bias", {hidden}, weights.down_bias);
  if (!status.ok()) return status;
  return weights;
}

}  // namespace

absl::StatusOr<ModelWeights> LoadModelWeights(const Checkpoint& checkpoint,
                                              const ModelConfig& config) {
  const Binder binder(checkpoint, config);
  ModelWeights weights;
  absl::Status status = binder.Bind("model.embed_tokens.weight",
                                    {config.vocab_size, config.hidden_size}, weights.embed_tokens);
  if (!status.ok()) return status;
  weights.layers.reserve(static_cast<std::size_t>(config.num_hidden_layers));
  for (std::int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    absl::StatusOr<LayerWeights> layer_weights = BindLayer(binder, config, layer);
    if (!layer_weights.ok()) return layer_weights.status();
    weights.layers.push_back(*std::move(layer_weights));
  }
  status = binder.Bind("model.norm.weight", {config.hidden_size}, weights.norm);
  if (!status.ok()) return status;
  if (config.tie_word_embeddings) {
    weights.lm_head = weights.embed_tokens;
  } else {
    status =
        binder.Bind("lm_head.weight", {config.vocab_size, config.hidden_size}, weights.lm_head);
    if (!status.ok()) {
      return absl::Status(status.code(), StrCat(status.message(),
                                                " (tie_word_embeddings is false, so the "
                                                "output projection is a separate tensor)"));
    }
  }
  return weights;
}

}  // namespace radixlm::engine
