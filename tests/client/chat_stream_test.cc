#include "src/client/chat_stream.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "radixlm/status.h"
#include "src/client/sse_parser.h"

namespace radixlm::sglang::internal {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(RADIXLM_CLIENT_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::Status FeedAll(ChatStreamAssembler& assembler, const std::string& stream) {
  absl::Status status;
  SseParser parser([&](const SseEvent& event) {
    status = assembler.OnEvent(event.data);
    return status.ok() && !assembler.stopped();
  });
  parser.Feed(stream);
  return status;
}

TEST(ChatStreamTest, AssemblesContentFinishReasonAndUsage) {
  std::vector<CompletionDelta> deltas;
  CompletionCallback callback = [&](const CompletionDelta& delta) {
    deltas.push_back(delta);
    return true;
  };
  ChatStreamAssembler assembler(callback);
  ASSERT_TRUE(FeedAll(assembler, ReadFixture("chat_stream.sse")).ok());
  EXPECT_TRUE(assembler.done());
  absl::StatusOr<CompletionResponse> response = assembler.Finish("test");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->Text(), "Python is a programming language — 日本語 ✓ 👩‍💻.");
  EXPECT_EQ(response->id, "9b3f1c2ad3e04e0f8f1b7f6f2a1c9d10");
  EXPECT_EQ(response->choices[0].finish_reason, "stop");
  EXPECT_EQ(response->choices[0].matched_stop, 128009);
  EXPECT_EQ(response->usage.prompt_tokens, 42);
  EXPECT_EQ(response->usage.completion_tokens, 15);
  EXPECT_EQ(response->usage.cached_tokens, 32);
  EXPECT_FALSE(response->stopped_by_caller);
  // Three content deltas, one finish delta, one usage delta; the empty role chunk is skipped.
  ASSERT_EQ(deltas.size(), 5u);
  EXPECT_EQ(deltas[0].content, "Python is");
  EXPECT_EQ(deltas[3].finish_reason, "stop");
  ASSERT_TRUE(deltas[4].usage.has_value());
  EXPECT_EQ(deltas[4].usage->cached_tokens, 32);
}

TEST(ChatStreamTest, CallbackStopsTheStream) {
  int calls = 0;
  CompletionCallback callback = [&](const CompletionDelta&) { return ++calls < 1; };
  ChatStreamAssembler assembler(callback);
  ASSERT_TRUE(FeedAll(assembler, ReadFixture("chat_stream.sse")).ok());
  EXPECT_EQ(calls, 1);
  absl::StatusOr<CompletionResponse> response = assembler.Finish("test");
  ASSERT_TRUE(response.ok());
  EXPECT_TRUE(response->stopped_by_caller);
  EXPECT_EQ(response->Text(), "Python is");
}

TEST(ChatStreamTest, InStreamErrorBecomesStatusWithItsCode) {
  CompletionCallback callback = [](const CompletionDelta&) { return true; };
  ChatStreamAssembler assembler(callback);
  absl::Status status = FeedAll(
      assembler,
      "data: {\"error\": {\"object\": \"error\", \"message\": \"The input (5000 tokens) is longer "
      "than the model's context length (4096 tokens).\", \"type\": \"BadRequestError\", "
      "\"param\": null, \"code\": 400}}\n\ndata: [DONE]\n\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpStatusOf(status), 400);
  EXPECT_NE(status.message().find("longer than the model's context length"),
            absl::string_view::npos);
}

TEST(ChatStreamTest, StreamWithoutDoneIsMalformed) {
  CompletionCallback callback = [](const CompletionDelta&) { return true; };
  ChatStreamAssembler assembler(callback);
  std::string stream = ReadFixture("chat_stream.sse");
  stream = stream.substr(0, stream.find("data: [DONE]"));
  ASSERT_TRUE(FeedAll(assembler, stream).ok());
  EXPECT_EQ(assembler.Finish("test").status().code(), absl::StatusCode::kDataLoss);
}

TEST(ChatStreamTest, NonJsonChunkIsMalformed) {
  CompletionCallback callback = [](const CompletionDelta&) { return true; };
  ChatStreamAssembler assembler(callback);
  EXPECT_EQ(FeedAll(assembler, "data: {\"id\": \"x\", \"choi\n\n").code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace radixlm::sglang::internal
