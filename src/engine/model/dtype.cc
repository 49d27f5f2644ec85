#include "src/engine/model/dtype.h"

namespace radixlm::engine {

std::size_t ElementBytes(DType dtype) { return static_cast<std::size_t>(FloatDTypeBytes(dtype)); }

std::string_view SafetensorsDTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF16:
      return "F16";
    case DType::kBF16:
      return "BF16";
    default:
      return "F32";
  }
}

std::string_view TorchDTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF16:
      return "float16";
    case DType::kBF16:
      return "bfloat16";
    default:
      return "float32";
  }
}

}  // namespace radixlm::engine
