#include "src/engine/model/model_weights.h"

#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/engine/model/model_folder.h"
#include "src/engine/model/random_model.h"
#include "src/engine/model/safetensors_writer.h"
#include "tests/engine/model/model_test_util.h"

namespace radixlm::engine {
namespace {

using model_test::ScopedTempDir;
using model_test::WriteFileOrDie;
using ::testing::HasSubstr;

ModelShape TinyShape() {
  absl::StatusOr<ModelShape> shape = FindModelShape("tiny");
  EXPECT_TRUE(shape.ok());
  return *shape;
}

void WriteModel(const ModelShape& shape, const std::string& dir, DType dtype = DType::kBF16) {
  RandomModelOptions options;
  options.dtype = dtype;
  options.seed = 7;
  const absl::Status status = WriteRandomModel(shape, options, dir);
  ASSERT_TRUE(status.ok()) << status;
}

// Copies `source`'s model folder to `dest`, with the tensors passed through `edit` (which may
// drop tensors from, or add tensors to, the list).
void RewriteModel(const std::string& source, const std::string& dest,
                  const std::function<void(std::vector<TensorData>&)>& edit) {
  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::OpenFolder(source);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  std::vector<TensorData> tensors;
  for (const auto& [name, view] : checkpoint->tensors()) {
    tensors.push_back({name, view->dtype, view->shape, {view->data, view->ByteSize()}});
  }
  edit(tensors);
  std::filesystem::create_directories(dest);
  std::filesystem::copy_file(std::filesystem::path(source) / "config.json",
                             std::filesystem::path(dest) / "config.json");
  const absl::Status status =
      WriteSafetensors((std::filesystem::path(dest) / "model.safetensors").string(), tensors);
  ASSERT_TRUE(status.ok()) << status;
}

void Drop(std::vector<TensorData>& tensors, const std::string& name) {
  std::erase_if(tensors, [&](const TensorData& tensor) { return tensor.name == name; });
}

TensorData& Named(std::vector<TensorData>& tensors, const std::string& name) {
  for (TensorData& tensor : tensors) {
    if (tensor.name == name) return tensor;
  }
  ADD_FAILURE() << "no tensor " << name;
  return tensors.front();
}

std::string LoadError(const std::string& dir, absl::StatusCode expected_code) {
  absl::StatusOr<LoadedModel> model = LoadModelFolder(dir);
  EXPECT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), expected_code) << model.status();
  return std::string(model.status().message());
}

TEST(ModelWeightsTest, BindsEveryTensorOfTheTinyModel) {
  ScopedTempDir dir;
  WriteModel(TinyShape(), dir.path());
  absl::StatusOr<LoadedModel> model = LoadModelFolder(dir.path());
  ASSERT_TRUE(model.ok()) << model.status();
  const ModelWeights& weights = model->weights;
  EXPECT_EQ(weights.embed_tokens.shape, (std::vector<std::int64_t>{512, 64}));
  ASSERT_EQ(weights.layers.size(), 2u);
  const LayerWeights& layer = weights.layers[1];
  EXPECT_EQ(layer.q_proj.name, "model.layers.1.self_attn.q_proj.weight");
  EXPECT_EQ(layer.q_proj.shape, (std::vector<std::int64_t>{64, 64}));
  EXPECT_EQ(layer.k_proj.shape, (std::vector<std::int64_t>{32, 64}));  // 2 KV heads × 16
  EXPECT_EQ(layer.o_proj.shape, (std::vector<std::int64_t>{64, 64}));
  EXPECT_EQ(layer.gate_proj.shape, (std::vector<std::int64_t>{128, 64}));
  EXPECT_EQ(layer.down_proj.shape, (std::vector<std::int64_t>{64, 128}));
  EXPECT_EQ(layer.post_attention_layernorm.shape, (std::vector<std::int64_t>{64}));
  EXPECT_FALSE(layer.q_bias.has_value());
  EXPECT_FALSE(layer.q_norm.has_value());
  EXPECT_EQ(layer.q_proj.dtype, DType::kBF16);
  EXPECT_EQ(weights.lm_head.name, "lm_head.weight");  // tiny is untied
  EXPECT_NE(weights.lm_head.data, weights.embed_tokens.data);
  EXPECT_TRUE(model->has_generation_config);
  EXPECT_EQ(model->generation.eos_token_ids, (std::vector<std::int64_t>{2}));
}

TEST(ModelWeightsTest, TiedModelSharesEmbeddingsAndIgnoresAStrayLmHead) {
  ScopedTempDir dir;
  ModelShape shape = TinyShape();
  shape.config.tie_word_embeddings = true;
  WriteModel(shape, dir.File("tied"));
  std::vector<std::byte> stray(512 * 64 * 2);
  RewriteModel(dir.File("tied"), dir.File("stray"), [&](std::vector<TensorData>& tensors) {
    tensors.push_back({"lm_head.weight", DType::kBF16, {512, 64}, stray});
  });
  for (const char* name : {"tied", "stray"}) {
    absl::StatusOr<LoadedModel> model = LoadModelFolder(dir.File(name));
    ASSERT_TRUE(model.ok()) << model.status();
    EXPECT_EQ(model->weights.lm_head.data, model->weights.embed_tokens.data) << name;
  }
}

TEST(ModelWeightsTest, Qwen2HasQkvBiasesAndQwen3HasQkNorms) {
  ScopedTempDir dir;
  ModelShape qwen2 = TinyShape();
  qwen2.config.architecture = Architecture::kQwen2;
  qwen2.config.attention_qkv_bias = true;
  WriteModel(qwen2, dir.File("qwen2"));
  absl::StatusOr<LoadedModel> model = LoadModelFolder(dir.File("qwen2"));
  ASSERT_TRUE(model.ok()) << model.status();
  const LayerWeights& qwen2_layer = model->weights.layers[0];
  ASSERT_TRUE(qwen2_layer.q_bias.has_value());
  EXPECT_EQ(qwen2_layer.q_bias->shape, (std::vector<std::int64_t>{64}));
  EXPECT_EQ(qwen2_layer.v_bias->shape, (std::vector<std::int64_t>{32}));
  EXPECT_FALSE(qwen2_layer.o_bias.has_value());

  ModelShape qwen3 = TinyShape();
  qwen3.config.architecture = Architecture::kQwen3;
  qwen3.config.qk_norm = true;
  WriteModel(qwen3, dir.File("qwen3"));
  model = LoadModelFolder(dir.File("qwen3"));
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE(model->weights.layers[1].k_norm.has_value());
  EXPECT_EQ(model->weights.layers[1].k_norm->shape, (std::vector<std::int64_t>{16}));
  EXPECT_FALSE(model->weights.layers[1].q_bias.has_value());
}

TEST(ModelWeightsTest, MissingTensorIsNotFoundNamingItAndItsShape) {
  ScopedTempDir dir;
  WriteModel(TinyShape(), dir.File("good"));
  RewriteModel(dir.File("good"), dir.File("bad"), [](std::vector<TensorData>& tensors) {
    Drop(tensors, "model.layers.1.mlp.down_proj.weight");
  });
  const std::string message = LoadError(dir.File("bad"), absl::StatusCode::kNotFound);
  EXPECT_THAT(message, HasSubstr("no tensor 'model.layers.1.mlp.down_proj.weight' (shape "
                                 "[64, 128])"));
  EXPECT_THAT(message, HasSubstr(dir.File("bad")));
}

TEST(ModelWeightsTest, MissingLmHeadExplainsTying) {
  ScopedTempDir dir;
  WriteModel(TinyShape(), dir.File("good"));
  RewriteModel(dir.File("good"), dir.File("bad"),
               [](std::vector<TensorData>& tensors) { Drop(tensors, "lm_head.weight"); });
  EXPECT_THAT(LoadError(dir.File("bad"), absl::StatusCode::kNotFound),
              HasSubstr("tie_word_embeddings is false"));
}

TEST(ModelWeightsTest, ShapeMismatchNamesTensorExpectedAndActual) {
  ScopedTempDir dir;
  WriteModel(TinyShape(), dir.File("good"));
  RewriteModel(dir.File("good"), dir.File("bad"), [](std::vector<TensorData>& tensors) {
    Named(tensors, "model.layers.0.self_attn.q_proj.weight").shape = {32, 128};
  });
  EXPECT_THAT(LoadError(dir.File("bad"), absl::StatusCode::kInvalidArgument),
              HasSubstr("tensor 'model.layers.0.self_attn.q_proj.weight' has shape [32, 128] "
                        "but config.json implies [64, 64]"));
}

TEST(ModelWeightsTest, ConfigAskingForBiasesTheCheckpointLacksFails) {
  ScopedTempDir dir;
  WriteModel(TinyShape(), dir.File("model"));
  std::string config = model_test::ReadFileOrDie(dir.File("model/config.json"));
  const std::string from = "\"attention_bias\": false";
  ASSERT_NE(config.find(from), std::string::npos);
  config.replace(config.find(from), from.size(), "\"attention_bias\": true");
  WriteFileOrDie(dir.File("model/config.json"), config);
  EXPECT_THAT(LoadError(dir.File("model"), absl::StatusCode::kNotFound),
              HasSubstr("'model.layers.0.self_attn.q_proj.bias'"));
}

TEST(ModelWeightsTest, MixedDTypesAndExtraBuffersAreAccepted) {
  ScopedTempDir dir;
  WriteModel(TinyShape(), dir.File("good"));
  const std::vector<std::byte> f32_norm(64 * 4);
  const std::vector<std::byte> inv_freq(8 * 4);
  RewriteModel(dir.File("good"), dir.File("mixed"), [&](std::vector<TensorData>& tensors) {
    TensorData& norm = Named(tensors, "model.norm.weight");
    norm.dtype = DType::kF32;
    norm.data = f32_norm;
    tensors.push_back({"model.layers.0.self_attn.rotary_emb.inv_freq", DType::kF32, {8}, inv_freq});
  });
  absl::StatusOr<LoadedModel> model = LoadModelFolder(dir.File("mixed"));
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->weights.norm.dtype, DType::kF32);
  EXPECT_EQ(model->weights.embed_tokens.dtype, DType::kBF16);
  EXPECT_FALSE(model->has_generation_config);  // RewriteModel copies only config.json
  EXPECT_EQ(model->generation.eos_token_ids, (std::vector<std::int64_t>{2}));
  const ModelInfo info = DescribeModel(model->config, model->weights);
  EXPECT_EQ(info.weight_bytes_by_dtype.at(DType::kF32), 64 * 4);
}

TEST(ModelWeightsTest, MisalignedTensorDataIsRejected) {
  ScopedTempDir dir;
  WriteModel(TinyShape(), dir.path());
  // An unpadded header whose length is not a multiple of 4 puts the F32 data at an unaligned
  // offset, as files from writers that did not pad the header can.
  std::string header =
      R"({"model.embed_tokens.weight":{"dtype":"F32","shape":[512,64],"data_offsets":[0,131072]}})";
  header += (header.size() + 8) % 4 == 0 ? " " : "";
  WriteFileOrDie(dir.File("model.safetensors"),
                 model_test::SafetensorsBytes(header, std::string(131072, '\0')));
  EXPECT_THAT(LoadError(dir.path(), absl::StatusCode::kInvalidArgument),
              HasSubstr("does not start at a multiple of its element size"));
}

TEST(ModelFolderTest, MissingPiecesAreNotFoundSayingWhatIsExpected) {
  ScopedTempDir dir;
  EXPECT_THAT(LoadError(dir.File("absent"), absl::StatusCode::kNotFound),
              HasSubstr("does not exist"));
  EXPECT_THAT(LoadError(dir.path(), absl::StatusCode::kNotFound),
              HasSubstr(dir.File("config.json") + " not found; a model folder holds config.json"));
  WriteModel(TinyShape(), dir.File("model"));
  std::filesystem::remove(dir.File("model/model.safetensors"));
  EXPECT_THAT(LoadError(dir.File("model"), absl::StatusCode::kNotFound),
              HasSubstr("expected model.safetensors or model.safetensors.index.json"));
}

TEST(ModelFolderTest, InfoCountsParametersBytesAndKvCache) {
  ScopedTempDir dir;
  WriteModel(TinyShape(), dir.path());
  absl::StatusOr<LoadedModel> model = LoadModelFolder(dir.path());
  ASSERT_TRUE(model.ok()) << model.status();
  const ModelInfo info = DescribeModel(model->config, model->weights);
  const std::int64_t per_layer = 64 + 64 * 64 + 2 * 32 * 64 + 64 * 64 + 64 + 3 * 128 * 64;
  const std::int64_t expected = 2 * 512 * 64 + 2 * per_layer + 64;
  EXPECT_EQ(info.parameter_count, expected);
  EXPECT_EQ(info.weight_bytes_by_dtype.size(), 1u);
  EXPECT_EQ(info.weight_bytes_by_dtype.at(DType::kBF16), 2 * expected);
  EXPECT_EQ(info.kv_cache_bytes_per_token, 2 * 2 * 2 * 16 * 2);
  const std::string text = FormatModelInfo(model->config, info);
  EXPECT_THAT(text, HasSubstr("LlamaForCausalLM"));
  EXPECT_THAT(text, HasSubstr(std::to_string(expected)));
  EXPECT_THAT(text, HasSubstr("4 heads, 2 KV heads, head_dim 16"));
  EXPECT_THAT(text, HasSubstr("256 B per token"));

  ModelConfig tied = model->config;
  tied.tie_word_embeddings = true;
  EXPECT_EQ(DescribeModel(tied, model->weights).parameter_count, expected - 512 * 64);
}

}  // namespace
}  // namespace radixlm::engine
