// AVX-512 matmul kernels (compiled with -mavx512f/bw/vl/dq/bf16/vnni; called only when
// ActiveIsa() == Isa::kAvx512).
//
// Every output Y[m][n] is a dot product of X row m with W row n, computed in a register tile of
// 16 (activation row, weight row) pairs, one 16-lane accumulator each, then reduced with Reduce16.
// Each lane accumulates its K positions in order, whatever the tile's shape and whether K is swept
// in one pass or in blocks (the accumulators are then parked in memory between blocks), so a row
// of Y comes out bit-identical whatever the batch and schedule it was computed in.
//   f32   FMA over 16 floats per step
//   f16   W widened with vcvtph2ps, FMA
//   bf16  X rounded to bf16 once per call; vdpbf16ps over 32 pairs per step
//   int8  vpdpbusd over 64 bytes per step: W stored as q+128 (unsigned), X as signed q; the
//         +128 is removed with the activation sums (exact integer arithmetic)
//   int8 block  the same per 64-value block, each block scaled by sx * sw in f32
//
// Schedules (MatmulProblem::stream_weights):
//   decode   tiles over the whole K; each tile prefetches the next tile's weight rows, which are
//            short streams (2-8 KB) the hardware prefetcher would otherwise ramp up on one by one.
//   prefill  K is cut into blocks of kBlockRowBytes per row so that a group of kGroupRows
//            activation rows stays in L1 while the tiles of up to kChunkRows weight rows (in L2)
//            sweep past, their accumulators parked on the stack between blocks.
#include <cstdint>

#include "src/engine/kernels/matmul_kernels.h"
#include "src/engine/kernels/simd_avx512.h"

namespace radixlm::engine::kernels {
namespace avx512 {
namespace {

constexpr int kTile = 4;
// Prefill schedule sizes (chosen by measurement; the results were flat within +-10% around them):
// activation rows swept together, bytes of a row per K block, weight rows per chunk.
constexpr int64_t kGroupRows = 8;
constexpr int64_t kBlockRowBytes = 4096;
constexpr int64_t kChunkRows = 64;

inline int64_t Min64(int64_t a, int64_t b) { return a < b ? a : b; }

// Rows of one tile: activation rows m0..m0+kMr-1, weight rows n[0..kTile) (the last one
// repeated at the N edge; those results are dropped).
struct TileRows {
  int64_t m0;
  int64_t n[kTile];
};

// Pair (m, n) of a tile accumulates in acc[n * 4 + m], which Reduce16 turns into lane 4 * m + n.

inline const std::byte* WeightRow(const MatmulProblem& p, int64_t row) {
  return p.w + row * p.w_row_bytes;
}

inline void PrefetchNextTile(const MatmulProblem& p, const TileRows& rows, int n, int64_t byte) {
  _mm_prefetch(reinterpret_cast<const char*>(WeightRow(p, rows.n[n] + kTile)) + byte, _MM_HINT_T0);
}

// The kinds below share one shape: Tile<kMr, kPrefetch> accumulates K columns [begin, end) of a
// tile of 4 activation rows (the first kMr valid) x 4 weight rows into acc[16]; Finish turns the
// accumulators into the outputs before the bias, pair (m, n) in lane 4 * m + n. (8x2 tiles, which
// load fewer weight bytes per instruction, measured slower for f32 and int8 and no faster for
// bf16.)

// f32 and f16 weights times f32 activations.
template <bool kF16>
struct FloatKind {
  using Acc = __m512;
  static constexpr int64_t kStep = 16;
  static constexpr int64_t kWeightBytes = kF16 ? 2 : 4;
  static int64_t Columns(const MatmulProblem& p) { return p.k; }

  static __m512 LoadW(const std::byte* row, int64_t i) {
    if constexpr (kF16) {
      return LoadF16(reinterpret_cast<const uint16_t*>(row) + i);
    } else {
      return _mm512_loadu_ps(reinterpret_cast<const float*>(row) + i);
    }
  }
  static __m512 MaskLoadW(__mmask16 mask, const std::byte* row, int64_t i) {
    if constexpr (kF16) {
      return MaskLoadF16(mask, reinterpret_cast<const uint16_t*>(row) + i);
    } else {
      return _mm512_maskz_loadu_ps(mask, reinterpret_cast<const float*>(row) + i);
    }
  }

  template <int kMr, bool kPrefetch>
  static void Tile(const MatmulProblem& p, const TileRows& rows, int64_t begin, int64_t end,
                   __m512* accumulators) {
    __m512 acc[16];
    for (int j = 0; j < 16; ++j) acc[j] = accumulators[j];
    const float* x[kTile];
    for (int m = 0; m < kMr; ++m) x[m] = p.x + (rows.m0 + m) * p.x_stride;
    const std::byte* w[kTile];
    for (int n = 0; n < kTile; ++n) w[n] = WeightRow(p, rows.n[n]);
    int64_t i = begin;
    for (; i + kStep <= end; i += kStep) {
      __m512 wv[kTile];
      for (int n = 0; n < kTile; ++n) {
        if constexpr (kPrefetch) PrefetchNextTile(p, rows, n, i * kWeightBytes);
        wv[n] = LoadW(w[n], i);
      }
      for (int m = 0; m < kMr; ++m) {
        const __m512 xv = _mm512_loadu_ps(x[m] + i);
        for (int n = 0; n < kTile; ++n) {
          acc[n * kTile + m] = _mm512_fmadd_ps(xv, wv[n], acc[n * kTile + m]);
        }
      }
    }
    if (i < end) {  // the last block's partial vector: neither X nor W may be over-read
      const __mmask16 mask = LowMask16(end - i);
      __m512 wv[kTile];
      for (int n = 0; n < kTile; ++n) wv[n] = MaskLoadW(mask, w[n], i);
      for (int m = 0; m < kMr; ++m) {
        const __m512 xv = _mm512_maskz_loadu_ps(mask, x[m] + i);
        for (int n = 0; n < kTile; ++n) {
          acc[n * kTile + m] = _mm512_fmadd_ps(xv, wv[n], acc[n * kTile + m]);
        }
      }
    }
    for (int j = 0; j < 16; ++j) accumulators[j] = acc[j];
  }

  static __m512 Finish(const MatmulProblem& /*p*/, const TileRows& /*rows*/, const __m512* acc) {
    return Reduce16(acc);
  }
};

// bf16 weights times activations rounded to bf16 (rows zero-padded to a multiple of 32).
struct Bf16Kind {
  using Acc = __m512;
  static constexpr int64_t kStep = 32;
  static constexpr int64_t kWeightBytes = 2;
  static int64_t Columns(const MatmulProblem& p) { return p.k; }

  template <int kMr, bool kPrefetch>
  static void Tile(const MatmulProblem& p, const TileRows& rows, int64_t begin, int64_t end,
                   __m512* accumulators) {
    __m512 acc[16];
    for (int j = 0; j < 16; ++j) acc[j] = accumulators[j];
    const uint16_t* x[kTile];
    for (int m = 0; m < kMr; ++m) x[m] = p.x_bf16 + (rows.m0 + m) * p.x_bf16_stride;
    const uint16_t* w[kTile];
    for (int n = 0; n < kTile; ++n) {
      w[n] = reinterpret_cast<const uint16_t*>(WeightRow(p, rows.n[n]));
    }
    auto step = [&](const __m512i* wv, int64_t i) {
      for (int m = 0; m < kMr; ++m) {
        const __m512bh xv = (__m512bh)_mm512_loadu_si512(x[m] + i);
        for (int n = 0; n < kTile; ++n) {
          acc[n * kTile + m] = _mm512_dpbf16_ps(acc[n * kTile + m], xv, (__m512bh)wv[n]);
        }
      }
    };
    int64_t i = begin;
    for (; i + kStep <= end; i += kStep) {
      __m512i wv[kTile];
      for (int n = 0; n < kTile; ++n) {
        if constexpr (kPrefetch) PrefetchNextTile(p, rows, n, i * kWeightBytes);
        wv[n] = _mm512_loadu_si512(w[n] + i);
      }
      step(wv, i);
    }
    if (i < end) {  // X is zero-padded to a multiple of 32; W is not and must not be over-read.
      const __mmask32 mask = LowMask32(end - i);
      __m512i wv[kTile];
      for (int n = 0; n < kTile; ++n) wv[n] = _mm512_maskz_loadu_epi16(mask, w[n] + i);
      step(wv, i);
    }
    for (int j = 0; j < 16; ++j) accumulators[j] = acc[j];
  }

  static __m512 Finish(const MatmulProblem& /*p*/, const TileRows& /*rows*/, const __m512* acc) {
    return Reduce16(acc);
  }
};

// kInt8: out = float(x . w) * x_scale * w_scale.
struct Int8Kind {
  using Acc = __m512i;
  static constexpr int64_t kStep = 64;
  static constexpr int64_t kWeightBytes = 1;
  static int64_t Columns(const MatmulProblem& p) { return p.k_padded; }

  template <int kMr, bool kPrefetch>
  static void Tile(const MatmulProblem& p, const TileRows& rows, int64_t begin, int64_t end,
                   __m512i* accumulators) {
    __m512i acc[16];
    for (int j = 0; j < 16; ++j) acc[j] = accumulators[j];
    const int8_t* x[kTile];
    for (int m = 0; m < kMr; ++m) x[m] = p.x_q + (rows.m0 + m) * p.k_padded;
    const std::byte* w[kTile];
    for (int n = 0; n < kTile; ++n) w[n] = WeightRow(p, rows.n[n]);
    for (int64_t i = begin; i < end; i += kStep) {
      __m512i wv[kTile];
      for (int n = 0; n < kTile; ++n) {
        if constexpr (kPrefetch) PrefetchNextTile(p, rows, n, i);
        wv[n] = _mm512_loadu_si512(w[n] + i);
      }
      for (int m = 0; m < kMr; ++m) {
        const __m512i xv = _mm512_loadu_si512(x[m] + i);
        for (int n = 0; n < kTile; ++n) {
          acc[n * kTile + m] = _mm512_dpbusd_epi32(acc[n * kTile + m], wv[n], xv);
        }
      }
    }
    for (int j = 0; j < 16; ++j) accumulators[j] = acc[j];
  }

  static __m512 Finish(const MatmulProblem& p, const TileRows& rows, const __m512i* acc) {
    alignas(16) int32_t corrections[kTile];
    alignas(16) float x_scales[kTile];
    alignas(16) float w_scales[kTile];
    for (int m = 0; m < kTile; ++m) {
      // Rows past the activation rows (m0 + m >= p.m) are never stored; keep reads in bounds.
      const int64_t row = Min64(rows.m0 + m, p.m - 1);
      // sum((q_w + 128) * q_x) - 128 * sum(q_x) = sum(q_w * q_x), exact in int32 for k <= 65536.
      corrections[m] = 128 * p.x_sums[row];
      x_scales[m] = p.x_scales[row];
    }
    for (int n = 0; n < kTile; ++n) w_scales[n] = p.w_scales[rows.n[n]];
    // Lane 4 * m + n takes the activation row's values from element m, the weight row's from n.
    const __m512i by_row = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    const __m512i correction = _mm512_permutexvar_epi32(
        by_row,
        _mm512_castsi128_si512(_mm_load_si128(reinterpret_cast<const __m128i*>(corrections))));
    const __m512 x_scale =
        _mm512_permutexvar_ps(by_row, _mm512_castps128_ps512(_mm_load_ps(x_scales)));
    const __m512 w_scale = _mm512_broadcast_f32x4(_mm_load_ps(w_scales));
    const __m512 dots = _mm512_cvtepi32_ps(_mm512_sub_epi32(Reduce16(acc), correction));
    return _mm512_mul_ps(_mm512_mul_ps(dots, x_scale), w_scale);
  }
};

// kInt8Block: per 64-value block b, acc += float(x_b . w_b) * x_scale_b * w_scale_b.
struct Int8BlockKind {
  using Acc = __m512;
  static constexpr int64_t kStep = 64;
  static constexpr int64_t kWeightBytes = 1;
  static int64_t Columns(const MatmulProblem& p) { return p.k_padded; }

  template <int kMr, bool kPrefetch>
  static void Tile(const MatmulProblem& p, const TileRows& rows, int64_t begin, int64_t end,
                   __m512* accumulators) {
    __m512 acc[16];
    for (int j = 0; j < 16; ++j) acc[j] = accumulators[j];
    const int8_t* x[kTile];
    const float* x_scales[kTile];
    const int32_t* x_sums[kTile];
    for (int m = 0; m < kMr; ++m) {
      x[m] = p.x_q + (rows.m0 + m) * p.k_padded;
      x_scales[m] = p.x_scales + (rows.m0 + m) * p.scales_per_row;
      x_sums[m] = p.x_sums + (rows.m0 + m) * p.scales_per_row;
    }
    const std::byte* w[kTile];
    const float* w_scales[kTile];
    for (int n = 0; n < kTile; ++n) {
      w[n] = WeightRow(p, rows.n[n]);
      w_scales[n] = p.w_scales + rows.n[n] * p.scales_per_row;
    }
    for (int64_t i = begin; i < end; i += kStep) {
      const int64_t block = i / kStep;
      __m512i wv[kTile];
      __m512 wscale[kTile];
      for (int n = 0; n < kTile; ++n) {
        if constexpr (kPrefetch) PrefetchNextTile(p, rows, n, i);
        wv[n] = _mm512_loadu_si512(w[n] + i);
        wscale[n] = _mm512_set1_ps(w_scales[n][block]);
      }
      for (int m = 0; m < kMr; ++m) {
        const __m512i xv = _mm512_loadu_si512(x[m] + i);
        // Starting each lane at -8 * sum removes the +128 of W: 16 lanes * 8 = 128.
        const __m512i start = _mm512_set1_epi32(-8 * x_sums[m][block]);
        const __m512 xscale = _mm512_set1_ps(x_scales[m][block]);
        for (int n = 0; n < kTile; ++n) {
          const __m512i dot = _mm512_dpbusd_epi32(start, wv[n], xv);
          const __m512 scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(dot), xscale);
          acc[n * kTile + m] = _mm512_fmadd_ps(scaled, wscale[n], acc[n * kTile + m]);
        }
      }
    }
    for (int j = 0; j < 16; ++j) accumulators[j] = acc[j];
  }

  static __m512 Finish(const MatmulProblem& /*p*/, const TileRows& /*rows*/, const __m512* acc) {
    return Reduce16(acc);
  }
};

template <typename Kind>
void ZeroTile(typename Kind::Acc* acc) {
  for (int j = 0; j < 16; ++j) acc[j] = typename Kind::Acc{};
}

TileRows MakeRows(int64_t m0, int64_t n0, int64_t n_end) {
  TileRows rows{m0, {}};
  for (int n = 0; n < kTile; ++n) rows.n[n] = n0 + Min64(n, n_end - n0 - 1);
  return rows;
}

// Accumulates K columns [begin, end) of the 4x4 tile at (m0, n0) into acc.
template <typename Kind, bool kPrefetch>
void RunSquareTile(const MatmulProblem& p, int64_t m0, int64_t m_end, int64_t n0, int64_t n_end,
                   int64_t begin, int64_t end, typename Kind::Acc* acc) {
  const TileRows rows = MakeRows(m0, n0, n_end);
  switch (Min64(kTile, m_end - m0)) {
    case 1:
      return Kind::template Tile<1, kPrefetch>(p, rows, begin, end, acc);
    case 2:
      return Kind::template Tile<2, kPrefetch>(p, rows, begin, end, acc);
    case 3:
      return Kind::template Tile<3, kPrefetch>(p, rows, begin, end, acc);
    default:
      return Kind::template Tile<4, kPrefetch>(p, rows, begin, end, acc);
  }
}

// Reduces the tile at (m0, n0) and writes its valid outputs (plus the bias) to Y.
template <typename Kind>
void StoreTile(const MatmulProblem& p, int64_t m0, int64_t m_end, int64_t n0, int64_t n_end,
               const typename Kind::Acc* acc) {
  alignas(64) float out[16];
  _mm512_store_ps(out, Kind::Finish(p, MakeRows(m0, n0, n_end), acc));
  const __mmask8 columns = static_cast<__mmask8>((1u << Min64(kTile, n_end - n0)) - 1);
  const __m128 bias =
      (p.bias == nullptr) ? _mm_setzero_ps() : _mm_maskz_loadu_ps(columns, p.bias + n0);
  for (int64_t m = 0; m < Min64(kTile, m_end - m0); ++m) {
    const __m128 values = _mm_load_ps(out + 4 * m);
    _mm_mask_storeu_ps(p.y + (m0 + m) * p.y_stride + n0, columns,
                       p.bias == nullptr ? values : _mm_add_ps(values, bias));
  }
}

// Decode schedule: 4x4 tiles over the whole K; the first group of activation rows streams each
// weight tile from memory, prefetching the next one, and the other groups find it in cache.
template <typename Kind>
void StreamWeights(const MatmulProblem& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                   int64_t n_end) {
  alignas(64) typename Kind::Acc acc[16];
  for (int64_t n0 = n_begin; n0 < n_end; n0 += kTile) {
    for (int64_t m0 = m_begin; m0 < m_end; m0 += kTile) {
      ZeroTile<Kind>(acc);
      if (m0 == m_begin) {
        RunSquareTile<Kind, true>(p, m0, m_end, n0, n_end, 0, Kind::Columns(p), acc);
      } else {
        RunSquareTile<Kind, false>(p, m0, m_end, n0, n_end, 0, Kind::Columns(p), acc);
      }
      StoreTile<Kind>(p, m0, m_end, n0, n_end, acc);
    }
  }
}

// Prefill schedule for the activation rows [m0, m_end) (at most kGroupRows) and weight rows
// [n_begin, n_end) (at most kChunkRows): K block by K block, every 4x4 tile of the rectangle.
template <typename Kind>
void ReuseWeights(const MatmulProblem& p, int64_t m0, int64_t m_end, int64_t n_begin, int64_t n_end,
                  typename Kind::Acc* acc) {
  const int64_t columns = Kind::Columns(p);
  const int64_t block = kBlockRowBytes / Kind::kWeightBytes;
  constexpr int64_t kTilesPerRow = kChunkRows / kTile;
  auto tile_acc = [&](int64_t m, int64_t n0) {
    return acc + (((m - m0) / kTile) * kTilesPerRow + (n0 - n_begin) / kTile) * 16;
  };
  for (int64_t index = 0; index < (kGroupRows / kTile) * kTilesPerRow; ++index) {
    ZeroTile<Kind>(acc + index * 16);
  }
  for (int64_t begin = 0; begin < columns; begin += block) {
    const int64_t end = Min64(columns, begin + block);
    for (int64_t m = m0; m < m_end; m += kTile) {
      for (int64_t n0 = n_begin; n0 < n_end; n0 += kTile) {
        RunSquareTile<Kind, false>(p, m, m_end, n0, n_end, begin, end, tile_acc(m, n0));
      }
    }
  }
  for (int64_t m = m0; m < m_end; m += kTile) {
    for (int64_t n0 = n_begin; n0 < n_end; n0 += kTile) {
      StoreTile<Kind>(p, m, m_end, n0, n_end, tile_acc(m, n0));
    }
  }
}

template <typename Kind>
void GemmLoop(const MatmulProblem& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
              int64_t n_end) {
  if (p.stream_weights) return StreamWeights<Kind>(p, m_begin, m_end, n_begin, n_end);
  alignas(64) typename Kind::Acc acc[(kGroupRows / kTile) * (kChunkRows / kTile) * 16];
  for (int64_t n0 = n_begin; n0 < n_end; n0 += kChunkRows) {
    for (int64_t m0 = m_begin; m0 < m_end; m0 += kGroupRows) {
      ReuseWeights<Kind>(p, m0, Min64(m_end, m0 + kGroupRows), n0, Min64(n_end, n0 + kChunkRows),
                         acc);
    }
  }
}

void Gemm(const MatmulProblem& p, int64_t m_begin, int64_t m_end, int64_t n_begin, int64_t n_end) {
  switch (p.w_type) {
    case DType::kF32:
      return GemmLoop<FloatKind<false>>(p, m_begin, m_end, n_begin, n_end);
    case DType::kF16:
      return GemmLoop<FloatKind<true>>(p, m_begin, m_end, n_begin, n_end);
    case DType::kBF16:
      return GemmLoop<Bf16Kind>(p, m_begin, m_end, n_begin, n_end);
    case DType::kInt8:
      return GemmLoop<Int8Kind>(p, m_begin, m_end, n_begin, n_end);
    case DType::kInt8Block:
      return GemmLoop<Int8BlockKind>(p, m_begin, m_end, n_begin, n_end);
  }
}

void ConvertRowToBf16(const float* x, int64_t cols, int64_t padded_cols, uint16_t* out) {
  for (int64_t i = 0; i < padded_cols; i += 16) {
    const __m512 v = _mm512_maskz_loadu_ps(LowMask16(cols > i ? cols - i : 0), x + i);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), ToBf16(v));
  }
}

void QuantizeRow(const float* x, int64_t cols, int64_t padded_cols, int64_t block, int8_t* q,
                 float* scales, int32_t* sums) {
  for (int64_t start = 0, b = 0; start < padded_cols; start += block, ++b) {
    __m512 absmax = _mm512_setzero_ps();
    for (int64_t i = start; i < start + block && i < cols; i += 16) {
      const __m512 v = _mm512_maskz_loadu_ps(LowMask16(cols - i), x + i);
      absmax = _mm512_max_ps(absmax, _mm512_abs_ps(v));
    }
    const float amax = ReduceMax(absmax);
    scales[b] = amax / 127.0f;
    const __m512 inverse = _mm512_set1_ps(amax > 0.0f ? 127.0f / amax : 0.0f);
    __m512i sum = _mm512_setzero_si512();
    for (int64_t i = start; i < start + block; i += 16) {
      const __m512 v = _mm512_maskz_loadu_ps(LowMask16(cols > i ? cols - i : 0), x + i);
      __m512i qv = _mm512_cvtps_epi32(_mm512_mul_ps(v, inverse));  // MXCSR: round half to even
      qv = _mm512_min_epi32(_mm512_max_epi32(qv, _mm512_set1_epi32(-127)), _mm512_set1_epi32(127));
      sum = _mm512_add_epi32(sum, qv);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q + i), _mm512_cvtepi32_epi8(qv));
    }
    sums[b] = _mm512_reduce_add_epi32(sum);
  }
}

constexpr MatmulKernels kKernels{
    .bf16_activations = true,
    .convert_row_to_bf16 = &ConvertRowToBf16,
    .quantize_row = &QuantizeRow,
    .gemm = &Gemm,
};

}  // namespace
}  // namespace avx512

const MatmulKernels& Avx512MatmulKernels() { return avx512::kKernels; }

}  // namespace radixlm::engine::kernels
