// Writes the files read_safetensors.py checks with an independent numpy reader:
//   <out>/sample.safetensors  one tensor per dtype, made from the source values in expected.json
//   <out>/expected.json       per tensor: dtype, shape, and the float32 source values
//   <out>/sharded/            a random "tiny" model split into shards, with its index
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/engine/model/random_model.h"
#include "src/engine/model/safetensors_writer.h"

namespace radixlm::engine {
namespace {

std::vector<std::byte> Encode(const std::vector<float>& values, DType dtype) {
  std::vector<std::byte> bytes(values.size() * ElementBytes(dtype));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (dtype == DType::kF32) {
      std::memcpy(&bytes[i * 4], &values[i], 4);
    } else {
      const std::uint16_t bits = dtype == DType::kF16 ? F32ToF16(values[i]) : F32ToBf16(values[i]);
      std::memcpy(&bytes[i * 2], &bits, 2);
    }
  }
  return bytes;
}

int Run(const std::string& out) {
  std::filesystem::create_directories(out);
  // Values that need rounding in f16/bf16, overflow f16 (70000), underflow to f16 subnormals, and
  // ties that round to even.
  const std::vector<float> source = {0.1f, -1.0f / 3, 3.14159265f, 1e-5f,  70000.0f, 1e-7f, -0.0f,
                                     2.5f, 65520.0f,  1.00390625f, -7.25f, 123456.7f};
  struct Sample {
    std::string name;
    DType dtype;
    std::vector<std::int64_t> shape;
  };
  const std::vector<Sample> samples = {{"weights_f32", DType::kF32, {3, 4}},
                                       {"weights_f16", DType::kF16, {4, 3}},
                                       {"weights_bf16", DType::kBF16, {2, 2, 3}},
                                       {"scalar_f32", DType::kF32, {}}};
  std::vector<std::vector<std::byte>> buffers;
  std::vector<TensorData> tensors;
  nlohmann::json expected = nlohmann::json::object();
  for (const Sample& sample : samples) {
    const std::vector<float> values = sample.shape.empty() ? std::vector<float>{source[2]} : source;
    buffers.push_back(Encode(values, sample.dtype));
    tensors.push_back({sample.name, sample.dtype, sample.shape, buffers.back()});
    nlohmann::json json_values = nlohmann::json::array();
    for (float value : values) json_values.push_back(static_cast<double>(value));
    expected[sample.name] = {{"dtype", SafetensorsDTypeName(sample.dtype)},
                             {"shape", sample.shape},
                             {"source", json_values}};
  }
  absl::Status status = WriteSafetensors(out + "/sample.safetensors", tensors,
                                         {{"format", "pt"}, {"producer", "radixlm"}});
  if (status.ok()) {
    std::ofstream(out + "/expected.json") << expected.dump(2) << "\n";
    absl::StatusOr<ModelShape> shape = FindModelShape("tiny");
    RandomModelOptions options;
    options.max_shard_bytes = 40000;
    options.overwrite = true;
    status = shape.ok() ? WriteRandomModel(*shape, options, out + "/sharded") : shape.status();
  }
  if (!status.ok()) {
    std::cerr << status << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace radixlm::engine

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_sample_safetensors <output folder>\n";
    return 2;
  }
  return radixlm::engine::Run(argv[1]);
}
