#include "src/service/backend_health.h"

#include "gtest/gtest.h"

namespace radixlm::optimization::internal {
namespace {

const HealthTiming kTiming{.interval = absl::Seconds(10),
                           .backoff_initial = absl::Milliseconds(500),
                           .backoff_max = absl::Seconds(3)};

TEST(HealthBackoffTest, DoublesFromTheInitialWaitUpToTheMaximum) {
  EXPECT_EQ(HealthBackoff(1, kTiming), absl::Milliseconds(500));
  EXPECT_EQ(HealthBackoff(2, kTiming), absl::Seconds(1));
  EXPECT_EQ(HealthBackoff(3, kTiming), absl::Seconds(2));
  EXPECT_EQ(HealthBackoff(4, kTiming), absl::Seconds(3));
  EXPECT_EQ(HealthBackoff(1000, kTiming), absl::Seconds(3));
}

TEST(BackendHealthTest, UnknownEndpointsAreTriedFirstAndCheckedAtOnce) {
  BackendHealth health(kTiming);
  EXPECT_TRUE(health.healthy());
  EXPECT_EQ(health.next_check(), absl::InfinitePast());
}

TEST(BackendHealthTest, ReportsTheStartAndEndOfAnOutageOnce) {
  BackendHealth health(kTiming);
  const absl::Time now = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(health.RecordFailure(now, absl::UnavailableError("refused")));
  EXPECT_FALSE(health.healthy());
  EXPECT_EQ(health.last_error(), "refused");
  EXPECT_EQ(health.next_check(), now + absl::Milliseconds(500));
  EXPECT_FALSE(health.RecordFailure(now, absl::UnavailableError("refused")));
  EXPECT_EQ(health.consecutive_failures(), 2);
  EXPECT_EQ(health.next_check(), now + absl::Seconds(1));
  EXPECT_TRUE(health.RecordSuccess(now));
  EXPECT_TRUE(health.healthy());
  EXPECT_EQ(health.consecutive_failures(), 0);
  EXPECT_TRUE(health.last_error().empty());
  EXPECT_EQ(health.next_check(), now + absl::Seconds(10));
  EXPECT_FALSE(health.RecordSuccess(now));
}

}  // namespace
}  // namespace radixlm::optimization::internal
