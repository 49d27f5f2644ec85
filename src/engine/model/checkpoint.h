// Checkpoint: the weight files of one model, single-file or sharded, opened once each.
//
// A Hugging Face model folder holds either `model.safetensors` or `model.safetensors.index.json`,
// whose "weight_map" names the shard (model-00001-of-00002.safetensors, ...) of every tensor.
// Checkpoint opens each file once and indexes all tensors by name; its views stay valid as long
// as the Checkpoint lives (moving a Checkpoint keeps them valid: the mappings do not move).
//
// Thread safety: immutable after opening; safe to share between threads.
#ifndef RADIXLM_SRC_ENGINE_MODEL_CHECKPOINT_H_
#define RADIXLM_SRC_ENGINE_MODEL_CHECKPOINT_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/model/safetensors_file.h"

namespace radixlm::engine {

// File names transformers uses (transformers.utils.SAFE_WEIGHTS_NAME / SAFE_WEIGHTS_INDEX_NAME).
inline constexpr std::string_view kSafetensorsWeightsName = "model.safetensors";
inline constexpr std::string_view kSafetensorsIndexName = "model.safetensors.index.json";

class Checkpoint {
 public:
  // OpenFile() opens one .safetensors file.
  static absl::StatusOr<Checkpoint> OpenFile(const std::string& path);

  // OpenIndex() opens a model.safetensors.index.json and every shard it names (in the index's
  // folder). DataLoss when the index is malformed, names a shard outside its folder, lists a tensor
  // its shard lacks, or two shards hold the same tensor.
  static absl::StatusOr<Checkpoint> OpenIndex(const std::string& index_path);

  // OpenFolder() opens `dir`/model.safetensors if present (as transformers prefers it), else
  // `dir`/model.safetensors.index.json. NotFound naming both when neither exists.
  static absl::StatusOr<Checkpoint> OpenFolder(const std::string& dir);

  Checkpoint() = default;
  Checkpoint(Checkpoint&&) = default;
  Checkpoint& operator=(Checkpoint&&) = default;

  // Find() returns the tensor called `name`, or nullptr.
  const TensorView* Find(std::string_view name) const;
  // Drops the resident file pages of `tensor` (see SafetensorsFile::ReleasePages); its view stays
  // valid. For tensors that were copied at load.
  void ReleasePages(const TensorView& tensor) const;

  // tensors() maps every tensor name to its view.
  const std::map<std::string, const TensorView*, std::less<>>& tensors() const { return tensors_; }

  // files() lists the opened files, in the order they were opened.
  const std::vector<std::unique_ptr<SafetensorsFile>>& files() const { return files_; }

 private:
  // AddFile() indexes the tensors of `file`; DataLoss if a name is already indexed.
  absl::Status AddFile(std::unique_ptr<SafetensorsFile> file);

  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const TensorView*, std::less<>> tensors_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_CHECKPOINT_H_
