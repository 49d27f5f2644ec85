#include "src/engine/model/checkpoint.h"

#include <filesystem>
#include <set>
#include <utility>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/model/file_util.h"
#include "src/engine/model/json_fields.h"

namespace radixlm::engine {
namespace {

// Indexes of the largest published models are a few MB; anything far beyond is not an index.
constexpr std::size_t kMaxIndexBytes = 64 << 20;

// A shard must be a plain file name in the index's folder: no directories, no "..".
bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

absl::Status Checkpoint::AddFile(std::unique_ptr<SafetensorsFile> file) {
  for (const TensorView& view : file->tensors()) {
    auto [it, inserted] = tensors_.emplace(view.name, &view);
    if (!inserted) {
      std::string first_holder;
      for (const auto& earlier : files_) {
        if (earlier->Find(view.name) != nullptr) first_holder = earlier->path();
      }
      return absl::DataLossError(StrCat("tensor '", view.name, "' is in both ", first_holder,
                                        " and ", file->path(),
                                        "; a checkpoint holds each tensor once"));
    }
  }
  files_.push_back(std::move(file));
  return absl::OkStatus();
}

absl::StatusOr<Checkpoint> Checkpoint::OpenFile(const std::string& path) {
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> file = SafetensorsFile::Open(path);
  if (!file.ok()) return file.status();
  Checkpoint checkpoint;
  absl::Status status = checkpoint.AddFile(*std::move(file));
  if (!status.ok()) return status;
  return checkpoint;
}

absl::StatusOr<Checkpoint> Checkpoint::OpenIndex(const std::string& index_path) {
  absl::StatusOr<std::string> text = internal::ReadSmallFile(index_path, kMaxIndexBytes);
  if (!text.ok()) return text.status();
  absl::StatusOr<nlohmann::json> root = internal::ParseJsonObject(*text, index_path);
  if (!root.ok()) return absl::DataLossError(root.status().message());
  const auto weight_map = root->find("weight_map");
  if (weight_map == root->end() || !weight_map->is_object() || weight_map->empty()) {
    return absl::DataLossError(StrCat(index_path,
                                      ": 'weight_map' must be a non-empty object mapping tensor "
                                      "names to shard file names"));
  }
  std::set<std::string> shards;
  for (const auto& [tensor, shard] : weight_map->items()) {
    if (!shard.is_string() || !IsPlainFileName(shard.get<std::string>())) {
      return absl::DataLossError(StrCat(index_path, ": tensor '", tensor, "' maps to ",
                                        internal::DescribeJson(shard),
                                        "; expected a file name in the index's folder"));
    }
    shards.insert(shard.get<std::string>());
  }

  const std::filesystem::path folder = std::filesystem::path(index_path).parent_path();
  Checkpoint checkpoint;
  std::map<std::string, const SafetensorsFile*> opened;
  for (const std::string& shard : shards) {
    absl::StatusOr<std::unique_ptr<SafetensorsFile>> file =
        SafetensorsFile::Open((folder / shard).string());
    if (!file.ok()) {
      return absl::Status(file.status().code(),
                          StrCat(file.status().message(), " (a shard named by ", index_path, ")"));
    }
    opened[shard] = file->get();
    absl::Status status = checkpoint.AddFile(*std::move(file));
    if (!status.ok()) return status;
  }
  for (const auto& [tensor, shard] : weight_map->items()) {
    const SafetensorsFile* file = opened[shard.get<std::string>()];
    if (file->Find(tensor) == nullptr) {
      return absl::DataLossError(StrCat(index_path, " says tensor '", tensor, "' is in ",
                                        file->path(), ", which does not hold it"));
    }
  }
  return checkpoint;
}

absl::StatusOr<Checkpoint> Checkpoint::OpenFolder(const std::string& dir) {
  const std::filesystem::path folder(dir);
  std::error_code error;
  const std::filesystem::path single = folder / kSafetensorsWeightsName;
  if (std::filesystem::exists(single, error)) return OpenFile(single.string());
  const std::filesystem::path index = folder / kSafetensorsIndexName;
  if (std::filesystem::exists(index, error)) return OpenIndex(index.string());
  const bool has_pytorch_bin =
      std::filesystem::exists(folder / "pytorch_model.bin", error) ||
      std::filesystem::exists(folder / "pytorch_model.bin.index.json", error);
  return absl::NotFoundError(
      StrCat("no weights in ", dir, ": expected ", kSafetensorsWeightsName, " or ",
             kSafetensorsIndexName, " with its shards",
             has_pytorch_bin ? "; PyTorch .bin checkpoints are not supported, convert them to "
                               "safetensors (e.g. save_pretrained(..., safe_serialization=True))"
                             : ""));
}

const TensorView* Checkpoint::Find(std::string_view name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : it->second;
}

void Checkpoint::ReleasePages(const TensorView& tensor) const {
  for (const std::unique_ptr<SafetensorsFile>& file : files_) {
    if (file->ReleasePages(tensor.data, tensor.ByteSize())) return;
  }
}

}  // namespace radixlm::engine
