#include "src/common/child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace radixlm {
namespace {

// A child that sleeps until signalled; with `ignore_term` it ignores SIGTERM. Returns once the
// child has set its signal disposition (it reports through a pipe), so the test cannot race it.
pid_t SleepingChild(bool ignore_term) {
  int ready[2];
  if (pipe(ready) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    if (ignore_term) signal(SIGTERM, SIG_IGN);
    const char byte = 1;
    (void)!write(ready[1], &byte, 1);
    for (;;) pause();
  }
  char byte = 0;
  if (pid > 0) (void)!read(ready[0], &byte, 1);
  close(ready[0]);
  close(ready[1]);
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
  EXPECT_FALSE(SignalAndReap(pid, SIGTERM, absl::Milliseconds(200)).has_value());
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1) << "the child must have been reaped";
}

}  // namespace
}  // namespace radixlm
