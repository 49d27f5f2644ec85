#include "src/client/generate_stream.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace radixlm::sglang::internal {
namespace {

using nlohmann::json;

std::string Chunk(const std::string& text, const std::vector<int>& ids, const json& finish) {
  return json{{"text", text},
              {"output_ids", ids},
              {"meta_info",
               {{"id", "rid-1"},
                {"finish_reason", finish},
                {"prompt_tokens", 7},
                {"completion_tokens", ids.size()},
                {"cached_tokens", 3}}}}
      .dump();
}

struct Collected {
  std::vector<std::string> texts;
  std::vector<std::vector<std::int32_t>> ids;
};

GenerateResponse RunStream(const std::vector<std::string>& events, Collected& collected) {
  GenerateCallback callback = [&](const GenerateDelta& delta) {
    collected.texts.push_back(delta.text);
    collected.ids.push_back(delta.output_ids);
    return true;
  };
  GenerateStreamAssembler assembler(callback);
  for (const std::string& event : events) EXPECT_TRUE(assembler.OnEvent(event).ok()) << event;
  absl::StatusOr<GenerateResponse> response = assembler.Finish("test");
  EXPECT_TRUE(response.ok()) << response.status();
  return *response;
}

TEST(GenerateStreamTest, CumulativeChunksBecomeDeltas) {
  Collected collected;
  GenerateResponse response =
      RunStream({Chunk("Hel", {10}, nullptr), Chunk("Hello", {10, 11}, nullptr),
           Chunk("Hello world", {10, 11, 12}, json{{"type", "length"}, {"length", 3}}), "[DONE]"},
          collected);
  EXPECT_EQ(collected.texts, (std::vector<std::string>{"Hel", "lo", " world"}));
  EXPECT_EQ(collected.ids, (std::vector<std::vector<std::int32_t>>{{10}, {11}, {12}}));
  EXPECT_EQ(response.text, "Hello world");
  EXPECT_EQ(response.output_ids, (std::vector<std::int32_t>{10, 11, 12}));
  EXPECT_EQ(response.meta_info.finish_reason["type"], "length");
  EXPECT_EQ(response.meta_info.cached_tokens, 3);
}

TEST(GenerateStreamTest, IncrementalChunksPassThrough) {
  Collected collected;
  GenerateResponse response = RunStream({Chunk("Hel", {10}, nullptr), Chunk("lo", {11}, nullptr),
                                   Chunk(" world", {12}, json{{"type", "stop"}}), "[DONE]"},
                                  collected);
  EXPECT_EQ(collected.texts, (std::vector<std::string>{"Hel", "lo", " world"}));
  EXPECT_EQ(response.text, "Hello world");
  EXPECT_EQ(response.output_ids, (std::vector<std::int32_t>{10, 11, 12}));
}

TEST(GenerateStreamTest, ErrorEventIsReturned) {
  GenerateCallback callback = [](const GenerateDelta&) { return true; };
  GenerateStreamAssembler assembler(callback);
  absl::Status status = assembler.OnEvent(
      R"({"error": {"message": "Requested token count exceeds the model's maximum context length", "type": "invalid_request_error", "code": 400, "retryable": false}})");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST(GenerateStreamTest, MissingMetaInfoIsMalformed) {
  GenerateCallback callback = [](const GenerateDelta&) { return true; };
  GenerateStreamAssembler assembler(callback);
  EXPECT_EQ(assembler.OnEvent(R"({"text": "a"})").code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace radixlm::sglang::internal
