// The safetensors file format: validation of a whole file's bytes, and the TensorView it yields.
//
// Layout (https://github.com/huggingface/safetensors, "Format"): an unsigned little-endian 64-bit
// header length N, N bytes of UTF-8 JSON (padded with spaces), then the data section. The JSON maps
// each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the
// data section) and may hold "__metadata__", a string-to-string map.
//
// ParseSafetensors() trusts nothing in the file: it checks every length and offset before any
// pointer is formed, so a truncated or hostile file yields an error naming the file and the
// tensor, never an out-of-bounds read. It applies the same rules as the reference implementation
// (tensors packed back to back from offset 0 to the end of the file, no overlaps, no gaps), and
// accepts only the weight dtypes F32, F16 and BF16.
//
// Thread safety: pure function; the returned views point into the caller's bytes.
#ifndef RADIXLM_SRC_ENGINE_MODEL_SAFETENSORS_FORMAT_H_
#define RADIXLM_SRC_ENGINE_MODEL_SAFETENSORS_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/model/dtype.h"

namespace radixlm::engine {

// TensorView is one tensor of a checkpoint: row-major, densely packed, in its stored dtype. `data`
// points into a mapping owned by a SafetensorsFile (or Checkpoint), which must outlive the view.
struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  const std::byte* data = nullptr;

  // NumElements() is the product of the dimensions (1 for a scalar).
  std::int64_t NumElements() const;
  // ByteSize() is NumElements() × ElementBytes(dtype).
  std::size_t ByteSize() const;
};

// ShapeToString() renders a shape as "[576, 1536]".
std::string ShapeToString(const std::vector<std::int64_t>& shape);

// SafetensorsLayout is what a valid file holds.
struct SafetensorsLayout {
  std::uint64_t header_bytes = 0;  // N: the JSON header's length
  std::map<std::string, std::string> metadata;
  std::vector<TensorView> tensors;  // ordered by position in the data section
};

// kMaxSafetensorsHeaderBytes is the reference implementation's limit on N (MAX_HEADER_SIZE).
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// ParseSafetensors() validates `file` (the complete file contents) and returns its tensors.
// DataLoss for a truncated or inconsistent file, Unimplemented for a dtype other than F32, F16,
// BF16. Messages start with `file_name` and name the offending tensor.
absl::StatusOr<SafetensorsLayout> ParseSafetensors(std::span<const std::byte> file,
                                                   std::string_view file_name);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_SAFETENSORS_FORMAT_H_
