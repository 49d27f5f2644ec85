// ServerProcess: a `radixlm serve` child process on a free loopback port, for `radixlm demo`.
// Start() runs this same binary with `serve ... --port 0`, passes its stderr through (progress
// bars, logs) and reads its stdout until the "listening on http://HOST:PORT" line; Stop() sends
// SIGTERM and waits, so the server shuts down gracefully.
#ifndef RADIXLM_SRC_CLI_SERVER_PROCESS_H_
#define RADIXLM_SRC_CLI_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace radixlm::cli {

class ServerProcess {
 public:
  // `serve_args` follow `radixlm serve` (e.g. {"--demo"}); --host and --port are added.
  static absl::StatusOr<ServerProcess> Start(const std::vector<std::string>& serve_args,
                                             absl::Duration startup_timeout);
  ServerProcess(ServerProcess&& other) noexcept;
  ServerProcess& operator=(ServerProcess&& other) = delete;
  ServerProcess(const ServerProcess&) = delete;
  // Stops the server if Stop() was not called.
  ~ServerProcess();

  // SIGTERM, then waits up to `grace` before SIGKILL. OK when the server exited with status 0.
  absl::Status Stop(absl::Duration grace = absl::Seconds(30));

  const std::string& base_url() const { return base_url_; }

 private:
  ServerProcess(pid_t pid, int stdout_fd, std::string base_url)
      : pid_(pid), stdout_fd_(stdout_fd), base_url_(std::move(base_url)) {}

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string base_url_;
};

}  // namespace radixlm::cli

#endif  // RADIXLM_SRC_CLI_SERVER_PROCESS_H_
