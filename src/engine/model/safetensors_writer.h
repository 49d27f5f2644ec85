// Writing safetensors files that Hugging Face's `safetensors` (and our reader) accept.
//
// The file is the 8-byte little-endian header length, the JSON header padded with spaces to a
// multiple of 8 bytes, then the tensors' bytes back to back. Tensors are laid out by element size,
// largest first (as the reference writer sorts them), so that every tensor starts at a multiple
// of its element size; the header lists them in that order, after "__metadata__".
//
// The file appears atomically: bytes go to a temporary file beside `path`, renamed over `path`
// by Finish(). A writer destroyed before Finish() removes its temporary file.
//
// Thread safety: a SafetensorsWriter is used by one thread at a time.
#ifndef RADIXLM_SRC_ENGINE_MODEL_SAFETENSORS_WRITER_H_
#define RADIXLM_SRC_ENGINE_MODEL_SAFETENSORS_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/engine/model/dtype.h"

namespace radixlm::engine {

// TensorSpec names a tensor to be written and its type and shape.
struct TensorSpec {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
};

// TensorData is a tensor to be written with its bytes (row-major, little-endian elements).
struct TensorData {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  std::span<const std::byte> data;
};

// SafetensorsWriter writes one file whose tensor data arrives in pieces, for tensors too large
// to hold in memory at once.
class SafetensorsWriter {
 public:
  // Create() writes the header. InvalidArgument for an empty, duplicate or reserved
  // ("__metadata__") name or a negative dimension; errno codes when the file cannot be created.
  static absl::StatusOr<std::unique_ptr<SafetensorsWriter>> Create(
      const std::string& path, std::vector<TensorSpec> tensors,
      const std::map<std::string, std::string>& metadata);

  SafetensorsWriter(const SafetensorsWriter&) = delete;
  SafetensorsWriter& operator=(const SafetensorsWriter&) = delete;
  ~SafetensorsWriter();

  // data_order() is the order in which Append() expects the tensors' bytes.
  const std::vector<TensorSpec>& data_order() const { return order_; }

  // data_bytes() is the size of the data section (the sum of all tensors' bytes).
  std::uint64_t data_bytes() const { return data_bytes_; }

  // Append() writes the next `bytes` of the data section. FailedPrecondition past its end.
  absl::Status Append(std::span<const std::byte> bytes);

  // Finish() checks that the whole data section was written and moves the file into place.
  absl::Status Finish();

 private:
  SafetensorsWriter(std::string path, std::string temporary_path, int fd,
                    std::vector<TensorSpec> order, std::uint64_t data_bytes);
  absl::Status WriteAll(std::span<const std::byte> bytes);

  std::string path_;
  std::string temporary_path_;
  int fd_;  // -1 once closed
  std::vector<TensorSpec> order_;
  std::uint64_t data_bytes_;
  std::uint64_t written_bytes_ = 0;
};

// WriteSafetensors() writes `tensors` (each data span must hold exactly its shape's bytes) and
// `metadata` to `path`.
absl::Status WriteSafetensors(const std::string& path, const std::vector<TensorData>& tensors,
                              const std::map<std::string, std::string>& metadata = {});

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_SAFETENSORS_WRITER_H_
