// Stopping a child process: a signal, a grace period, then SIGKILL. Shared by `radixlm demo`'s
// server and the end-to-end tests' server, which both own a `radixlm serve` they started.
//
// Example:
//   std::optional<int> status = SignalAndReap(pid, SIGTERM, absl::Seconds(10));
//   if (status.has_value() && WIFEXITED(*status)) ...
#ifndef RADIXLM_SRC_COMMON_CHILD_PROCESS_H_
#define RADIXLM_SRC_COMMON_CHILD_PROCESS_H_

#include <sys/types.h>

#include <optional>

#include "absl/time/time.h"

namespace radixlm {

// SignalAndReap() sends `signal_number` to the child `pid`, waits up to `grace` for it to exit and
// returns its waitpid() status; when it has not exited by then it is killed with SIGKILL, reaped,
// and std::nullopt is returned. Either way the child is reaped.
std::optional<int> SignalAndReap(pid_t pid, int signal_number, absl::Duration grace);

}  // namespace radixlm

#endif  // RADIXLM_SRC_COMMON_CHILD_PROCESS_H_
