// libFuzzer target for the safetensors parser: any byte string must yield either an error or
// views that lie inside the input (every byte of every view is read here, so ASan catches a view
// that does not).
#include <cstddef>
#include <cstdint>

#include "src/engine/model/safetensors_format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const absl::StatusOr<radixlm::engine::SafetensorsLayout> layout =
      radixlm::engine::ParseSafetensors({reinterpret_cast<const std::byte*>(data), size},
                                        "fuzz.safetensors");
  if (!layout.ok()) return 0;
  volatile std::uint8_t checksum = 0;
  for (const radixlm::engine::TensorView& view : layout->tensors) {
    for (std::size_t i = 0; i < view.ByteSize(); ++i) {
      checksum = checksum ^ static_cast<std::uint8_t>(view.data[i]);
    }
  }
  return 0;
}
