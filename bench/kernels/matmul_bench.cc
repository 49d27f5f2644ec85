// Matmul throughput on the linear-layer shapes of SmolLM2-135M and Llama-3.2-1B.
//
// Counters: GFLOP/s = 2*M*N*K / time; GB/s = weight bytes streamed / time (the decode bound:
// ~64 GB/s on the reference machine). Calls rotate over copies of the weights totalling 256 MB, so
// that the weights come from memory, not from the last-level cache. BM_DecodeStep runs every matmul
// of one decode step of Llama-3.2-1B (16 layers + lm_head, distinct weights so nothing stays
// cached) and reports tokens/s.
#include <cstdint>
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "src/engine/kernels/matmul.h"
#include "src/engine/kernels/packed_weights.h"

namespace radixlm::engine {
namespace {

ThreadPool& Pool() {
  static ThreadPool pool;
  return pool;
}

std::vector<float> Filled(int64_t count, float scale) {
  std::vector<float> values(static_cast<size_t>(count));
  uint32_t state = 12345;
  for (float& value : values) {
    state = state * 1664525u + 1013904223u;
    value = scale * (static_cast<float>(state >> 8) / 16777216.0f - 0.5f);
  }
  return values;
}

// A [rows, cols] matrix packed as `type` (from a bf16 source for the int8 types).
struct Weights {
  std::vector<uint16_t> source;  // f16/bf16 source of a view; empty when packed owns its data
  std::vector<float> source_f32;
  PackedWeights packed;
};

// Weight values do not change the timing; a cheap pattern in [-0.05, 0.05) is enough.
std::unique_ptr<Weights> MakeWeights(int64_t rows, int64_t cols, DType type) {
  auto weights = std::make_unique<Weights>();
  const void* source = nullptr;
  DType source_type = DType::kBF16;
  if (type == DType::kF32) {
    weights->source_f32 = Filled(rows * cols, 0.1f);
    source = weights->source_f32.data();
    source_type = DType::kF32;
  } else {
    source_type = (type == DType::kF16) ? DType::kF16 : DType::kBF16;
    weights->source.resize(static_cast<size_t>(rows * cols));
    const uint16_t base = (source_type == DType::kF16) ? 0x2000 : 0x3c00;  // ~0.008 / ~0.008
    for (size_t i = 0; i < weights->source.size(); ++i) {
      weights->source[i] = static_cast<uint16_t>(base + (i * 2654435761u >> 20) % 512) |
                           static_cast<uint16_t>((i & 1) << 15);
    }
    source = weights->source.data();
  }
  absl::StatusOr<PackedWeights> packed =
      PackWeights(source, source_type, rows, cols, type, &Pool());
  if (!packed.ok()) return nullptr;
  weights->packed = *std::move(packed);
  // The packed matrix owns a copy; the source is not needed any more.
  weights->source = {};
  weights->source_f32 = {};
  return weights;
}

// Copies of a matrix that together exceed the last-level cache (32 MB per CCX on the reference
// machine), used in turn so that every call streams its weights from memory as a real model does.
constexpr int64_t kRotationBytes = int64_t{256} << 20;

// Google Benchmark calls a benchmark function several times (to size the iteration count); the
// weights of the last shape are kept so that setup runs once per shape.
const std::vector<std::unique_ptr<Weights>>& CachedWeights(int64_t rows, int64_t cols, DType type) {
  static std::vector<std::unique_ptr<Weights>> cached;
  static int64_t cached_rows = 0, cached_cols = 0;
  static DType cached_type = DType::kF32;
  if (cached.empty() || rows != cached_rows || cols != cached_cols || type != cached_type) {
    cached.clear();  // free the previous matrices first
    cached.push_back(MakeWeights(rows, cols, type));
    const int64_t copies = kRotationBytes / cached.front()->packed.StreamedBytes();
    for (int64_t copy = 1; copy < copies; ++copy) cached.push_back(MakeWeights(rows, cols, type));
    cached_rows = rows;
    cached_cols = cols;
    cached_type = type;
  }
  return cached;
}

const DType kTypes[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kInt8, DType::kInt8Block};

// Args: type index, M, N, K.
void BM_Matmul(benchmark::State& state) {
  const DType type = kTypes[state.range(0)];
  const int64_t m = state.range(1);
  const int64_t n = state.range(2);
  const int64_t k = state.range(3);
  state.SetLabel(std::string(DTypeName(type)));
  const std::vector<std::unique_ptr<Weights>>& copies = CachedWeights(n, k, type);
  const std::vector<float> x = Filled(m * k, 2.0f);
  std::vector<float> y(static_cast<size_t>(m * n));
  std::vector<std::byte> scratch(MatmulScratchBytes(copies.front()->packed, m));
  size_t next = 0;
  for (auto _ : state) {
    Matmul(x.data(), m, copies[next]->packed, nullptr, y.data(), scratch, &Pool());
    next = (next + 1) % copies.size();
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * m * n * k * iterations / 1e9, benchmark::Counter::kIsRate);
  state.counters["GB/s"] = benchmark::Counter(
      static_cast<double>(copies.front()->packed.StreamedBytes()) * iterations / 1e9,
      benchmark::Counter::kIsRate);
}

void MatmulArgs(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"type", "M", "N", "K"});
  // {N, K}: SmolLM2-135M (hidden 576, MLP 1536, vocab 49152), Llama-3.2-1B (hidden 2048, MLP 8192,
  // vocab 128256).
  const int64_t decode_shapes[][2] = {{576, 576},   {1536, 576},  {576, 1536},  {49152, 576},
                                      {2048, 2048}, {8192, 2048}, {2048, 8192}, {128256, 2048}};
  const int64_t prefill_shapes[][2] = {
      {1536, 576}, {576, 1536}, {2048, 2048}, {8192, 2048}, {2048, 8192}};
  for (int64_t type = 0; type < 5; ++type) {
    for (const auto& shape : decode_shapes) {
      for (int64_t m : {1, 8, 16}) bench->Args({type, m, shape[0], shape[1]});
    }
    for (const auto& shape : prefill_shapes) bench->Args({type, 512, shape[0], shape[1]});
  }
}
BENCHMARK(BM_Matmul)->Apply(MatmulArgs)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Every matmul of one Llama-3.2-1B decode step (M tokens). Args: type index, M.
void BM_DecodeStepLlama1B(benchmark::State& state) {
  const DType type = kTypes[state.range(0)];
  const int64_t m = state.range(1);
  state.SetLabel(std::string(DTypeName(type)));
  // The model of the last type benchmarked is kept (see CachedWeights).
  static std::vector<std::unique_ptr<Weights>> layers;
  static DType layers_type = DType::kF32;
  if (layers.empty() || layers_type != type) {
    constexpr int64_t kHidden = 2048, kMlp = 8192, kKv = 512, kVocab = 128256, kLayers = 16;
    layers.clear();
    for (int64_t layer = 0; layer < kLayers; ++layer) {
      for (auto [rows, cols] : {std::pair{kHidden, kHidden},
                                {kKv, kHidden},
                                {kKv, kHidden},
                                {kHidden, kHidden},
                                {kMlp, kHidden},
                                {kMlp, kHidden},
                                {kHidden, kMlp}}) {
        layers.push_back(MakeWeights(rows, cols, type));
      }
    }
    layers.push_back(MakeWeights(kVocab, kHidden, type));
    layers_type = type;
  }
  size_t scratch_bytes = 0;
  int64_t streamed = 0;
  for (const auto& w : layers) {
    scratch_bytes = std::max(scratch_bytes, MatmulScratchBytes(w->packed, m));
    streamed += w->packed.StreamedBytes();
  }
  std::vector<std::byte> scratch(scratch_bytes);
  const std::vector<float> x = Filled(m * 8192, 2.0f);
  std::vector<float> y(static_cast<size_t>(m * 128256));
  for (auto _ : state) {
    for (const auto& w : layers) {
      Matmul(x.data(), m, w->packed, nullptr, y.data(), scratch, &Pool());
    }
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["tok/s"] = benchmark::Counter(iterations * m, benchmark::Counter::kIsRate);
  state.counters["GB/s"] = benchmark::Counter(static_cast<double>(streamed) * iterations / 1e9,
                                              benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeStepLlama1B)
    ->ArgNames({"type", "M"})
    ->ArgsProduct({{1, 2, 3, 4}, {1}})
    ->Args({2, 8})
    ->Args({3, 8})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace radixlm::engine
