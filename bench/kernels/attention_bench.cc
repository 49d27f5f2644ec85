// Attention over a paged KV cache: decode (one new token per sequence) at context 512 and 2048,
// and prefill of 512 / 2048 tokens, on the Llama-3.2-1B layer shape (32 query heads, 8 kv heads,
// head_dim 64) and SmolLM2-135M's (9 query heads, 3 kv heads, head_dim 64), f32 and bf16 caches.
//
// Counters: decode GB/s = K and V bytes read / time (bandwidth bound; the calls rotate over 128 MB
// of caches so that K/V come from memory); prefill GFLOP/s =
// 4 * head_dim * query heads * (causal query-key pairs) / time.
#include <cstdint>
#include <numeric>
#include <vector>

#include "benchmark/benchmark.h"
#include "src/engine/kernels/attention.h"

namespace radixlm::engine {
namespace {

ThreadPool& Pool() {
  static ThreadPool pool;
  return pool;
}

struct Setup {
  std::vector<std::byte> k, v;
  std::vector<int32_t> page_table;
  KvCacheLayer layer;
};

// A cache with `batch` sequences of `context` tokens each, pages in order.
Setup MakeCache(int64_t kv_heads, int64_t head_dim, DType dtype, int64_t batch, int64_t context) {
  constexpr int64_t kPageSize = 16;
  Setup setup;
  const KvCacheLayout layout{kv_heads, head_dim, kPageSize, dtype};
  const int64_t pages_per_sequence = (context + kPageSize - 1) / kPageSize;
  const int64_t pages = pages_per_sequence * batch;
  setup.k.assign(static_cast<size_t>(KvCachePageBytes(layout) * pages), std::byte{0x3c});
  setup.v.assign(setup.k.size(), std::byte{0x3c});
  setup.page_table.resize(static_cast<size_t>(pages));
  std::iota(setup.page_table.begin(), setup.page_table.end(), 0);
  setup.layer = {setup.k.data(), setup.v.data(), pages, layout};
  return setup;
}

// Args: query heads, kv heads, kv type (0 f32, 1 bf16), batch, context.
void BM_AttentionDecode(benchmark::State& state) {
  const int64_t heads = state.range(0), kv_heads = state.range(1), batch = state.range(3);
  const int64_t context = state.range(4), head_dim = 64;
  const DType dtype = state.range(2) == 0 ? DType::kF32 : DType::kBF16;
  state.SetLabel(std::string(DTypeName(dtype)));
  // Caches of several layers (128 MB in all) used in turn, so that K/V come from memory as in a
  // real decode step rather than from the last-level cache.
  std::vector<Setup> layers;
  layers.push_back(MakeCache(kv_heads, head_dim, dtype, batch, context));
  const auto layer_bytes = static_cast<int64_t>(2 * layers.front().k.size());
  while (static_cast<int64_t>(layers.size()) * layer_bytes < (int64_t{128} << 20)) {
    layers.push_back(MakeCache(kv_heads, head_dim, dtype, batch, context));
  }
  const int64_t pages_per_sequence = static_cast<int64_t>(layers.front().page_table.size()) / batch;
  std::vector<AttentionSequence> sequences;
  for (int64_t s = 0; s < batch; ++s) {
    sequences.push_back(
        {layers.front().page_table.data() + s * pages_per_sequence, context - 1, 1, s});
  }
  std::vector<float> q(static_cast<size_t>(batch * heads * head_dim), 0.1f), out(q.size());
  size_t next = 0;
  for (auto _ : state) {
    Attention(q.data(), heads, sequences, layers[next].layer, out.data(), &Pool());
    next = (next + 1) % layers.size();
    benchmark::DoNotOptimize(out.data());
  }
  const double bytes =
      2.0 * static_cast<double>(batch * context * kv_heads * head_dim * FloatDTypeBytes(dtype));
  state.counters["GB/s"] = benchmark::Counter(bytes * static_cast<double>(state.iterations()) / 1e9,
                                              benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AttentionDecode)
    ->ArgNames({"heads", "kv_heads", "bf16", "batch", "context"})
    ->ArgsProduct({{32}, {8}, {0, 1}, {1, 8}, {512, 2048}})
    ->Args({9, 3, 1, 1, 2048})
    ->Args({9, 3, 1, 16, 192})  // a batch-16 decode step of the decode-batching workload
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// Args: query heads, kv heads, kv type (0 f32, 1 bf16), prompt tokens.
void BM_AttentionPrefill(benchmark::State& state) {
  const int64_t heads = state.range(0), kv_heads = state.range(1), tokens = state.range(3);
  const int64_t head_dim = 64;
  const DType dtype = state.range(2) == 0 ? DType::kF32 : DType::kBF16;
  state.SetLabel(std::string(DTypeName(dtype)));
  Setup setup = MakeCache(kv_heads, head_dim, dtype, 1, tokens);
  const AttentionSequence sequence{setup.page_table.data(), 0, tokens, 0};
  std::vector<float> q(static_cast<size_t>(tokens * heads * head_dim), 0.1f), out(q.size());
  for (auto _ : state) {
    Attention(q.data(), heads, {&sequence, 1}, setup.layer, out.data(), &Pool());
    benchmark::DoNotOptimize(out.data());
  }
  const double pairs = static_cast<double>(tokens) * static_cast<double>(tokens + 1) / 2.0;
  state.counters["GFLOP/s"] = benchmark::Counter(
      4.0 * head_dim * heads * pairs * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AttentionPrefill)
    ->ArgNames({"heads", "kv_heads", "bf16", "tokens"})
    ->ArgsProduct({{32}, {8}, {0, 1}, {512, 2048}})
    ->Args({9, 3, 1, 512})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace radixlm::engine
