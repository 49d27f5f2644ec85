// The machine's arithmetic peak, measured: dependent-free chains of 512-bit FMA, vdpbf16ps and
// vpdpbusd on registers, on every thread of the pool. The matmul numbers are read against these.
// GCC 12's intrinsic headers trip -Wuninitialized on their own helpers (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cstdint>

#include "benchmark/benchmark.h"
#include "src/engine/kernels/cpu_features.h"
#include "src/engine/kernels/thread_pool.h"

namespace radixlm::engine {
namespace {

constexpr int kChains = 16;
constexpr int64_t kStepsPerCall = 1 << 16;

enum class Op { kFma, kDpbf16, kDpbusd };

// Runs kChains independent accumulator chains for `steps` rounds; one instruction is 32 flop
// (FMA), 64 flop (vdpbf16ps) or 128 integer ops (vpdpbusd).
template <Op kOp>
float Spin(int64_t steps) {
  if constexpr (kOp == Op::kDpbusd) {
    __m512i acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_epi32(i);
    const __m512i a = _mm512_set1_epi8(3);
    for (int64_t s = 0; s < steps; ++s) {
      for (auto& chain : acc) chain = _mm512_dpbusd_epi32(chain, a, a);
    }
    __m512i sum = _mm512_setzero_si512();
    for (const auto& chain : acc) sum = _mm512_add_epi32(sum, chain);
    return static_cast<float>(_mm512_reduce_add_epi32(sum));
  } else {
    __m512 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
    const __m512 a = _mm512_set1_ps(0.999f);
    const __m512 b = _mm512_set1_ps(1e-6f);
    const __m512bh pair = (__m512bh)_mm512_set1_epi16(0x3f80);
    for (int64_t s = 0; s < steps; ++s) {
      for (auto& chain : acc) {
        if constexpr (kOp == Op::kFma) {
          chain = _mm512_fmadd_ps(chain, a, b);
        } else {
          chain = _mm512_dpbf16_ps(chain, pair, pair);
        }
      }
    }
    __m512 sum = _mm512_setzero_ps();
    for (const auto& chain : acc) sum = _mm512_add_ps(sum, chain);
    return _mm512_reduce_add_ps(sum);
  }
}

template <Op kOp>
void BM_Peak(benchmark::State& state) {
  if (DetectedIsa() != Isa::kAvx512) {
    state.SkipWithError("needs AVX-512 BF16/VNNI");
    return;
  }
  const int threads = static_cast<int>(state.range(0));
  ThreadPool pool(threads);
  for (auto _ : state) {
    pool.ParallelFor(threads, 1,
                     [&](int64_t, int64_t) { benchmark::DoNotOptimize(Spin<kOp>(kStepsPerCall)); });
  }
  const double ops_per_instruction = kOp == Op::kFma ? 32 : (kOp == Op::kDpbf16 ? 64 : 128);
  state.counters["GFLOP/s"] =
      benchmark::Counter(ops_per_instruction * kChains * kStepsPerCall * threads *
                             static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Peak<Op::kFma>)->Name("BM_PeakFmaF32")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_Peak<Op::kDpbf16>)->Name("BM_PeakDpbf16")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_Peak<Op::kDpbusd>)->Name("BM_PeakDpbusdInt8")->Arg(1)->Arg(2)->UseRealTime();

}  // namespace
}  // namespace radixlm::engine
