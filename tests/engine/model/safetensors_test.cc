#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/engine/model/checkpoint.h"
#include "src/engine/model/safetensors_file.h"
#include "src/engine/model/safetensors_format.h"
#include "src/engine/model/safetensors_writer.h"
#include "tests/engine/model/model_test_util.h"

namespace radixlm::engine {
namespace {

using model_test::AsBytes;
using model_test::ReadFileOrDie;
using model_test::SafetensorsBytes;
using model_test::ScopedTempDir;
using model_test::WriteFileOrDie;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Encodes `values` in `dtype`.
std::vector<std::byte> Encode(const std::vector<float>& values, DType dtype) {
  std::vector<std::byte> bytes(values.size() * ElementBytes(dtype));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (dtype == DType::kF32) {
      std::memcpy(&bytes[i * 4], &values[i], 4);
    } else {
      const std::uint16_t bits = dtype == DType::kF16 ? F32ToF16(values[i]) : F32ToBf16(values[i]);
      std::memcpy(&bytes[i * 2], &bits, 2);
    }
  }
  return bytes;
}

std::vector<float> Decode(const TensorView& view) {
  std::vector<float> values(static_cast<std::size_t>(view.NumElements()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (view.dtype == DType::kF32) {
      std::memcpy(&values[i], view.data + i * 4, 4);
    } else {
      std::uint16_t bits = 0;
      std::memcpy(&bits, view.data + i * 2, 2);
      values[i] = view.dtype == DType::kF16 ? F16ToF32(bits) : Bf16ToF32(bits);
    }
  }
  return values;
}

absl::Status ParseText(const std::string& file) {
  const std::vector<std::byte> bytes = AsBytes(file);
  return ParseSafetensors(bytes, "bad.safetensors").status();
}

class SafetensorsDTypeTest : public ::testing::TestWithParam<DType> {};

TEST_P(SafetensorsDTypeTest, RoundTripsValuesShapesAndMetadata) {
  const DType dtype = GetParam();
  ScopedTempDir dir;
  const std::vector<float> matrix = {1.0f, -2.5f, 0.125f, 3.0f, -0.0f, 1024.0f};
  const std::vector<float> vector = {7.0f, 8.0f, 9.0f};
  const std::vector<std::byte> matrix_bytes = Encode(matrix, dtype);
  const std::vector<std::byte> vector_bytes = Encode(vector, dtype);
  const std::vector<std::byte> scalar_bytes = Encode({42.0f}, DType::kF32);
  const std::string path = dir.File("t.safetensors");
  ASSERT_TRUE(WriteSafetensors(path,
                               {{"matrix", dtype, {2, 3}, matrix_bytes},
                                {"vector", dtype, {3}, vector_bytes},
                                {"scalar", DType::kF32, {}, scalar_bytes},
                                {"empty", dtype, {0, 4}, {}}},
                               {{"format", "pt"}})
                  .ok());

  const std::string raw = ReadFileOrDie(path);
  std::uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, raw.data(), 8);
  EXPECT_EQ(header_bytes % 8, 0u);  // data section starts 8-byte aligned
  EXPECT_EQ(raw[8], '{');

  absl::StatusOr<std::unique_ptr<SafetensorsFile>> file = SafetensorsFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT((*file)->metadata(),
              ElementsAre(std::pair<const std::string, std::string>("format", "pt")));
  ASSERT_EQ((*file)->tensors().size(), 4u);
  const TensorView* read_matrix = (*file)->Find("matrix");
  ASSERT_NE(read_matrix, nullptr);
  EXPECT_EQ(read_matrix->dtype, dtype);
  EXPECT_THAT(read_matrix->shape, ElementsAre(2, 3));
  EXPECT_EQ(Decode(*read_matrix), matrix);  // all values are exact in every dtype
  EXPECT_EQ(Decode(*(*file)->Find("vector")), vector);
  EXPECT_EQ(Decode(*(*file)->Find("scalar")), std::vector<float>{42.0f});
  EXPECT_TRUE((*file)->Find("scalar")->shape.empty());
  EXPECT_EQ((*file)->Find("empty")->NumElements(), 0);
  EXPECT_EQ((*file)->Find("absent"), nullptr);
  for (const TensorView& view : (*file)->tensors()) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(view.data) % ElementBytes(view.dtype), 0u)
        << view.name;
  }
}

INSTANTIATE_TEST_SUITE_P(AllDTypes, SafetensorsDTypeTest,
                         ::testing::Values(DType::kF32, DType::kF16, DType::kBF16));

TEST(SafetensorsTest, WriterLaysOutWideElementsFirstSoEveryTensorIsAligned) {
  ScopedTempDir dir;
  const std::vector<std::byte> odd_bf16 = Encode({1, 2, 3}, DType::kBF16);
  const std::vector<std::byte> f32 = Encode({4, 5}, DType::kF32);
  const std::string path = dir.File("mixed.safetensors");
  ASSERT_TRUE(
      WriteSafetensors(path, {{"a", DType::kBF16, {3}, odd_bf16}, {"b", DType::kF32, {2}, f32}})
          .ok());
  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::OpenFile(path);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(Decode(*checkpoint->Find("a")), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(Decode(*checkpoint->Find("b")), (std::vector<float>{4, 5}));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(checkpoint->Find("b")->data) % 4, 0u);
}

TEST(SafetensorsTest, WriterRejectsBadInput) {
  ScopedTempDir dir;
  const std::vector<std::byte> two = Encode({1, 2}, DType::kF32);
  absl::Status status = WriteSafetensors(dir.File("x"), {{"a", DType::kF32, {3}, two}});
  EXPECT_THAT(std::string(status.message()), HasSubstr("(12 bytes) but 8 bytes of data"));
  status =
      WriteSafetensors(dir.File("x"), {{"a", DType::kF32, {2}, two}, {"a", DType::kF32, {2}, two}});
  EXPECT_THAT(std::string(status.message()), HasSubstr("unique"));
  status = WriteSafetensors(dir.File("x"), {{"__metadata__", DType::kF32, {2}, two}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  status = WriteSafetensors(dir.File("x"), {{"q", DType::kInt8, {8}, two}});
  EXPECT_THAT(std::string(status.message()), HasSubstr("tensor 'q' has element type int8"));
  status = WriteSafetensors(dir.File("no/such/dir/x"), {{"a", DType::kF32, {2}, two}});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // no temporary file left behind
}

TEST(SafetensorsTest, StreamingWriterChecksItsByteCount) {
  ScopedTempDir dir;
  absl::StatusOr<std::unique_ptr<SafetensorsWriter>> writer =
      SafetensorsWriter::Create(dir.File("s.safetensors"), {{"a", DType::kF32, {2}}}, {});
  ASSERT_TRUE(writer.ok());
  const std::vector<std::byte> one = Encode({1}, DType::kF32);
  ASSERT_TRUE((*writer)->Append(one).ok());
  EXPECT_EQ((*writer)->Finish().code(), absl::StatusCode::kFailedPrecondition);
  const std::vector<std::byte> three = Encode({1, 2, 3}, DType::kF32);
  EXPECT_EQ((*writer)->Append(three).code(), absl::StatusCode::kFailedPrecondition);
}

// A valid two-tensor file: "a" F32 [2] at [0, 8], "b" BF16 [2] at [8, 12].
const char kGoodHeader[] = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}})";
const std::string kGoodData(12, '\x01');

TEST(SafetensorsTest, HandBuiltFileParses) {
  ASSERT_TRUE(ParseText(SafetensorsBytes(kGoodHeader, kGoodData)).ok());
}

struct BadFile {
  std::string name;
  std::string bytes;
  absl::StatusCode code;
  std::string message;
};

std::vector<BadFile> BadFiles() {
  const std::string good = SafetensorsBytes(kGoodHeader, kGoodData);
  return {
      {"Empty", "", absl::StatusCode::kDataLoss, "too short for the 8-byte header length"},
      {"FiveBytes", "\x01\x02\x03\x04\x05", absl::StatusCode::kDataLoss, "the file is 5 bytes"},
      {"TruncatedData", good.substr(0, good.size() - 3), absl::StatusCode::kDataLoss,
       "tensor 'b' has data_offsets [8, 12] past the end of the 9-byte data section"},
      {"HeaderLongerThanFile", SafetensorsBytes(kGoodHeader, "", 4096), absl::StatusCode::kDataLoss,
       "header length 4096 runs past the end"},
      {"HugeHeaderLength", SafetensorsBytes("{}", "", INT64_MAX), absl::StatusCode::kDataLoss,
       "exceeds the safetensors limit of 100000000 bytes"},
      {"NotJson", SafetensorsBytes("{\"a\": nope}", ""), absl::StatusCode::kDataLoss,
       "header is not valid JSON"},
      {"NotAnObject", SafetensorsBytes("[1, 2]", ""), absl::StatusCode::kDataLoss,
       "not a JSON object"},
      {"OffsetsPastEnd",
       SafetensorsBytes(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
                        std::string(8, '\0')),
       absl::StatusCode::kDataLoss, "tensor 'a' has data_offsets [0, 16] past the end"},
      {"Overlap",
       SafetensorsBytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                        R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                        std::string(12, '\0')),
       absl::StatusCode::kDataLoss, "tensor 'b' at data_offsets [4, 12] overlaps tensor 'a'"},
      {"Gap",
       SafetensorsBytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                        std::string(12, '\0')),
       absl::StatusCode::kDataLoss, "leaves a gap after tensor 'a'"},
      {"TrailingBytes", SafetensorsBytes(kGoodHeader, kGoodData + "xyz"),
       absl::StatusCode::kDataLoss, "data section is 15 bytes but the tensors cover 12"},
      {"ShapeOffsetMismatch",
       SafetensorsBytes(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                        std::string(8, '\0')),
       absl::StatusCode::kDataLoss, "needs 12 bytes, but data_offsets [0, 8] span 8 bytes"},
      {"ShapeOverflow",
       SafetensorsBytes(
           R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
           std::string(8, '\0')),
       absl::StatusCode::kDataLoss, "overflows 64 bits"},
      {"NegativeDim",
       SafetensorsBytes(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
                        std::string(8, '\0')),
       absl::StatusCode::kDataLoss, "expected a list of non-negative integers"},
      {"ReversedOffsets",
       SafetensorsBytes(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})",
                        std::string(8, '\0')),
       absl::StatusCode::kDataLoss, "expected [begin, end] with begin <= end"},
      {"MissingField", SafetensorsBytes(R"({"a":{"dtype":"F32","shape":[0]}})", ""),
       absl::StatusCode::kDataLoss, "lacks one of 'dtype', 'shape', 'data_offsets'"},
      {"UnsupportedDType",
       SafetensorsBytes(R"({"w":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}})",
                        std::string(4, '\0')),
       absl::StatusCode::kUnimplemented,
       "unsupported dtype I8 for tensor w; supported: F32, F16, BF16"},
      {"UnsupportedFloat8",
       SafetensorsBytes(R"({"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})",
                        std::string(4, '\0')),
       absl::StatusCode::kUnimplemented, "unsupported dtype F8_E4M3 for tensor w"},
      {"UnknownDType",
       SafetensorsBytes(R"({"w":{"dtype":"Q4_K","shape":[4],"data_offsets":[0,4]}})",
                        std::string(4, '\0')),
       absl::StatusCode::kUnimplemented, "unknown dtype Q4_K for tensor w; supported: F32"},
      {"DuplicateName",
       SafetensorsBytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                        std::string(4, '\0')),
       absl::StatusCode::kDataLoss, "names tensor 'a' more than once"},
      {"BadMetadata", SafetensorsBytes(R"({"__metadata__":{"format":1}})", ""),
       absl::StatusCode::kDataLoss, "__metadata__ must map strings to strings"},
      {"DeepNesting", SafetensorsBytes(std::string(10000, '[') + std::string(10000, ']'), ""),
       absl::StatusCode::kDataLoss, "nests deeper than 3 levels"},
  };
}

class SafetensorsBadFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(SafetensorsBadFileTest, IsAClearErrorNamingFileAndTensor) {
  const BadFile& bad = GetParam();
  const absl::Status parsed = ParseText(bad.bytes);
  EXPECT_EQ(parsed.code(), bad.code) << parsed;
  EXPECT_THAT(std::string(parsed.message()), HasSubstr(bad.message));
  EXPECT_THAT(std::string(parsed.message()), HasSubstr("bad.safetensors"));

  // The same through the mmap'd reader, which must name the real path.
  ScopedTempDir dir;
  const std::string path = dir.File("bad.safetensors");
  WriteFileOrDie(path, bad.bytes);
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> file = SafetensorsFile::Open(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), bad.code);
  EXPECT_THAT(std::string(file.status().message()), HasSubstr(path));
}

INSTANTIATE_TEST_SUITE_P(Corruptions, SafetensorsBadFileTest, ::testing::ValuesIn(BadFiles()),
                         [](const ::testing::TestParamInfo<BadFile>& param_info) {
                           return param_info.param.name;
                         });

TEST(SafetensorsTest, OpenReportsMissingFileAndDirectory) {
  ScopedTempDir dir;
  absl::StatusOr<std::unique_ptr<SafetensorsFile>> file =
      SafetensorsFile::Open(dir.File("absent.safetensors"));
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(file.status().message()), HasSubstr("absent.safetensors"));
  file = SafetensorsFile::Open(dir.path());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
}

// Writes a two-shard checkpoint with an index; returns the index path.
std::string WriteShardedCheckpoint(const ScopedTempDir& dir, const std::string& index_json) {
  const std::vector<std::byte> a = Encode({1, 2}, DType::kF32);
  const std::vector<std::byte> b = Encode({3, 4, 5}, DType::kBF16);
  EXPECT_TRUE(
      WriteSafetensors(dir.File("model-00001-of-00002.safetensors"), {{"a", DType::kF32, {2}, a}})
          .ok());
  EXPECT_TRUE(
      WriteSafetensors(dir.File("model-00002-of-00002.safetensors"), {{"b", DType::kBF16, {3}, b}})
          .ok());
  WriteFileOrDie(dir.File("model.safetensors.index.json"), index_json);
  return dir.File("model.safetensors.index.json");
}

const char kGoodIndex[] = R"({"metadata": {"total_size": 14}, "weight_map": {
    "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})";

TEST(SafetensorsTest, ShardedCheckpointRoundTrips) {
  ScopedTempDir dir;
  WriteShardedCheckpoint(dir, kGoodIndex);
  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::OpenFolder(dir.path());
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->files().size(), 2u);
  EXPECT_EQ(checkpoint->tensors().size(), 2u);
  EXPECT_EQ(Decode(*checkpoint->Find("a")), (std::vector<float>{1, 2}));
  EXPECT_EQ(Decode(*checkpoint->Find("b")), (std::vector<float>{3, 4, 5}));

  // Views survive moving the checkpoint: the mappings do not move.
  const TensorView* before = checkpoint->Find("b");
  Checkpoint moved = *std::move(checkpoint);
  EXPECT_EQ(moved.Find("b"), before);
  EXPECT_EQ(Decode(*moved.Find("b")), (std::vector<float>{3, 4, 5}));
}

TEST(SafetensorsTest, SingleFileWinsOverIndexAsInTransformers) {
  ScopedTempDir dir;
  WriteShardedCheckpoint(dir, kGoodIndex);
  const std::vector<std::byte> c = Encode({9}, DType::kF32);
  ASSERT_TRUE(WriteSafetensors(dir.File("model.safetensors"), {{"c", DType::kF32, {1}, c}}).ok());
  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::OpenFolder(dir.path());
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_NE(checkpoint->Find("c"), nullptr);
  EXPECT_EQ(checkpoint->Find("a"), nullptr);
}

TEST(SafetensorsTest, BadIndexesAreClearErrors) {
  struct Case {
    std::string index;
    std::string message;
  };
  for (const Case& bad : {
           Case{R"({"weight_map": {"a": "model-00001-of-00002.safetensors",
                                   "b": "model-00001-of-00002.safetensors"}})",
                "says tensor 'b' is in"},
           Case{R"({"weight_map": {"a": "../model-00001-of-00002.safetensors"}})",
                "expected a file name in the index's folder"},
           Case{R"({"weight_map": {"a": "missing.safetensors"}})", "missing.safetensors"},
           Case{R"({"metadata": {}})", "'weight_map' must be a non-empty object"},
           Case{"not json", "is not valid JSON"},
       }) {
    ScopedTempDir dir;
    const std::string index = WriteShardedCheckpoint(dir, bad.index);
    absl::StatusOr<Checkpoint> checkpoint = Checkpoint::OpenIndex(index);
    ASSERT_FALSE(checkpoint.ok()) << bad.index;
    EXPECT_THAT(std::string(checkpoint.status().message()), HasSubstr(bad.message)) << bad.index;
  }
}

TEST(SafetensorsTest, TensorInTwoShardsIsAnError) {
  ScopedTempDir dir;
  const std::vector<std::byte> a = Encode({1, 2}, DType::kF32);
  WriteShardedCheckpoint(dir, kGoodIndex);
  ASSERT_TRUE(WriteSafetensors(dir.File("model-00002-of-00002.safetensors"),
                               {{"a", DType::kF32, {2}, a}, {"b", DType::kF32, {2}, a}})
                  .ok());
  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::OpenFolder(dir.path());
  ASSERT_FALSE(checkpoint.ok());
  EXPECT_THAT(std::string(checkpoint.status().message()), HasSubstr("tensor 'a' is in both"));
}

TEST(SafetensorsTest, FolderWithoutWeightsIsNotFound) {
  ScopedTempDir dir;
  WriteFileOrDie(dir.File("pytorch_model.bin"), "x");
  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::OpenFolder(dir.path());
  EXPECT_EQ(checkpoint.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(checkpoint.status().message()),
              HasSubstr("expected model.safetensors or model.safetensors.index.json"));
  EXPECT_THAT(std::string(checkpoint.status().message()), HasSubstr(".bin checkpoints are not"));
}

}  // namespace
}  // namespace radixlm::engine
