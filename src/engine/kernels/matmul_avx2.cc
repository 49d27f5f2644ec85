// AVX2 matmul kernels (compiled with -mavx2 -mfma -mf16c; called only when ActiveIsa() is kAvx2).
//
// The same dot-product scheme as the AVX-512 path with 8-lane vectors and a 2x4 register tile
// (16 ymm registers do not hold more). bf16 and f16 weights are widened to f32 and multiplied
// with f32 activations; int8 uses vpmaddubsw with llama.cpp's sign trick (|w| * sign(x, w)), which
// cannot saturate because |q| <= 127.
#include <cstdint>

#include "src/engine/kernels/matmul_kernels.h"
#include "src/engine/kernels/simd_avx2.h"

namespace radixlm::engine::kernels {
namespace avx2 {
namespace {

constexpr int kTileM = 2;
constexpr int kTileN = 4;

inline int64_t Min64(int64_t a, int64_t b) { return a < b ? a : b; }

struct TileRows {
  int64_t m0;
  int64_t n[kTileN];
};

template <typename T>
const T* WeightRow(const MatmulProblem& p, int64_t row) {
  return reinterpret_cast<const T*>(p.w + row * p.w_row_bytes);
}

// Loads 8 weights of row `row` from column i; the last partial vector of a row is copied to a
// zero-padded buffer first so that no byte past the row is read.
inline __m256 LoadWeights8(const MatmulProblem& p, int64_t row, int64_t i) {
  const int64_t available = p.k - i;
  if (p.w_type == DType::kF32) {
    const float* w = WeightRow<float>(p, row) + i;
    return available >= 8 ? _mm256_loadu_ps(w) : _mm256_maskload_ps(w, LowMask8(available));
  }
  const uint16_t* w = WeightRow<uint16_t>(p, row) + i;
  alignas(16) uint16_t tail[8] = {};
  if (available < 8) {
    for (int64_t j = 0; j < available; ++j) tail[j] = w[j];
    w = tail;
  }
  return p.w_type == DType::kF16 ? LoadF16(w) : LoadBf16(w);
}

template <int kMr>
void FloatTile(const MatmulProblem& p, const TileRows& rows, float* out) {
  __m256 acc[8];
  for (auto& a : acc) a = _mm256_setzero_ps();
  const float* x[kTileM];
  for (int m = 0; m < kMr; ++m) x[m] = p.x + (rows.m0 + m) * p.x_stride;
  for (int64_t i = 0; i < p.k; i += 8) {
    __m256 w[kTileN];
    for (int n = 0; n < kTileN; ++n) w[n] = LoadWeights8(p, rows.n[n], i);
    const __m256i mask = LowMask8(p.k - i);
    for (int m = 0; m < kMr; ++m) {
      const __m256 xv =
          (p.k - i >= 8) ? _mm256_loadu_ps(x[m] + i) : _mm256_maskload_ps(x[m] + i, mask);
      for (int n = 0; n < kTileN; ++n) acc[n * 2 + m] = _mm256_fmadd_ps(xv, w[n], acc[n * 2 + m]);
    }
  }
  _mm256_storeu_ps(out, Reduce8(acc));
}

// Sum of q_x * q_w over 32 bytes, as 8 int32 lanes (W stored as q_w + 128).
inline __m256i DotInt8x32(__m256i w_biased, __m256i x) {
  const __m256i w = _mm256_xor_si256(w_biased, _mm256_set1_epi8(static_cast<char>(0x80)));
  const __m256i products = _mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(x, w));
  return _mm256_madd_epi16(products, _mm256_set1_epi16(1));
}

inline int32_t ReduceAddEpi32(__m256i v) {
  const __m128i t = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i u = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4e));
  return _mm_cvtsi128_si32(_mm_add_epi32(u, _mm_shuffle_epi32(u, 0xb1)));
}

template <int kMr>
void Int8Tile(const MatmulProblem& p, const TileRows& rows, float* out) {
  const int8_t* x[kTileM];
  for (int m = 0; m < kMr; ++m) x[m] = p.x_q + (rows.m0 + m) * p.k_padded;
  const uint8_t* w[kTileN];
  for (int n = 0; n < kTileN; ++n) w[n] = WeightRow<uint8_t>(p, rows.n[n]);
  if (p.w_type == DType::kInt8) {
    __m256i acc[8];
    for (auto& a : acc) a = _mm256_setzero_si256();
    for (int64_t i = 0; i < p.k_padded; i += 32) {
      for (int m = 0; m < kMr; ++m) {
        const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[m] + i));
        for (int n = 0; n < kTileN; ++n) {
          const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[n] + i));
          acc[n * 2 + m] = _mm256_add_epi32(acc[n * 2 + m], DotInt8x32(wv, xv));
        }
      }
    }
    for (int m = 0; m < kMr; ++m) {
      const int64_t row = rows.m0 + m;
      for (int n = 0; n < kTileN; ++n) {
        out[m * 4 + n] = static_cast<float>(ReduceAddEpi32(acc[n * 2 + m])) * p.x_scales[row] *
                         p.w_scales[rows.n[n]];
      }
    }
    return;
  }
  __m256 acc[8];
  for (auto& a : acc) a = _mm256_setzero_ps();
  for (int64_t block = 0; block < p.scales_per_row; ++block) {
    const int64_t i = block * 64;
    for (int m = 0; m < kMr; ++m) {
      const int64_t row = rows.m0 + m;
      const __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[m] + i));
      const __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[m] + i + 32));
      const __m256 xscale = _mm256_set1_ps(p.x_scales[row * p.scales_per_row + block]);
      for (int n = 0; n < kTileN; ++n) {
        const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[n] + i));
        const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[n] + i + 32));
        const __m256i dot = _mm256_add_epi32(DotInt8x32(w0, x0), DotInt8x32(w1, x1));
        const __m256 wscale = _mm256_set1_ps(p.w_scales[rows.n[n] * p.scales_per_row + block]);
        acc[n * 2 + m] =
            _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(dot), xscale), wscale, acc[n * 2 + m]);
      }
    }
  }
  _mm256_storeu_ps(out, Reduce8(acc));
}

void Gemm(const MatmulProblem& p, int64_t m_begin, int64_t m_end, int64_t n_begin, int64_t n_end) {
  const bool int8 = p.w_type == DType::kInt8 || p.w_type == DType::kInt8Block;
  // Weight tiles outer: each is read from memory once and reused from L1 by every row group.
  for (int64_t n0 = n_begin; n0 < n_end; n0 += kTileN) {
    const int64_t rows_n = Min64(kTileN, n_end - n0);
    for (int64_t m0 = m_begin; m0 < m_end; m0 += kTileM) {
      const int64_t rows_m = Min64(kTileM, m_end - m0);
      TileRows rows{m0, {}};
      for (int n = 0; n < kTileN; ++n) rows.n[n] = n0 + Min64(n, rows_n - 1);
      alignas(32) float out[8];
      if (int8) {
        rows_m == 1 ? Int8Tile<1>(p, rows, out) : Int8Tile<2>(p, rows, out);
      } else {
        rows_m == 1 ? FloatTile<1>(p, rows, out) : FloatTile<2>(p, rows, out);
      }
      for (int64_t m = 0; m < rows_m; ++m) {
        float* y = p.y + (m0 + m) * p.y_stride + n0;
        for (int64_t n = 0; n < rows_n; ++n) {
          y[n] = (p.bias == nullptr) ? out[m * 4 + n] : out[m * 4 + n] + p.bias[n0 + n];
        }
      }
    }
  }
}

void QuantizeRow(const float* x, int64_t cols, int64_t padded_cols, int64_t block, int8_t* q,
                 float* scales, int32_t* sums) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  for (int64_t start = 0, b = 0; start < padded_cols; start += block, ++b) {
    __m256 absmax = _mm256_setzero_ps();
    for (int64_t i = start; i < start + block && i < cols; i += 8) {
      const __m256 v = _mm256_maskload_ps(x + i, LowMask8(cols - i));
      absmax = _mm256_max_ps(absmax, _mm256_and_ps(v, abs_mask));
    }
    const float amax = ReduceMax(absmax);
    scales[b] = amax / 127.0f;
    const __m256 inverse = _mm256_set1_ps(amax > 0.0f ? 127.0f / amax : 0.0f);
    __m256i sum = _mm256_setzero_si256();
    for (int64_t i = start; i < start + block; i += 8) {
      const __m256 v = _mm256_maskload_ps(x + i, LowMask8(cols > i ? cols - i : 0));
      __m256i qv = _mm256_cvtps_epi32(_mm256_mul_ps(v, inverse));  // round half to even
      qv = _mm256_min_epi32(_mm256_max_epi32(qv, _mm256_set1_epi32(-127)), _mm256_set1_epi32(127));
      sum = _mm256_add_epi32(sum, qv);
      alignas(32) int32_t lanes[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), qv);
      for (int j = 0; j < 8; ++j) q[i + j] = static_cast<int8_t>(lanes[j]);
    }
    sums[b] = ReduceAddEpi32(sum);
  }
}

constexpr MatmulKernels kKernels{
    .bf16_activations = false,
    .convert_row_to_bf16 = nullptr,
    .quantize_row = &QuantizeRow,
    .gemm = &Gemm,
};

}  // namespace
}  // namespace avx2

const MatmulKernels& Avx2MatmulKernels() { return avx2::kKernels; }

}  // namespace radixlm::engine::kernels
