#include "src/client/retry.h"

#include "gtest/gtest.h"
#include "src/client/transport_failure.h"

namespace radixlm::sglang::internal {
namespace {

absl::StatusOr<HttpResponse> Status(int code, std::size_t streamed = 0) {
  HttpResponse response;
  response.status = code;
  response.streamed_bytes = streamed;
  return response;
}

TEST(RetryTest, RetriesOnlyWhatTheServerCannotHaveProcessed) {
  const auto refused =
      TransportFailure(TransportFailureKind::kRefused, absl::UnavailableError("refused"));
  const auto reset = TransportFailure(TransportFailureKind::kReset, absl::UnavailableError("reset"));
  EXPECT_TRUE(ShouldRetry(refused, /*idempotent=*/false));
  EXPECT_TRUE(ShouldRetry(reset, /*idempotent=*/true));
  EXPECT_FALSE(ShouldRetry(reset, /*idempotent=*/false));
  EXPECT_TRUE(ShouldRetry(Status(503), false));
  EXPECT_TRUE(ShouldRetry(Status(429), false));
  EXPECT_FALSE(ShouldRetry(Status(500), true));
  EXPECT_FALSE(ShouldRetry(Status(400), true));
  EXPECT_FALSE(ShouldRetry(Status(200), true));
  EXPECT_FALSE(ShouldRetry(Status(503, /*streamed=*/10), true));
  EXPECT_FALSE(ShouldRetry(absl::DeadlineExceededError("timeout"), true));
  EXPECT_FALSE(ShouldRetry(absl::DataLossError("garbage"), true));
  EXPECT_FALSE(ShouldRetry(absl::CancelledError("stop"), true));
}

TEST(RetryTest, BackoffGrowsExponentiallyUpToTheCap) {
  RetryPolicy policy{.initial_backoff = absl::Milliseconds(100),
                     .max_backoff = absl::Milliseconds(350),
                     .multiplier = 2.0,
                     .jitter = 0.0};
  absl::BitGen random;
  EXPECT_EQ(Backoff(policy, 1, std::nullopt, random), absl::Milliseconds(100));
  EXPECT_EQ(Backoff(policy, 2, std::nullopt, random), absl::Milliseconds(200));
  EXPECT_EQ(Backoff(policy, 3, std::nullopt, random), absl::Milliseconds(350));
  EXPECT_EQ(Backoff(policy, 10, std::nullopt, random), absl::Milliseconds(350));
}

TEST(RetryTest, JitterStaysWithinItsBounds) {
  RetryPolicy policy{.initial_backoff = absl::Milliseconds(100), .jitter = 0.2};
  absl::BitGen random;
  absl::Duration low = absl::InfiniteDuration();
  absl::Duration high = absl::ZeroDuration();
  for (int i = 0; i < 1000; ++i) {
    const absl::Duration wait = Backoff(policy, 1, std::nullopt, random);
    low = std::min(low, wait);
    high = std::max(high, wait);
  }
  EXPECT_GE(low, absl::Milliseconds(80));
  EXPECT_LE(high, absl::Milliseconds(120));
  EXPECT_LT(low, high) << "jitter must actually vary the wait";
}

TEST(RetryTest, RetryAfterReplacesBackoffButIsCapped) {
  RetryPolicy policy{.max_backoff = absl::Seconds(2)};
  absl::BitGen random;
  EXPECT_EQ(Backoff(policy, 1, absl::Seconds(1), random), absl::Seconds(1));
  EXPECT_EQ(Backoff(policy, 1, absl::Seconds(30), random), absl::Seconds(2));
  policy.honor_retry_after = false;
  policy.jitter = 0;
  EXPECT_EQ(Backoff(policy, 1, absl::Seconds(1), random), policy.initial_backoff);
}

}  // namespace
}  // namespace radixlm::sglang::internal
