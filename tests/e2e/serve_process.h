// Helpers of the end-to-end tests: the real `radixlm serve` binary as a child process on a free
// loopback port, the tiny test model it serves, and plain HTTP calls (libcurl) for the requests
// our client library does not make (bad input, raw SSE, wrong keys).
#ifndef RADIXLM_TESTS_E2E_SERVE_PROCESS_H_
#define RADIXLM_TESTS_E2E_SERVE_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace radixlm::e2e {

// The tiny model folder (made once with `radixlm model make --shape tiny`, shared by every test
// process through the build folder; concurrent makers race harmlessly through a rename).
std::string TinyModelDir();
// A model big enough that a long generation lasts seconds (the smollm2-135m shape, ~30 ms per
// token on one thread), for tests that must act while a request is running: aborts, hang-ups,
// a full queue, shutdown. Made once like TinyModelDir().
std::string SlowModelDir();

class ServeProcess {
 public:
  // Runs `radixlm serve --model <model_dir> --threads 1 --port 0 <extra_args>` (no `--port 0`
  // when `extra_args` has a --port) and waits for its listening line. `model_dir` empty:
  // TinyModelDir().
  static absl::StatusOr<std::unique_ptr<ServeProcess>> Start(
      const std::vector<std::string>& extra_args, const std::string& model_dir = "");
  ~ServeProcess();  // Stop() if still running
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }
  std::string base_url() const;
  // The listening line, e.g. "radixlm serve: listening on http://127.0.0.1:40001 (...)".
  const std::string& listening_line() const { return listening_line_; }
  // Sends `signal` (SIGTERM) and waits up to `timeout`; returns the exit status, or -1 when the
  // process did not exit in time (it is then killed) or died of a signal.
  int Stop(int signal_number, absl::Duration timeout = absl::Seconds(60));
  // What the server wrote on stderr so far.
  std::string log() const;
  bool running() const { return pid_ > 0; }

 private:
  ServeProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string listening_line_;
  std::string log_path_;
};

struct HttpResult {
  long status = 0;  // 0: no response (connection failed)
  std::string body;
  std::string content_type;
  nlohmann::json Json() const;  // the body parsed (discarded value when not JSON)
};

// One HTTP call. `headers` are "Name: value" lines; a JSON content type is added for a non-empty
// body unless a Content-Type header is given.
HttpResult Http(const std::string& method, const std::string& url, const std::string& body = "",
                const std::vector<std::string>& headers = {},
                absl::Duration timeout = absl::Seconds(120));

// The `data:` payloads of an SSE body, in order ("[DONE]" included as is).
std::vector<std::string> SseData(const std::string& body);

// Opens a raw connection, sends `request` (complete HTTP request bytes), reads until `marker`
// appears, and closes the connection abruptly. Returns what was read.
std::string SendAndHangUp(int port, const std::string& request, const std::string& marker);

// A raw loopback connection that sends bytes and can vanish abruptly (RST), like a killed client.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();  // HangUp()
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool Send(const std::string& bytes);
  void HangUp();

 private:
  int fd_ = -1;
};

// The bytes of a POST request with a JSON body.
std::string RawPost(const std::string& path, const std::string& body);

}  // namespace radixlm::e2e

#endif  // RADIXLM_TESTS_E2E_SERVE_PROCESS_H_
