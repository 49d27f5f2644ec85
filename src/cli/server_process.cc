#include "src/cli/server_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <regex>
#include <utility>

#include "absl/time/clock.h"
#include "src/common/child_process.h"
#include "src/common/strings.h"

namespace radixlm::cli {
namespace {

constexpr std::string_view kListening = "listening on ";

std::string SelfPath() {
  std::string path(4096, '\0');
  const ssize_t length = readlink("/proc/self/exe", path.data(), path.size() - 1);
  path.resize(length > 0 ? static_cast<std::size_t>(length) : 0);
  return path;
}

}  // namespace

absl::StatusOr<ServerProcess> ServerProcess::Start(const std::vector<std::string>& serve_args,
                                                   absl::Duration startup_timeout) {
  const std::string self = SelfPath();
  if (self.empty()) return absl::InternalError("cannot find the radixlm binary (/proc/self/exe)");
  std::vector<std::string> args = {self, "serve"};
  args.insert(args.end(), serve_args.begin(), serve_args.end());
  args.insert(args.end(), {"--host", "127.0.0.1", "--port", "0"});

  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    return absl::InternalError(StrCat("pipe: ", std::strerror(errno)));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    return absl::InternalError(StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(self.c_str(), argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  ServerProcess process(pid, pipe_fds[0], "");

  // Read stdout until the listening line (everything else the server prints goes to our stdout).
  const absl::Time deadline = absl::Now() + startup_timeout;
  std::string buffer;
  static const std::regex kUrl(R"(http://[0-9.]+:[0-9]+)");
  while (true) {
    const std::size_t newline = buffer.find('\n');
    if (newline != std::string::npos) {
      const std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      std::smatch url;
      if (line.find(kListening) != std::string::npos && std::regex_search(line, url, kUrl)) {
        process.base_url_ = url.str();
        return process;
      }
      continue;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(StrCat("radixlm serve did not start listening within ",
                                                absl::FormatDuration(startup_timeout)));
    }
    pollfd poll_fd{process.stdout_fd_, POLLIN, 0};
    const int ready = poll(&poll_fd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char chunk[4096];
    const ssize_t got = read(process.stdout_fd_, chunk, sizeof(chunk));
    if (got <= 0) {
      int status = 0;
      waitpid(process.pid_, &status, 0);
      process.pid_ = -1;
      return absl::UnavailableError(StrCat(
          "radixlm serve exited before listening (exit status ",
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), "); see its messages above"));
    }
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
}

ServerProcess::ServerProcess(ServerProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      base_url_(std::move(other.base_url_)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) (void)Stop(absl::Seconds(10));
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

absl::Status ServerProcess::Stop(absl::Duration grace) {
  if (pid_ <= 0) return absl::OkStatus();
  const std::optional<int> status = SignalAndReap(std::exchange(pid_, -1), SIGTERM, grace);
  if (!status.has_value()) {
    return absl::DeadlineExceededError("radixlm serve did not stop within the grace period");
  }
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return absl::OkStatus();
  return absl::InternalError(StrCat("radixlm serve exited with status ",
                                    WIFEXITED(*status) ? WEXITSTATUS(*status)
                                                       : 128 + WTERMSIG(*status)));
}

}  // namespace radixlm::cli
