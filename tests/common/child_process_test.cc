#include "src/common/child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace radixlm {
namespace {

// A child that sleeps until signalled; with `ignore_term` it ignores SIGTERM.
pid_t SleepingChild(bool ignore_term) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (ignore_term) signal(SIGTERM, SIG_IGN);
    for (;;) pause();
  }
  return pid;
}

TEST(SignalAndReapTest, ReturnsTheStatusOfAChildThatStops) {
  const pid_t pid = SleepingChild(false);
  ASSERT_GT(pid, 0);
  const std::optional<int> status = SignalAndReap(pid, SIGTERM, absl::Seconds(10));
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGTERM);
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1) << "the child must have been reaped";
}

TEST(SignalAndReapTest, KillsAndReapsAChildThatIgnoresTheSignal) {
  const pid_t pid = SleepingChild(true);
  ASSERT_GT(pid, 0);
  absl::SleepFor(absl::Milliseconds(100));  // let it install SIG_IGN
  EXPECT_FALSE(SignalAndReap(pid, SIGTERM, absl::Milliseconds(200)).has_value());
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1) << "the child must have been reaped";
}

}  // namespace
}  // namespace radixlm
