// How checkpoints name weight element types.
//
// The element type itself is the engine's one DType (src/engine/kernels/dtype.h), together with
// the exact scalar conversions; a checkpoint's weights are one of its float types (kF32, kF16,
// kBF16). This file maps them to the names safetensors headers and config.json use.
//
// Thread safety: all functions are pure.
#ifndef RADIXLM_SRC_ENGINE_MODEL_DTYPE_H_
#define RADIXLM_SRC_ENGINE_MODEL_DTYPE_H_

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "src/engine/kernels/dtype.h"

namespace radixlm::engine {

// ElementBytes() returns the size of one element of a float DType in bytes (4 or 2).
std::size_t ElementBytes(DType dtype);

// SafetensorsDTypeName() returns the safetensors name of a float type: "F32", "F16" or "BF16".
std::string_view SafetensorsDTypeName(DType dtype);

// TorchDTypeName() returns the name config.json's `torch_dtype` uses: "float32", "float16" or
// "bfloat16".
std::string_view TorchDTypeName(DType dtype);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_DTYPE_H_
