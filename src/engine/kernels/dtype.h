// Element types of weights, activations and the KV cache, and exact conversions between them.
//
// The conversions here are the reference semantics every SIMD path must reproduce:
//   f32 -> bf16  round to nearest, ties to even; NaN stays NaN (quiet bit set); +-inf kept.
//   f32 -> f16   round to nearest, ties to even; overflow -> +-inf; f16 denormals produced.
//   bf16/f16 -> f32 exact.
//
// This header must stay free of heavy includes (no Abseil): the kernel files compiled with AVX-512
// flags include it, and must not pull in static initializers (such as <iostream>'s).
//
// Thread safety: all functions are pure.
#ifndef RADIXLM_SRC_ENGINE_KERNELS_DTYPE_H_
#define RADIXLM_SRC_ENGINE_KERNELS_DTYPE_H_

#include <bit>
#include <cstdint>
#include <optional>
#include <string_view>

namespace radixlm::engine {

// DType names how the elements of a tensor are stored.
//   kInt8       int8 weights with one f32 scale per output row (per channel); activations are
//               quantized per row (per token) on the fly: W8A8, the fastest int8 path.
//   kInt8Block  int8 weights with one f32 scale per block of kInt8BlockSize values of a row;
//               activations are quantized per block too (like llama.cpp's Q8_0), the more
//               accurate int8 path.
enum class DType : uint8_t { kF32, kF16, kBF16, kInt8, kInt8Block };

// Values per scale of DType::kInt8Block (and the padding unit of int8 rows).
inline constexpr int64_t kInt8BlockSize = 64;

// DTypeName() returns "f32", "f16", "bf16", "int8" or "int8_block".
std::string_view DTypeName(DType type);

// ParseDType() accepts the names DTypeName() returns (and "float32", "float16", "bfloat16", as in
// a checkpoint's config.json), in any case; nullopt for anything else.
std::optional<DType> ParseDType(std::string_view name);

// IsFloatDType() is true for kF32, kF16 and kBF16: the types a raw row-major matrix may have.
inline bool IsFloatDType(DType type) {
  return type == DType::kF32 || type == DType::kF16 || type == DType::kBF16;
}

// FloatDTypeBytes() returns 4, 2 or 2 for kF32, kF16, kBF16 (0 for the int8 types, whose rows
// carry scales and padding: see PackedWeights).
int64_t FloatDTypeBytes(DType type);

inline float Bf16ToF32(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

inline uint16_t F32ToBf16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) {  // NaN: truncating could make it inf.
    return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  }
  const uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);  // ties to even
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

float F16ToF32(uint16_t bits);
uint16_t F32ToF16(float value);

// ConvertToF32() widens `count` elements of a float type (kF32, kF16 or kBF16) to f32.
void ConvertToF32(const void* src, DType src_type, int64_t count, float* dst);

// ConvertFromF32() narrows `count` f32 values to kF32, kF16 or kBF16 with the rounding above.
void ConvertFromF32(const float* src, int64_t count, DType dst_type, void* dst);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_KERNELS_DTYPE_H_
