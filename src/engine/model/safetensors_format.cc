// Validation order matters: the header length is checked against the file before the header is
// read, each tensor's byte span against its shape and the data section before any pointer into the
// data is formed, and the JSON nesting depth before the JSON parser builds anything, so memory use
// stays proportional to the legitimate content however the header lies.
#include "src/engine/model/safetensors_format.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/model/json_fields.h"

namespace radixlm::engine {
namespace {

using Json = nlohmann::json;

// Root object → tensor entry → shape list. Anything deeper is not a safetensors header.
constexpr int kMaxHeaderDepth = 3;

// Dtypes the format defines that are not weight dtypes we compute with.
constexpr std::string_view kUnsupportedDTypes[] = {
    "BOOL", "U8",  "I8",      "I16",     "U16",     "I32",     "U32",     "I64", "U64",
    "F64",  "C64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4"};

constexpr std::string_view kSupportedList = "supported: F32, F16, BF16";

// MaxNestingDepth() counts bracket nesting outside strings; it does not validate the JSON.
int MaxNestingDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

absl::StatusOr<DType> ParseTensorDType(const Json& value, std::string_view file_name,
                                       const std::string& tensor) {
  if (!value.is_string()) {
    return absl::DataLossError(StrCat(file_name, ": tensor '", tensor, "' has dtype ",
                                      internal::DescribeJson(value), ", which is not a string"));
  }
  const std::string& name = value.get_ref<const std::string&>();
  if (name == "F32") return DType::kF32;
  if (name == "F16") return DType::kF16;
  if (name == "BF16") return DType::kBF16;
  const bool known = std::find(std::begin(kUnsupportedDTypes), std::end(kUnsupportedDTypes),
                               name) != std::end(kUnsupportedDTypes);
  return absl::UnimplementedError(StrCat(file_name, ": ", known ? "unsupported" : "unknown",
                                         " dtype ", name, " for tensor ", tensor, "; ",
                                         kSupportedList));
}

// ReadIndexList() reads a JSON list of non-negative integers.
bool ReadIndexList(const Json& value, std::vector<std::uint64_t>& out) {
  if (!value.is_array()) return false;
  for (const Json& element : value) {
    if (!element.is_number_unsigned()) return false;
    out.push_back(element.get<std::uint64_t>());
  }
  return true;
}

struct TensorEntry {
  TensorView view;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

absl::StatusOr<TensorEntry> ParseTensorEntry(const std::string& name, const Json& entry,
                                             std::string_view file_name, std::uint64_t data_bytes) {
  auto corrupt = [&](std::string_view what) {
    return absl::DataLossError(StrCat(file_name, ": tensor '", name, "' ", what));
  };
  if (!entry.is_object()) return corrupt("is not described by a JSON object");
  const auto dtype_it = entry.find("dtype");
  const auto shape_it = entry.find("shape");
  const auto offsets_it = entry.find("data_offsets");
  if (dtype_it == entry.end() || shape_it == entry.end() || offsets_it == entry.end()) {
    return corrupt("lacks one of 'dtype', 'shape', 'data_offsets'");
  }
  TensorEntry parsed;
  parsed.view.name = name;
  absl::StatusOr<DType> dtype = ParseTensorDType(*dtype_it, file_name, name);
  if (!dtype.ok()) return dtype.status();
  parsed.view.dtype = *dtype;

  std::vector<std::uint64_t> dims;
  if (!ReadIndexList(*shape_it, dims)) {
    return corrupt(StrCat("has shape ", internal::DescribeJson(*shape_it),
                          "; expected a list of non-negative integers"));
  }
  std::vector<std::uint64_t> offsets;
  if (!ReadIndexList(*offsets_it, offsets) || offsets.size() != 2 || offsets[0] > offsets[1]) {
    return corrupt(StrCat("has data_offsets ", internal::DescribeJson(*offsets_it),
                          "; expected [begin, end] with begin <= end"));
  }
  parsed.begin = offsets[0];
  parsed.end = offsets[1];

  std::uint64_t bytes = ElementBytes(parsed.view.dtype);
  for (std::uint64_t dim : dims) {
    if (dim > static_cast<std::uint64_t>(INT64_MAX) || __builtin_mul_overflow(bytes, dim, &bytes)) {
      return corrupt(
          StrCat("has shape ", internal::DescribeJson(*shape_it), " whose size overflows 64 bits"));
    }
    parsed.view.shape.push_back(static_cast<std::int64_t>(dim));
  }
  if (bytes != parsed.end - parsed.begin) {
    return corrupt(StrCat("has shape ", ShapeToString(parsed.view.shape), " of ",
                          SafetensorsDTypeName(parsed.view.dtype), ", which needs ", bytes,
                          " bytes, but data_offsets [", parsed.begin, ", ", parsed.end, "] span ",
                          parsed.end - parsed.begin, " bytes"));
  }
  if (parsed.end > data_bytes) {
    return corrupt(StrCat("has data_offsets [", parsed.begin, ", ", parsed.end,
                          "] past the end of the ", data_bytes,
                          "-byte data section; the file is truncated or its header is wrong"));
  }
  return parsed;
}

absl::Status ParseMetadata(const Json& value, std::string_view file_name,
                           std::map<std::string, std::string>& out) {
  if (value.is_object()) {
    for (const auto& [key, text] : value.items()) {
      if (!text.is_string()) break;
      out[key] = text.get<std::string>();
    }
    if (out.size() == value.size()) return absl::OkStatus();
  }
  return absl::DataLossError(StrCat(file_name, ": __metadata__ must map strings to strings, got ",
                                    internal::DescribeJson(value)));
}

// Parses the header JSON, rejecting duplicate tensor names (the JSON parser would keep the last).
absl::StatusOr<Json> ParseHeaderJson(std::string_view header, std::string_view file_name) {
  if (MaxNestingDepth(header) > kMaxHeaderDepth) {
    return absl::DataLossError(StrCat(file_name, ": the header nests deeper than ", kMaxHeaderDepth,
                                      " levels; it is not a safetensors header"));
  }
  std::set<std::string> names;
  std::string duplicate;
  const Json::parser_callback_t note_duplicates = [&](int depth, Json::parse_event_t event,
                                                      Json& parsed) {
    if (event == Json::parse_event_t::key && depth == 1 && duplicate.empty() &&
        !names.insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  Json root;
  try {
    root = Json::parse(header.begin(), header.end(), note_duplicates);
  } catch (const Json::exception& error) {
    return absl::DataLossError(
        StrCat(file_name, ": the header is not valid JSON (", error.what(), ")"));
  }
  if (!root.is_object()) {
    return absl::DataLossError(
        StrCat(file_name, ": the header is ", internal::DescribeJson(root), ", not a JSON object"));
  }
  if (!duplicate.empty()) {
    return absl::DataLossError(
        StrCat(file_name, ": the header names tensor '", duplicate, "' more than once"));
  }
  return root;
}

}  // namespace

std::int64_t TensorView::NumElements() const {
  std::int64_t elements = 1;
  for (std::int64_t dim : shape) elements *= dim;
  return elements;
}

std::size_t TensorView::ByteSize() const {
  return static_cast<std::size_t>(NumElements()) * ElementBytes(dtype);
}

std::string ShapeToString(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

absl::StatusOr<SafetensorsLayout> ParseSafetensors(std::span<const std::byte> file,
                                                   std::string_view file_name) {
  if (file.size() < 8) {
    return absl::DataLossError(StrCat(file_name, ": the file is ", file.size(),
                                      " bytes, too short for the 8-byte header length; it is "
                                      "truncated or not a safetensors file"));
  }
  std::uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) {
    header_bytes =
        (header_bytes << 8) | static_cast<std::uint8_t>(file[static_cast<std::size_t>(i)]);
  }
  if (header_bytes > kMaxSafetensorsHeaderBytes) {
    return absl::DataLossError(StrCat(
        file_name, ": the header length ", header_bytes, " exceeds the safetensors limit of ",
        kMaxSafetensorsHeaderBytes, " bytes; the file is corrupt or not safetensors"));
  }
  if (header_bytes > file.size() - 8) {
    return absl::DataLossError(StrCat(file_name, ": the header length ", header_bytes,
                                      " runs past the end of the ", file.size(),
                                      "-byte file; the file is truncated"));
  }
  const std::string_view header(reinterpret_cast<const char*>(file.data()) + 8,
                                static_cast<std::size_t>(header_bytes));
  absl::StatusOr<Json> root = ParseHeaderJson(header, file_name);
  if (!root.ok()) return root.status();

  SafetensorsLayout layout;
  layout.header_bytes = header_bytes;
  const std::byte* data_section = file.data() + 8 + header_bytes;
  const std::uint64_t data_bytes = file.size() - 8 - header_bytes;
  std::vector<TensorEntry> entries;
  for (const auto& [name, value] : root->items()) {
    if (name == "__metadata__") {
      absl::Status status = ParseMetadata(value, file_name, layout.metadata);
      if (!status.ok()) return status;
      continue;
    }
    absl::StatusOr<TensorEntry> entry = ParseTensorEntry(name, value, file_name, data_bytes);
    if (!entry.ok()) return entry.status();
    entries.push_back(*std::move(entry));
  }

  std::sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  std::uint64_t packed_end = 0;
  for (TensorEntry& entry : entries) {
    if (entry.begin != packed_end) {
      const bool overlap = entry.begin < packed_end;
      const std::string* previous = layout.tensors.empty() ? nullptr : &layout.tensors.back().name;
      return absl::DataLossError(StrCat(
          file_name, ": tensor '", entry.view.name, "' at data_offsets [", entry.begin, ", ",
          entry.end, "] ",
          previous == nullptr ? "does not start at offset 0"
                              : StrCat(overlap ? "overlaps" : "leaves a gap after", " tensor '",
                                       *previous, "', which ends at ", packed_end),
          "; safetensors packs tensors back to back"));
    }
    packed_end = entry.end;
    entry.view.data = data_section + entry.begin;
    layout.tensors.push_back(std::move(entry.view));
  }
  if (packed_end != data_bytes) {
    return absl::DataLossError(StrCat(file_name, ": the data section is ", data_bytes,
                                      " bytes but the tensors cover ", packed_end,
                                      "; the file has trailing bytes or its header is wrong"));
  }
  return layout;
}

}  // namespace radixlm::engine
