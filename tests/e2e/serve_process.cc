#include "tests/e2e/serve_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <utility>

#include "curl/curl.h"
#include "src/common/child_process.h"

namespace radixlm::e2e {
namespace fs = std::filesystem;

namespace {

void MakeModelOnce(const std::string& dir, const std::string& shape) {
  if (fs::exists(fs::path(dir) / "config.json")) return;
  const std::string scratch = dir + ".tmp." + std::to_string(getpid());
  const std::string command = std::string(RADIXLM_BINARY) + " model make --shape " + shape +
                              " --dtype bf16 --seed 1 --force --out " + scratch +
                              " > /dev/null 2>&1";
  if (std::system(command.c_str()) != 0) return;  // Start() then reports the missing model
  std::error_code error;
  fs::rename(scratch, dir, error);  // another process may have won: then ours is dropped
  fs::remove_all(scratch, error);
}

}  // namespace

std::string TinyModelDir() {
  static std::once_flag once;
  static const std::string dir = RADIXLM_E2E_MODEL_DIR;
  std::call_once(once, [] { MakeModelOnce(dir, "tiny"); });
  return dir;
}

std::string SlowModelDir() {
  static std::once_flag once;
  static const std::string dir = std::string(RADIXLM_E2E_MODEL_DIR) + "-smollm2";
  std::call_once(once, [] { MakeModelOnce(dir, "smollm2-135m"); });
  return dir;
}

absl::StatusOr<std::unique_ptr<ServeProcess>> ServeProcess::Start(
    const std::vector<std::string>& extra_args, const std::string& model_dir) {
  const std::string model = model_dir.empty() ? TinyModelDir() : model_dir;
  auto process = std::unique_ptr<ServeProcess>(new ServeProcess());
  process->log_path_ = (fs::temp_directory_path() /
                        ("radixlm_serve_" + std::to_string(getpid()) + "_" +
                         std::to_string(reinterpret_cast<std::uintptr_t>(process.get())) + ".log"))
                           .string();
  std::vector<std::string> args = {RADIXLM_BINARY, "serve", "--model", model, "--threads", "1"};
  // A free port unless the test names one (to restart a server where clients expect it).
  if (std::find(extra_args.begin(), extra_args.end(), "--port") == extra_args.end()) {
    args.insert(args.end(), {"--port", "0"});
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  // A small KV pool starts faster than the default 1 GiB budget.
  if (std::find(extra_args.begin(), extra_args.end(), "--max-kv-tokens") == extra_args.end()) {
    args.insert(args.end(), {"--max-kv-tokens", "65536"});
  }
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    const int log = open(process->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out[0]);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  process->pid_ = pid;
  // Read stdout until the listening line (the engine loads the model first).
  std::string text;
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (text.find('\n') == std::string::npos && absl::Now() < deadline) {
    pollfd poll_fd{.fd = out[0], .events = POLLIN, .revents = 0};
    if (poll(&poll_fd, 1, 200) <= 0) continue;
    char buffer[512];
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  close(out[0]);  // later stdout writes are not needed (the server writes only this line)
  const std::string marker = "listening on http://";
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) {
    const std::string log = process->log();
    process->Stop(SIGKILL, absl::Seconds(5));
    return absl::UnavailableError("radixlm serve did not start; stdout: " + text +
                                  "; stderr: " + log);
  }
  process->listening_line_ = text.substr(0, text.find('\n'));
  const std::size_t colon = text.find(':', text.find("//", at) + 2);
  process->port_ = std::atoi(text.c_str() + colon + 1);
  return process;
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) Stop(SIGTERM);
  std::error_code ignored;
  fs::remove(log_path_, ignored);
}

std::string ServeProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

int ServeProcess::Stop(int signal_number, absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  const std::optional<int> status = SignalAndReap(std::exchange(pid_, -1), signal_number, timeout);
  return status.has_value() && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

std::string ServeProcess::log() const {
  std::ifstream stream(log_path_);
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}

nlohmann::json HttpResult::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

namespace {
std::size_t Collect(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}
}  // namespace

HttpResult Http(const std::string& method, const std::string& url, const std::string& body,
                const std::vector<std::string>& headers, absl::Duration timeout) {
  HttpResult result;
  CURL* curl = curl_easy_init();
  curl_slist* header_list = nullptr;
  bool has_type = false;
  for (const std::string& header : headers) {
    header_list = curl_slist_append(header_list, header.c_str());
    if (header.rfind("Content-Type:", 0) == 0) has_type = true;
  }
  if (!body.empty() && !has_type) {
    header_list = curl_slist_append(header_list, "Content-Type: application/json");
  }
  header_list = curl_slist_append(header_list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || method == "PUT" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) result.content_type = type;
  }
  curl_slist_free_all(header_list);
  curl_easy_cleanup(curl);
  return result;
}

std::vector<std::string> SseData(const std::string& body) {
  std::vector<std::string> events;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("data: ", 0) == 0) events.push_back(line.substr(6));
  }
  return events;
}

std::string SendAndHangUp(int port, const std::string& request, const std::string& marker) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string received;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    timeval timeout{.tv_sec = 60, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buffer[4096];
    while (received.find(marker) == std::string::npos) {
      const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      received.append(buffer, static_cast<std::size_t>(n));
    }
    // RST instead of FIN: the abrupt way a killed client goes away.
    linger hard{.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  }
  close(fd);
  return received;
}

RawConnection::RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) HangUp();
}

RawConnection::~RawConnection() { HangUp(); }

bool RawConnection::Send(const std::string& bytes) {
  return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                         static_cast<ssize_t>(bytes.size());
}

void RawConnection::HangUp() {
  if (fd_ < 0) return;
  linger hard{.l_onoff = 1, .l_linger = 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  close(fd_);
  fd_ = -1;
}

std::string RawPost(const std::string& path, const std::string& body) {
  return "POST " + path +
         " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace radixlm::e2e
