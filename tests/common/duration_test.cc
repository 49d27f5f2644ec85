#include "src/common/duration.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace radixlm {
namespace {

constexpr std::int64_t kMaxNs = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMinNs = std::numeric_limits<std::int64_t>::min();

struct GoodDuration {
  const char* text;
  absl::Duration expected;
};

class ParseGoDurationTest : public ::testing::TestWithParam<GoodDuration> {};

TEST_P(ParseGoDurationTest, MatchesGo) {
  const absl::StatusOr<absl::Duration> parsed = ParseGoDuration(GetParam().text);
  ASSERT_TRUE(parsed.ok()) << GetParam().text << ": " << parsed.status();
  EXPECT_EQ(*parsed, GetParam().expected) << GetParam().text;
}

// Go's time.ParseDuration examples (time/example_test.go) and its parseDurationTests
// (time/time_test.go), which pin down the exact nanoseconds.
INSTANTIATE_TEST_SUITE_P(
    GoExamples, ParseGoDurationTest,
    ::testing::Values(
        GoodDuration{"300ms", absl::Milliseconds(300)}, GoodDuration{"-1.5h", -absl::Minutes(90)},
        GoodDuration{"2h45m", absl::Hours(2) + absl::Minutes(45)},
        GoodDuration{"1h15m30.918273645s", absl::Hours(1) + absl::Minutes(15) + absl::Seconds(30) +
                                               absl::Nanoseconds(918273645)},
        GoodDuration{"0", absl::ZeroDuration()}, GoodDuration{"-0", absl::ZeroDuration()},
        GoodDuration{"+0", absl::ZeroDuration()}, GoodDuration{"5s", absl::Seconds(5)},
        GoodDuration{"+5s", absl::Seconds(5)}, GoodDuration{"-5s", absl::Seconds(-5)},
        GoodDuration{"1478s", absl::Seconds(1478)}, GoodDuration{"1.0s", absl::Seconds(1)},
        GoodDuration{"5.s", absl::Seconds(5)}, GoodDuration{".5s", absl::Milliseconds(500)},
        GoodDuration{"5.6s", absl::Milliseconds(5600)},
        GoodDuration{"1.004s", absl::Milliseconds(1004)},
        GoodDuration{"100.00100s", absl::Seconds(100) + absl::Milliseconds(1)},
        GoodDuration{"10ns", absl::Nanoseconds(10)}, GoodDuration{"11us", absl::Microseconds(11)},
        GoodDuration{"12\xC2\xB5s", absl::Microseconds(12)},
        GoodDuration{"12\xCE\xBCs", absl::Microseconds(12)}, GoodDuration{"15m", absl::Minutes(15)},
        GoodDuration{"16h", absl::Hours(16)},
        GoodDuration{"10.5s4m", absl::Minutes(4) + absl::Milliseconds(10500)},
        GoodDuration{"-2m3.4s", -(absl::Minutes(2) + absl::Milliseconds(3400))},
        GoodDuration{"1h2m3s4ms5us6ns", absl::Hours(1) + absl::Minutes(2) + absl::Seconds(3) +
                                            absl::Milliseconds(4) + absl::Microseconds(5) +
                                            absl::Nanoseconds(6)},
        GoodDuration{"0.3333333333333333333h", absl::Minutes(20)},
        GoodDuration{"9007199254740993ns", absl::Nanoseconds((std::int64_t{1} << 53) + 1)},
        GoodDuration{"9223372036854775807ns", absl::Nanoseconds(kMaxNs)},
        GoodDuration{"9223372036854775.807us", absl::Nanoseconds(kMaxNs)},
        GoodDuration{"-9223372036854775808ns", absl::Nanoseconds(kMinNs)},
        GoodDuration{"-2562047h47m16.854775808s", absl::Nanoseconds(kMinNs)},
        GoodDuration{"0.100000000000000000000h", absl::Minutes(6)},
        GoodDuration{"0.830103483285477580700h",
                     absl::Minutes(49) + absl::Seconds(48) + absl::Nanoseconds(372539827)}));

TEST(ParseGoDurationErrorTest, RejectsWhatGoRejects) {
  for (const char* text : {"",
                           "12",
                           "1x",
                           "s",
                           "--1s",
                           "1h-2m",
                           "-",
                           ".",
                           "-.",
                           ".s",
                           "+.s",
                           "1d",
                           "3",
                           "1.5",
                           "120 s",
                           " 1s",
                           "\x85\x85",
                           "9223372036854775808ns",
                           "9223372036854775.808us",
                           "-9223372036854775809ns",
                           "3000000h"}) {
    const absl::StatusOr<absl::Duration> parsed = ParseGoDuration(text);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << "\"" << text << "\"";
  }
}

TEST(ParseGoDurationErrorTest, MessageQuotesInputAndSaysWhatIsWrong) {
  EXPECT_EQ(ParseGoDuration("12").status().message(),
            "invalid duration \"12\": missing unit; use a number followed by ns, us, ms, s, m or "
            "h, e.g. \"120s\"");
  EXPECT_EQ(ParseGoDuration("1x").status().message(),
            "invalid duration \"1x\": unknown unit \"x\"; use a number followed by ns, us, ms, s, "
            "m or h, e.g. \"120s\"");
  EXPECT_EQ(ParseGoDuration("1h-2m").status().message(),
            "invalid duration \"1h-2m\": unknown unit \"h-\"; use a number followed by ns, us, "
            "ms, s, m or h, e.g. \"120s\"");
}

struct Formatted {
  absl::Duration duration;
  const char* text;
};

class FormatGoDurationTest : public ::testing::TestWithParam<Formatted> {};

TEST_P(FormatGoDurationTest, WritesWhatGoWritesWithAsciiMicroseconds) {
  EXPECT_EQ(FormatGoDuration(GetParam().duration), GetParam().text);
}

TEST_P(FormatGoDurationTest, ParsesBackToTheSameDuration) {
  const absl::StatusOr<absl::Duration> parsed = ParseGoDuration(GetParam().text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, GetParam().duration);
}

// Go's durationTests (time/time_test.go), with "µs" written "us".
INSTANTIATE_TEST_SUITE_P(
    GoExamples, FormatGoDurationTest,
    ::testing::Values(
        Formatted{absl::ZeroDuration(), "0s"}, Formatted{absl::Nanoseconds(1), "1ns"},
        Formatted{absl::Nanoseconds(1100), "1.1us"}, Formatted{absl::Nanoseconds(2200000), "2.2ms"},
        Formatted{absl::Milliseconds(3300), "3.3s"},
        Formatted{absl::Minutes(4) + absl::Seconds(5), "4m5s"},
        Formatted{absl::Minutes(4) + absl::Milliseconds(5001), "4m5.001s"},
        Formatted{absl::Hours(5) + absl::Minutes(6) + absl::Milliseconds(7001), "5h6m7.001s"},
        Formatted{absl::Minutes(8) + absl::Nanoseconds(1), "8m0.000000001s"},
        Formatted{absl::Seconds(120), "2m0s"}, Formatted{absl::Hours(1), "1h0m0s"},
        Formatted{absl::Milliseconds(250), "250ms"}, Formatted{-absl::Minutes(90), "-1h30m0s"},
        Formatted{absl::Hours(1) + absl::Minutes(15) + absl::Nanoseconds(30918273645),
                  "1h15m30.918273645s"},
        Formatted{absl::Nanoseconds(kMaxNs), "2562047h47m16.854775807s"},
        Formatted{absl::Nanoseconds(kMinNs), "-2562047h47m16.854775808s"}));

TEST(FormatGoDurationTest, DropsSubNanosecondsAndSaturatesLikeGoInt64) {
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(1.5)), "1ns");
  EXPECT_EQ(FormatGoDuration(absl::Hours(3000000)), "2562047h47m16.854775807s");
}

}  // namespace
}  // namespace radixlm
