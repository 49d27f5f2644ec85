#include "radixlm/status.h"

#include <gtest/gtest.h>

namespace radixlm {
namespace {

TEST(HttpStatusTest, RoundTripsThroughThePayload) {
  const absl::Status status =
      WithHttpStatus(absl::UnavailableError("server answered 503: warming up"), 503);
  EXPECT_EQ(HttpStatusOf(status), 503);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "server answered 503: warming up");
}

TEST(HttpStatusTest, AbsentOnErrorsThatDidNotComeFromHttp) {
  EXPECT_EQ(HttpStatusOf(absl::DeadlineExceededError("connect timeout")), std::nullopt);
  EXPECT_EQ(HttpStatusOf(absl::OkStatus()), std::nullopt);
}

TEST(HttpStatusTest, LaterStatusReplacesEarlierOne) {
  const absl::Status status = WithHttpStatus(WithHttpStatus(absl::InternalError("x"), 500), 502);
  EXPECT_EQ(HttpStatusOf(status), 502);
}

TEST(HttpStatusTest, SurvivesCopyAndComparesEqual) {
  const absl::Status original = WithHttpStatus(absl::ResourceExhaustedError("slow down"), 429);
  const absl::Status copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(HttpStatusOf(copy), 429);
  EXPECT_EQ(copy, original);
  EXPECT_NE(copy, absl::ResourceExhaustedError("slow down"));
}

}  // namespace
}  // namespace radixlm
