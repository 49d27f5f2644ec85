#include "src/engine/model/safetensors_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <utility>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/model/file_util.h"
#include "src/engine/model/safetensors_format.h"

namespace radixlm::engine {
namespace {

// Byte count of a tensor; InvalidArgument for a negative dimension or a size past 2^63.
absl::StatusOr<std::uint64_t> TensorBytes(const TensorSpec& spec) {
  if (!IsFloatDType(spec.dtype)) {
    return absl::InvalidArgumentError(StrCat("tensor '", spec.name, "' has element type ",
                                             DTypeName(spec.dtype),
                                             "; safetensors files here hold F32, F16 or BF16"));
  }
  std::uint64_t bytes = ElementBytes(spec.dtype);
  for (std::int64_t dim : spec.shape) {
    if (dim < 0 || __builtin_mul_overflow(bytes, static_cast<std::uint64_t>(dim), &bytes) ||
        bytes > static_cast<std::uint64_t>(INT64_MAX)) {
      return absl::InvalidArgumentError(StrCat("tensor '", spec.name, "' has shape ",
                                               ShapeToString(spec.shape),
                                               ", which is negative or too large"));
    }
  }
  return bytes;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SafetensorsWriter>> SafetensorsWriter::Create(
    const std::string& path, std::vector<TensorSpec> tensors,
    const std::map<std::string, std::string>& metadata) {
  std::set<std::string> names;
  for (const TensorSpec& spec : tensors) {
    if (spec.name.empty() || spec.name == "__metadata__" || !names.insert(spec.name).second) {
      return absl::InvalidArgumentError(
          StrCat("cannot write tensor name '", spec.name, "' to ", path,
                 ": names must be non-empty, unique and not \"__metadata__\""));
    }
  }
  std::stable_sort(tensors.begin(), tensors.end(), [](const TensorSpec& a, const TensorSpec& b) {
    return ElementBytes(a.dtype) > ElementBytes(b.dtype);
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const TensorSpec& spec : tensors) {
    absl::StatusOr<std::uint64_t> bytes = TensorBytes(spec);
    if (!bytes.ok()) return bytes.status();
    header[spec.name] = {{"dtype", SafetensorsDTypeName(spec.dtype)},
                         {"shape", spec.shape},
                         {"data_offsets", {offset, offset + *bytes}}};
    offset += *bytes;
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  const std::string temporary = StrCat(path, ".tmp.", ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return internal::ErrnoError(errno, "cannot create", temporary);
  std::unique_ptr<SafetensorsWriter> writer(
      new SafetensorsWriter(path, temporary, fd, std::move(tensors), offset));

  std::byte length[8];
  for (int i = 0; i < 8; ++i) {
    length[i] = static_cast<std::byte>((header_text.size() >> (8 * i)) & 0xFF);
  }
  absl::Status status = writer->WriteAll(length);
  if (status.ok()) status = writer->WriteAll(std::as_bytes(std::span(header_text)));
  if (!status.ok()) return status;
  return writer;
}

SafetensorsWriter::SafetensorsWriter(std::string path, std::string temporary_path, int fd,
                                     std::vector<TensorSpec> order, std::uint64_t data_bytes)
    : path_(std::move(path)),
      temporary_path_(std::move(temporary_path)),
      fd_(fd),
      order_(std::move(order)),
      data_bytes_(data_bytes) {}

SafetensorsWriter::~SafetensorsWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temporary_path_.c_str());
  }
}

absl::Status SafetensorsWriter::WriteAll(std::span<const std::byte> bytes) {
  if (fd_ < 0) return absl::FailedPreconditionError(StrCat(path_, " is already finished"));
  while (!bytes.empty()) {
    const ssize_t wrote = ::write(fd_, bytes.data(), bytes.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return internal::ErrnoError(errno, "cannot write", temporary_path_);
    bytes = bytes.subspan(static_cast<std::size_t>(wrote));
  }
  return absl::OkStatus();
}

absl::Status SafetensorsWriter::Append(std::span<const std::byte> bytes) {
  if (bytes.size() > data_bytes_ - written_bytes_) {
    return absl::FailedPreconditionError(
        StrCat("appending ", bytes.size(), " bytes to ", path_, " would pass the end of its ",
               data_bytes_, "-byte data section (", written_bytes_, " written)"));
  }
  absl::Status status = WriteAll(bytes);
  if (status.ok()) written_bytes_ += bytes.size();
  return status;
}

absl::Status SafetensorsWriter::Finish() {
  if (fd_ < 0) return absl::FailedPreconditionError(StrCat(path_, " is already finished"));
  if (written_bytes_ != data_bytes_) {
    return absl::FailedPreconditionError(StrCat(path_, " is incomplete: ", written_bytes_, " of ",
                                                data_bytes_, " data bytes written"));
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    const int error_number = errno;
    ::unlink(temporary_path_.c_str());
    return internal::ErrnoError(error_number, "cannot write", temporary_path_);
  }
  if (::rename(temporary_path_.c_str(), path_.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temporary_path_.c_str());
    return internal::ErrnoError(error_number, "cannot rename the temporary file onto", path_);
  }
  return absl::OkStatus();
}

absl::Status WriteSafetensors(const std::string& path, const std::vector<TensorData>& tensors,
                              const std::map<std::string, std::string>& metadata) {
  std::vector<TensorSpec> specs;
  std::map<std::string, std::span<const std::byte>> data_by_name;
  for (const TensorData& tensor : tensors) {
    const TensorSpec spec{tensor.name, tensor.dtype, tensor.shape};
    absl::StatusOr<std::uint64_t> bytes = TensorBytes(spec);
    if (!bytes.ok()) return bytes.status();
    if (*bytes != tensor.data.size()) {
      return absl::InvalidArgumentError(
          StrCat("tensor '", tensor.name, "' has shape ", ShapeToString(tensor.shape), " of ",
                 SafetensorsDTypeName(tensor.dtype), " (", *bytes, " bytes) but ",
                 tensor.data.size(), " bytes of data"));
    }
    specs.push_back(spec);
    data_by_name[tensor.name] = tensor.data;
  }
  absl::StatusOr<std::unique_ptr<SafetensorsWriter>> writer =
      SafetensorsWriter::Create(path, std::move(specs), metadata);
  if (!writer.ok()) return writer.status();
  for (const TensorSpec& spec : (*writer)->data_order()) {
    absl::Status status = (*writer)->Append(data_by_name[spec.name]);
    if (!status.ok()) return status;
  }
  return (*writer)->Finish();
}

}  // namespace radixlm::engine
