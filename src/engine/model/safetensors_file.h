// SafetensorsFile: one .safetensors file mapped read-only into memory.
//
// The file is mmap'd (PROT_READ, MAP_PRIVATE) and validated whole by ParseSafetensors() before
// Open() returns, so every TensorView it hands out points at bytes that exist. Weights are never
// copied; the pages load on first touch. The mapping lives as long as the object, so views must
// not outlive it. If another process truncates the file while it is mapped, touching the lost
// pages raises SIGBUS; model files are expected to stay put while served.
//
// Thread safety: immutable after Open(); safe to share between threads.
#ifndef RADIXLM_SRC_ENGINE_MODEL_SAFETENSORS_FILE_H_
#define RADIXLM_SRC_ENGINE_MODEL_SAFETENSORS_FILE_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/model/safetensors_format.h"

namespace radixlm::engine {

class SafetensorsFile {
 public:
  // Open() maps and validates the file at `path`. NotFound when it does not exist, DataLoss or
  // Unimplemented as ParseSafetensors() says, other codes as errno maps them.
  static absl::StatusOr<std::unique_ptr<SafetensorsFile>> Open(const std::string& path);

  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();

  const std::string& path() const { return path_; }
  const std::map<std::string, std::string>& metadata() const { return layout_.metadata; }
  // tensors() lists the tensors in data-section order.
  const std::vector<TensorView>& tensors() const { return layout_.tensors; }
  // Find() returns the tensor called `name`, or nullptr.
  const TensorView* Find(std::string_view name) const;
  // ReleasePages() drops the mapping's resident pages inside [data, data + bytes) (whole pages
  // only) when that range lies in this file; the views stay valid and re-read the file if touched
  // again. Called once a tensor has been copied, so a loaded model does not hold its weights twice.
  // Returns whether the range was in this file.
  bool ReleasePages(const std::byte* data, std::size_t bytes) const;

 private:
  SafetensorsFile(std::string path, void* mapping, std::size_t mapping_bytes,
                  SafetensorsLayout layout);

  std::string path_;
  void* mapping_;  // never null: empty files are rejected before mapping
  std::size_t mapping_bytes_;
  SafetensorsLayout layout_;
  std::map<std::string, std::size_t, std::less<>> index_by_name_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_SAFETENSORS_FILE_H_
