#include "src/client/sse_parser.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace radixlm::sglang::internal {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(RADIXLM_CLIENT_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, from.size(), from) == 0) {
      out += to;
      i += from.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::vector<std::string> ParsePieces(const std::vector<std::string_view>& pieces) {
  std::vector<std::string> data;
  SseParser parser([&](const SseEvent& event) {
    data.push_back(event.data);
    return true;
  });
  for (std::string_view piece : pieces) EXPECT_TRUE(parser.Feed(piece));
  EXPECT_TRUE(parser.Finish());
  return data;
}

TEST(SseParserTest, ParsesEveryEventOfARealStream) {
  const std::string stream = ReadFixture("chat_stream.sse");
  ASSERT_FALSE(stream.empty());
  std::vector<std::string> events = ParsePieces({stream});
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events.back(), "[DONE]");
  EXPECT_EQ(events[0].substr(0, 7), "{\"id\":\"");
}

// A network read may end anywhere; the parser must produce the same events for every split.
TEST(SseParserTest, SameEventsForEverySplitPoint) {
  for (const char* newline : {"\n", "\r\n", "\r"}) {
    const std::string stream = Replace(ReadFixture("chat_stream.sse"), "\n", newline);
    const std::vector<std::string> expected = ParsePieces({stream});
    ASSERT_EQ(expected.size(), 7u) << "newline " << (newline[0] == '\r' ? "CR" : "LF");
    for (size_t split = 0; split <= stream.size(); ++split) {
      std::string_view view(stream);
      ASSERT_EQ(ParsePieces({view.substr(0, split), view.substr(split)}), expected)
          << "split at byte " << split;
    }
  }
}

TEST(SseParserTest, SameEventsWhenFedOneByteAtATime) {
  const std::string stream = Replace(ReadFixture("chat_stream.sse"), "\n", "\r\n");
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(std::string_view(stream).substr(i, 1));
  EXPECT_EQ(ParsePieces(bytes), ParsePieces({stream}));
}

TEST(SseParserTest, JoinsMultiLineDataAndSkipsComments) {
  std::vector<SseEvent> events;
  SseParser parser([&](const SseEvent& event) {
    events.push_back(event);
    return true;
  });
  EXPECT_TRUE(parser.Feed(": keep-alive\n\nevent: update\ndata: first\ndata:second\n\n"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "update");
  EXPECT_EQ(events[0].data, "first\nsecond");
}

TEST(SseParserTest, FinishDispatchesAnEventWithoutTrailingBlankLine) {
  std::vector<std::string> data;
  SseParser parser([&](const SseEvent& event) {
    data.push_back(event.data);
    return true;
  });
  EXPECT_TRUE(parser.Feed("data: [DONE]"));
  EXPECT_TRUE(data.empty());
  EXPECT_TRUE(parser.Finish());
  EXPECT_EQ(data, std::vector<std::string>{"[DONE]"});
}

TEST(SseParserTest, HandlerCanStopTheStream) {
  int seen = 0;
  SseParser parser([&](const SseEvent&) { return ++seen < 2; });
  EXPECT_FALSE(parser.Feed("data: a\n\ndata: b\n\ndata: c\n\n"));
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace radixlm::sglang::internal
