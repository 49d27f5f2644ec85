// The small kernels of a forward pass at decode (1 token) and prefill (512 tokens) sizes of
// Llama-3.2-1B (hidden 2048, MLP 8192, 32 heads of 64), and the thread pool's dispatch cost.
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "src/engine/kernels/elementwise.h"

namespace radixlm::engine {
namespace {

ThreadPool& Pool() {
  static ThreadPool pool;
  return pool;
}

void BM_RmsNorm(benchmark::State& state) {
  const int64_t rows = state.range(0), dim = 2048;
  std::vector<float> x(static_cast<size_t>(rows * dim), 0.5f), y(x.size()), weight(dim, 1.0f);
  for (auto _ : state) {
    RmsNorm(x.data(), rows, dim, weight.data(), DType::kF32, 1e-5f, y.data(), &Pool());
    benchmark::DoNotOptimize(y.data());
  }
  state.SetBytesProcessed(state.iterations() * rows * dim * 8);
}
BENCHMARK(BM_RmsNorm)->Arg(1)->Arg(512)->UseRealTime();

void BM_SiluMul(benchmark::State& state) {
  const int64_t count = state.range(0) * 8192;
  std::vector<float> gate(static_cast<size_t>(count), 0.5f), up(gate.size(), 2.0f),
      out(gate.size());
  for (auto _ : state) {
    SiluMul(gate.data(), up.data(), count, out.data(), &Pool());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * count * 12);
}
BENCHMARK(BM_SiluMul)->Arg(1)->Arg(512)->UseRealTime();

void BM_Rope(benchmark::State& state) {
  const int64_t tokens = state.range(0), heads = 32, head_dim = 64;
  std::vector<float> inv_freq(32);
  for (size_t i = 0; i < inv_freq.size(); ++i) inv_freq[i] = 1.0f / static_cast<float>(i + 1);
  const RopeTable table = *RopeTable::Create(inv_freq, 4096);
  std::vector<float> x(static_cast<size_t>(tokens * heads * head_dim), 0.5f);
  std::vector<int32_t> positions(static_cast<size_t>(tokens));
  for (int64_t t = 0; t < tokens; ++t) positions[static_cast<size_t>(t)] = static_cast<int32_t>(t);
  for (auto _ : state) {
    ApplyRope(x.data(), tokens, heads, head_dim, positions.data(), table, &Pool());
    benchmark::DoNotOptimize(x.data());
  }
}
BENCHMARK(BM_Rope)->Arg(1)->Arg(512)->UseRealTime();

void BM_Softmax(benchmark::State& state) {
  std::vector<float> logits(128256, 0.25f);
  for (auto _ : state) {
    Softmax(logits.data(), static_cast<int64_t>(logits.size()), logits.data());
    benchmark::DoNotOptimize(logits.data());
  }
}
BENCHMARK(BM_Softmax);

void BM_Argmax(benchmark::State& state) {
  std::vector<float> logits(128256, 0.25f);
  logits[100000] = 3.0f;
  for (auto _ : state)
    benchmark::DoNotOptimize(Argmax(logits.data(), static_cast<int64_t>(logits.size())));
}
BENCHMARK(BM_Argmax);

// One ParallelFor with an empty body over every thread: the fixed cost each matmul pays.
void BM_ParallelForDispatch(benchmark::State& state) {
  ThreadPool& pool = Pool();
  const int64_t chunks = pool.num_threads();
  for (auto _ : state) {
    pool.ParallelFor(chunks, 1, [](int64_t begin, int64_t) { benchmark::DoNotOptimize(begin); });
  }
}
BENCHMARK(BM_ParallelForDispatch)->UseRealTime();

}  // namespace
}  // namespace radixlm::engine
