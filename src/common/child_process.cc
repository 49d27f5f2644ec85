#include "src/common/child_process.h"

#include <signal.h>
#include <sys/wait.h>

#include "absl/time/clock.h"

namespace radixlm {

std::optional<int> SignalAndReap(pid_t pid, int signal_number, absl::Duration grace) {
  kill(pid, signal_number);
  const absl::Time deadline = absl::Now() + grace;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return std::nullopt;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return status;
}

}  // namespace radixlm
