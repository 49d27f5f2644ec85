#include "src/engine/scheduler/stop_strings.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace radixlm::engine {
namespace {

// Feeds `pieces` one at a time; returns the released text and the matched stop, if any.
std::pair<std::string, std::string> Feed(StopStrings& stops, const std::vector<std::string>& pieces) {
  std::string text;
  for (const std::string& piece : pieces) {
    StopStrings::Step step = stops.Push(piece);
    text += step.text;
    if (step.matched.has_value()) return {text, *step.matched};
  }
  return {text + stops.Flush(), ""};
}

TEST(StopStringsTest, NoStopsPassesTextThrough) {
  StopStrings stops({}, false);
  EXPECT_EQ(stops.Push("Hello").text, "Hello");
  EXPECT_EQ(stops.Push(", world").text, ", world");
  EXPECT_EQ(stops.Flush(), "");
}

TEST(StopStringsTest, FindsStopSplitAcrossPieces) {
  StopStrings stops({"User:"}, false);
  auto [text, matched] = Feed(stops, {"Hi there.\nUs", "e", "r:", " more"});
  EXPECT_EQ(text, "Hi there.\n");
  EXPECT_EQ(matched, "User:");
}

TEST(StopStringsTest, HoldsBackOnlyPossibleStopPrefixes) {
  StopStrings stops({"</s>"}, false);
  EXPECT_EQ(stops.Push("a <").text, "a ");  // "<" may start "</s>"
  EXPECT_EQ(stops.Push("b").text, "<b");    // it did not
  EXPECT_EQ(stops.Push("</").text, "");
  StopStrings::Step step = stops.Push("s> tail");
  EXPECT_EQ(step.text, "");
  EXPECT_EQ(step.matched, "</s>");
}

TEST(StopStringsTest, KeepStopIncludesTheMatch) {
  StopStrings stops({"\n\n"}, true);
  auto [text, matched] = Feed(stops, {"line", "\n", "\nnext"});
  EXPECT_EQ(text, "line\n\n");
  EXPECT_EQ(matched, "\n\n");
}

TEST(StopStringsTest, EarliestMatchWinsAndLongerOnTies) {
  StopStrings stops({"bc", "abcd", "ab"}, false);
  auto [text, matched] = Feed(stops, {"xxabcdyy"});
  EXPECT_EQ(text, "xx");
  EXPECT_EQ(matched, "abcd");
}

TEST(StopStringsTest, FlushReleasesHeldTextWhenNoMatch) {
  StopStrings stops({"STOP"}, false);
  auto [text, matched] = Feed(stops, {"ST", "O"});
  EXPECT_EQ(text, "STO");
  EXPECT_EQ(matched, "");
}

TEST(StopStringsTest, NothingAfterAMatch) {
  StopStrings stops({"x"}, false);
  EXPECT_TRUE(stops.Push("axb").matched.has_value());
  EXPECT_EQ(stops.Push("more").text, "");
  EXPECT_EQ(stops.Flush(), "");
}

TEST(StopStringsTest, EmptyStopStringsAreIgnored) {
  StopStrings stops({"", ""}, false);
  EXPECT_EQ(stops.Push("abc").text, "abc");
}

TEST(StopStringsTest, MultiByteCharactersAreNeverSplit) {
  StopStrings stops({"é!"}, false);  // U+00E9 is two bytes
  EXPECT_EQ(stops.Push("caf\xC3\xA9").text, "caf");
  auto step = stops.Push("?");
  EXPECT_EQ(step.text, "\xC3\xA9?");
}

}  // namespace
}  // namespace radixlm::engine
