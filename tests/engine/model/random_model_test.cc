#include "src/engine/model/random_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/common/strings.h"
#include "src/engine/model/model_folder.h"
#include "tests/engine/model/model_test_util.h"

namespace radixlm::engine {
namespace {

using model_test::ReadFileOrDie;
using model_test::ScopedTempDir;
using model_test::TestDataPath;
using model_test::WriteFileOrDie;
using ::testing::HasSubstr;

ModelShape Shape(const std::string& name) {
  absl::StatusOr<ModelShape> shape = FindModelShape(name);
  EXPECT_TRUE(shape.ok()) << shape.status();
  return shape.ok() ? *shape : ModelShape{};
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<float> F32Values(const TensorView& view) {
  std::vector<float> values(static_cast<std::size_t>(view.NumElements()));
  std::memcpy(values.data(), view.data, view.ByteSize());
  return values;
}

TEST(RandomModelTest, BuiltInShapesEqualThePublishedConfigs) {
  struct Case {
    const char* shape;
    const char* published;
  };
  for (const Case& pair :
       {Case{"llama-1b", "llama-3.2-1b"}, Case{"smollm2-135m", "smollm2-135m"}}) {
    ModelConfig config = Shape(pair.shape).config;
    config.torch_dtype = "bfloat16";
    absl::StatusOr<ModelConfig> published =
        ReadModelConfig(TestDataPath(std::string("configs/") + pair.published + ".json"));
    ASSERT_TRUE(published.ok()) << published.status();
    EXPECT_EQ(config, *published) << pair.shape;
  }
  absl::StatusOr<ModelShape> unknown = FindModelShape("gpt-5");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("known shapes: tiny, smollm2-135m, llama-1b"));
}

TEST(RandomModelTest, SameSeedSameBytesOtherSeedOtherWeights) {
  ScopedTempDir dir;
  RandomModelOptions options;
  options.dtype = DType::kF32;
  options.seed = 1234;
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), options, dir.File("a")).ok());
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), options, dir.File("b")).ok());
  options.seed = 1235;
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), options, dir.File("c")).ok());

  EXPECT_EQ(
      FilesIn(dir.File("a")),
      (std::vector<std::string>{"config.json", "generation_config.json", "model.safetensors"}));
  for (const std::string& file : FilesIn(dir.File("a"))) {
    EXPECT_EQ(ReadFileOrDie(dir.File("a/" + file)), ReadFileOrDie(dir.File("b/" + file))) << file;
  }
  EXPECT_EQ(ReadFileOrDie(dir.File("a/config.json")), ReadFileOrDie(dir.File("c/config.json")));
  EXPECT_NE(ReadFileOrDie(dir.File("a/model.safetensors")),
            ReadFileOrDie(dir.File("c/model.safetensors")));
}

TEST(RandomModelTest, WeightsAreSmallNormalsAndNormsNearOne) {
  ScopedTempDir dir;
  RandomModelOptions options;
  options.dtype = DType::kF32;
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), options, dir.path()).ok());
  absl::StatusOr<LoadedModel> model = LoadModelFolder(dir.path());
  ASSERT_TRUE(model.ok()) << model.status();

  auto moments = [](const std::vector<float>& values) {
    double sum = 0, squares = 0;
    for (float value : values) sum += value;
    const double mean = sum / static_cast<double>(values.size());
    for (float value : values) squares += (value - mean) * (value - mean);
    return std::pair(mean, std::sqrt(squares / static_cast<double>(values.size())));
  };
  const auto [embed_mean, embed_std] = moments(F32Values(model->weights.embed_tokens));
  EXPECT_NEAR(embed_mean, 0.0, 0.001);
  EXPECT_NEAR(embed_std, 0.02, 0.001);
  std::vector<float> norms;
  for (const LayerWeights& layer : model->weights.layers) {
    for (float value : F32Values(layer.input_layernorm)) norms.push_back(value);
    for (float value : F32Values(layer.post_attention_layernorm)) norms.push_back(value);
  }
  const auto [norm_mean, norm_std] = moments(norms);
  EXPECT_NEAR(norm_mean, 1.0, 0.02);
  EXPECT_NEAR(norm_std, 0.1, 0.02);
  // Different tensors draw from different streams.
  EXPECT_NE(F32Values(model->weights.layers[0].q_proj), F32Values(model->weights.layers[0].o_proj));
}

TEST(RandomModelTest, ShardsAboveTheThresholdWithTheSameTensorBytes) {
  ScopedTempDir dir;
  RandomModelOptions options;
  options.dtype = DType::kF16;
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), options, dir.File("single")).ok());
  options.max_shard_bytes = 40000;  // embed_tokens alone is 64 KiB: it gets its own shard
  std::vector<WriteProgress> reports;
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), options, dir.File("sharded"),
                               [&](const WriteProgress& progress) { reports.push_back(progress); })
                  .ok());

  const std::vector<std::string> files = FilesIn(dir.File("sharded"));
  EXPECT_THAT(files, ::testing::Contains("model.safetensors.index.json"));
  EXPECT_THAT(files, ::testing::Not(::testing::Contains("model.safetensors")));
  const std::size_t shard_count = std::count_if(files.begin(), files.end(), [](const auto& name) {
    return name.starts_with("model-0000") && name.ends_with(".safetensors");
  });
  EXPECT_GT(shard_count, 2u);
  EXPECT_THAT(files,
              ::testing::Contains(StrCat("model-00001-of-0000", shard_count, ".safetensors")));

  absl::StatusOr<LoadedModel> single = LoadModelFolder(dir.File("single"));
  absl::StatusOr<LoadedModel> sharded = LoadModelFolder(dir.File("sharded"));
  ASSERT_TRUE(single.ok()) << single.status();
  ASSERT_TRUE(sharded.ok()) << sharded.status();
  EXPECT_EQ(sharded->checkpoint.files().size(), shard_count);
  ASSERT_EQ(single->checkpoint.tensors().size(), sharded->checkpoint.tensors().size());
  for (const auto& [name, view] : single->checkpoint.tensors()) {
    const TensorView* other = sharded->checkpoint.Find(name);
    ASSERT_NE(other, nullptr) << name;
    EXPECT_EQ(std::memcmp(view->data, other->data, view->ByteSize()), 0) << name;
  }

  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().bytes_written, reports.back().total_bytes);
  EXPECT_EQ(reports.back().total_bytes,
            2 * static_cast<std::uint64_t>(
                    DescribeModel(sharded->config, sharded->weights).parameter_count));
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GT(reports[i].bytes_written, reports[i - 1].bytes_written);
  }
}

TEST(RandomModelTest, VocabularyAndSpecialTokensFollowTheTokenizer) {
  ScopedTempDir dir;
  RandomModelOptions options;
  options.vocab_size = 300;
  options.bos_token_id = 256;
  options.eos_token_ids = {257, 258};
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), options, dir.path()).ok());
  absl::StatusOr<LoadedModel> model = LoadModelFolder(dir.path());
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->config.vocab_size, 300);
  EXPECT_EQ(model->weights.embed_tokens.shape, (std::vector<std::int64_t>{300, 64}));
  EXPECT_EQ(model->config.bos_token_id, 256);
  EXPECT_EQ(model->generation.eos_token_ids, (std::vector<std::int64_t>{257, 258}));
  EXPECT_EQ(model->config.torch_dtype, "bfloat16");

  // llama-1b's eos 128001 cannot live in a 512-token vocabulary; nothing is written.
  options = RandomModelOptions{};
  options.vocab_size = 512;
  const absl::Status status = WriteRandomModel(Shape("llama-1b"), options, dir.File("big"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("outside the vocabulary"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("pass the tokenizer's bos/eos ids"));
  EXPECT_FALSE(std::filesystem::exists(dir.File("big")));
}

TEST(RandomModelTest, RefusesInt8Weights) {
  ScopedTempDir dir;
  RandomModelOptions options;
  options.dtype = DType::kInt8;
  const absl::Status status = WriteRandomModel(Shape("tiny"), options, dir.path());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("f32, f16 or bf16"));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(RandomModelTest, RefusesToMixModelsAndOverwriteRemovesStaleShards) {
  ScopedTempDir dir;
  WriteFileOrDie(dir.File("tokenizer.json"), "{}");
  RandomModelOptions options;
  options.max_shard_bytes = 40000;
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), options, dir.path()).ok());

  options.max_shard_bytes = RandomModelOptions{}.max_shard_bytes;
  absl::Status status = WriteRandomModel(Shape("tiny"), options, dir.path());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("already holds a model"));

  options.overwrite = true;
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), options, dir.path()).ok());
  EXPECT_EQ(FilesIn(dir.path()), (std::vector<std::string>{"config.json", "generation_config.json",
                                                           "model.safetensors", "tokenizer.json"}));
  EXPECT_EQ(ReadFileOrDie(dir.File("tokenizer.json")), "{}");
  EXPECT_TRUE(LoadModelFolder(dir.path()).ok());
}

TEST(RandomModelTest, WritesConfigJsonAsTransformersDoes) {
  ScopedTempDir dir;
  ASSERT_TRUE(WriteRandomModel(Shape("tiny"), RandomModelOptions{}, dir.path()).ok());
  const std::string config = ReadFileOrDie(dir.File("config.json"));
  EXPECT_THAT(config, HasSubstr("\"architectures\": [\n    \"LlamaForCausalLM\"\n  ]"));
  EXPECT_THAT(config, HasSubstr("\"model_type\": \"llama\""));
  EXPECT_THAT(config, HasSubstr("\"rms_norm_eps\": 1e-05"));
  EXPECT_THAT(config, HasSubstr("\"rope_theta\": 10000.0"));
  EXPECT_THAT(config, HasSubstr("\"torch_dtype\": \"bfloat16\""));
  const std::string generation = ReadFileOrDie(dir.File("generation_config.json"));
  EXPECT_THAT(generation, HasSubstr("\"_from_model_config\": true"));
  EXPECT_THAT(generation, HasSubstr("\"eos_token_id\": 2"));
}

}  // namespace
}  // namespace radixlm::engine
