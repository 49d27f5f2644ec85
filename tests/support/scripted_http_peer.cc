// Threads and descriptors, the invariants everything below relies on:
//  - The accept thread owns listen_fd_; each connection thread owns its client socket and is the
//    only thread that reads, writes or closes it. Stop() never touches a client socket.
//  - Every blocking call is a poll() that also watches stop_fd_, an eventfd written once by Stop()
//    and never read, so it stays readable and every wait, present or future, ends at once. Sockets
//    are non-blocking, so no read or write can block outside such a poll.
//  - A connection thread is in connection_threads_ from its creation (the accept thread holds
//    mutex_ while creating it, and the thread takes mutex_ to report its end) until it is joined by
//    the accept thread (ReapFinishedConnections) or by Stop(), after the accept thread has been
//    joined, so no thread is created after Stop() collects them.
//  - listen_fd_ and stop_fd_ are closed only after every thread that uses them has been joined.
#include "tests/support/scripted_http_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace radixlm::testing {
namespace {

// Bounds on what a request may send before the peer calls it malformed.
constexpr size_t kMaxHeaderBytes = size_t{1} << 20;
constexpr size_t kMaxChunkLineBytes = 4096;
// How long a graceful close waits for the client to close its side after our FIN; reading until
// then keeps unread client bytes from turning our close into an RST that could destroy the reply.
constexpr absl::Duration kLingerTimeout = absl::Seconds(1);

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "ScriptedHttpPeer: %s failed: %s\n", what, std::strerror(errno));
  std::abort();
}

enum class PollResult { kReady, kStopped, kTimedOut, kError };

// Waits for `events` on `fd` (or only for stop when fd < 0). timeout_ms < 0 waits for ever.
PollResult PollOrStop(int fd, short events, int stop_fd, int timeout_ms) {
  pollfd fds[2] = {{stop_fd, POLLIN, 0}, {fd, events, 0}};
  const nfds_t count = fd >= 0 ? 2 : 1;
  for (;;) {
    const int rc = ::poll(fds, count, timeout_ms);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return PollResult::kError;
    }
    if (rc == 0) return PollResult::kTimedOut;
    if (fds[0].revents != 0) return PollResult::kStopped;
    return PollResult::kReady;
  }
}

// Milliseconds left until `deadline`, rounded up so that a wait never ends before it.
int MillisUntil(absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))));
}

// The server's end of one connection: a buffered reader and a writer that give up when the client
// goes away or the peer stops.
class PeerSocket {
 public:
  PeerSocket(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}
  ~PeerSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  PeerSocket(const PeerSocket&) = delete;
  PeerSocket& operator=(const PeerSocket&) = delete;

  // Reads through `delimiter`; `out` gets the bytes before it. False on EOF, error, stop, or more
  // than `max_bytes` without the delimiter (then *too_long is set).
  bool ReadThrough(absl::string_view delimiter, size_t max_bytes, std::string* out,
                   bool* too_long) {
    size_t searched = 0;
    for (;;) {
      const size_t at = absl::string_view(buffer_).find(delimiter, searched);
      if (at != absl::string_view::npos) {
        out->assign(buffer_, 0, at);
        buffer_.erase(0, at + delimiter.size());
        return true;
      }
      if (buffer_.size() > max_bytes) {
        *too_long = true;
        return false;
      }
      searched = buffer_.size() >= delimiter.size() ? buffer_.size() - delimiter.size() + 1 : 0;
      if (!Fill()) return false;
    }
  }

  // Appends exactly `count` bytes to `out`.
  bool ReadExactly(size_t count, std::string* out) {
    while (buffer_.size() < count) {
      if (!Fill()) return false;
    }
    out->append(buffer_, 0, count);
    buffer_.erase(0, count);
    return true;
  }

  bool WriteAll(absl::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent > 0) {
        bytes.remove_prefix(static_cast<size_t>(sent));
      } else if (sent < 0 && errno == EINTR) {
        continue;
      } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (PollOrStop(fd_, POLLOUT, stop_fd_, -1) != PollResult::kReady) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  // Waits until the client closes the connection or the peer stops, discarding what arrives.
  void WaitForClientClose() {
    while (Fill()) buffer_.clear();
  }

  // Waits for `delay`; false if the peer stopped first.
  bool Pause(absl::Duration delay) {
    const absl::Time deadline = absl::Now() + delay;
    for (;;) {
      const int wait_ms = MillisUntil(deadline);
      if (wait_ms == 0) return true;
      switch (PollOrStop(-1, 0, stop_fd_, wait_ms)) {
        case PollResult::kTimedOut:
          continue;
        case PollResult::kReady:  // Not reachable with no socket; treat like a stop.
        case PollResult::kStopped:
        case PollResult::kError:
          return false;
      }
    }
  }

  // Sends FIN, reads until the client closes too (bounded by kLingerTimeout), then closes.
  void CloseGracefully() {
    if (fd_ < 0) return;
    ::shutdown(fd_, SHUT_WR);
    const absl::Time deadline = absl::Now() + kLingerTimeout;
    char scratch[4096];
    for (;;) {
      const int wait_ms = MillisUntil(deadline);
      if (wait_ms == 0 || PollOrStop(fd_, POLLIN, stop_fd_, wait_ms) != PollResult::kReady) break;
      const ssize_t got = ::recv(fd_, scratch, sizeof(scratch), 0);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        break;
      }
    }
    ::close(fd_);
    fd_ = -1;
  }

  // Closes so that the client sees an RST: SO_LINGER {on, 0 s} makes close() abort the connection.
  void CloseWithReset() {
    if (fd_ < 0) return;
    const linger abort_on_close = {1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
    ::close(fd_);
    fd_ = -1;
  }

 private:
  // Appends whatever the client sent next to buffer_; false on EOF, error or stop.
  bool Fill() {
    char chunk[16384];
    for (;;) {
      if (PollOrStop(fd_, POLLIN, stop_fd_, -1) != PollResult::kReady) return false;
      const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got > 0) {
        buffer_.append(chunk, static_cast<size_t>(got));
        return true;
      }
      if (got == 0) return false;
      if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    }
  }

  int fd_;
  const int stop_fd_;
  std::string buffer_;
};

// What the reply must honour about the request it answers.
struct RequestFacts {
  bool keep_alive = true;
  bool is_head = false;
};

enum class ReadResult { kOk, kClosed, kMalformed };

bool HasToken(const std::map<std::string, std::string>& headers, const std::string& name,
              absl::string_view token) {
  const auto it = headers.find(name);
  if (it == headers.end()) return false;
  for (absl::string_view part : absl::StrSplit(it->second, ',')) {
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(part), token)) return true;
  }
  return false;
}

// Decodes a chunked body (RFC 9112 §7.1) into request->body; trailers are read and dropped.
ReadResult ReadChunkedBody(PeerSocket& socket, RecordedRequest* request) {
  std::string line;
  bool too_long = false;
  for (;;) {
    if (!socket.ReadThrough("\r\n", kMaxChunkLineBytes, &line, &too_long)) {
      return too_long ? ReadResult::kMalformed : ReadResult::kClosed;
    }
    const absl::string_view size_text =
        absl::StripAsciiWhitespace(absl::string_view(line).substr(0, line.find(';')));
    uint64_t size = 0;
    if (size_text.empty() || !absl::SimpleHexAtoi(size_text, &size)) return ReadResult::kMalformed;
    if (size == 0) break;
    if (!socket.ReadExactly(size, &request->body)) return ReadResult::kClosed;
    std::string crlf;
    if (!socket.ReadExactly(2, &crlf)) return ReadResult::kClosed;
    if (crlf != "\r\n") return ReadResult::kMalformed;
  }
  for (;;) {  // Trailer fields, up to the empty line.
    if (!socket.ReadThrough("\r\n", kMaxHeaderBytes, &line, &too_long)) {
      return too_long ? ReadResult::kMalformed : ReadResult::kClosed;
    }
    if (line.empty()) return ReadResult::kOk;
  }
}

ReadResult ReadRequest(PeerSocket& socket, RecordedRequest* request, RequestFacts* facts) {
  std::string request_line;
  bool too_long = false;
  // RFC 9112 §2.2: a server should ignore empty lines received before the request line.
  do {
    if (!socket.ReadThrough("\r\n", kMaxHeaderBytes, &request_line, &too_long)) {
      return too_long ? ReadResult::kMalformed : ReadResult::kClosed;
    }
  } while (request_line.empty());
  const std::vector<std::string> parts = absl::StrSplit(request_line, ' ');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() ||
      !absl::StartsWith(parts[2], "HTTP/1.")) {
    return ReadResult::kMalformed;
  }
  request->method = parts[0];
  request->path = parts[1];
  const bool http11 = parts[2] == "HTTP/1.1";

  size_t header_bytes = request_line.size();
  for (;;) {
    std::string line;
    if (!socket.ReadThrough("\r\n", kMaxHeaderBytes, &line, &too_long)) {
      return too_long ? ReadResult::kMalformed : ReadResult::kClosed;
    }
    if (line.empty()) break;
    header_bytes += line.size();
    const size_t colon = line.find(':');
    if (header_bytes > kMaxHeaderBytes || colon == std::string::npos || colon == 0) {
      return ReadResult::kMalformed;
    }
    const absl::string_view field(line);
    const std::string name = absl::AsciiStrToLower(field.substr(0, colon));
    const absl::string_view value = absl::StripAsciiWhitespace(field.substr(colon + 1));
    auto [it, inserted] = request->headers.try_emplace(name, value);
    if (!inserted) absl::StrAppend(&it->second, ", ", value);
  }

  facts->is_head = request->method == "HEAD";
  facts->keep_alive = http11 ? !HasToken(request->headers, "connection", "close")
                             : HasToken(request->headers, "connection", "keep-alive");

  if (http11 && HasToken(request->headers, "expect", "100-continue") &&
      !socket.WriteAll("HTTP/1.1 100 Continue\r\n\r\n")) {
    return ReadResult::kClosed;
  }
  if (HasToken(request->headers, "transfer-encoding", "chunked")) {
    return ReadChunkedBody(socket, request);
  }
  const auto length = request->headers.find("content-length");
  if (length == request->headers.end()) return ReadResult::kOk;
  uint64_t body_bytes = 0;
  if (!absl::SimpleAtoi(length->second, &body_bytes)) return ReadResult::kMalformed;
  return socket.ReadExactly(body_bytes, &request->body) ? ReadResult::kOk : ReadResult::kClosed;
}

// Reason phrases from RFC 9110 §15; clients ignore them, but a status line needs one.
const char* ReasonPhrase(int status) {
  static constexpr std::pair<int, const char*> kPhrases[] = {
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {304, "Not Modified"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {413, "Content Too Large"},
      {422, "Unprocessable Content"},
      {429, "Too Many Requests"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  for (const auto& [code, phrase] : kPhrases) {
    if (code == status) return phrase;
  }
  return "Status";
}

// The status line and the headers every reply starts with, without the final empty line.
std::string ReplyHead(int status, const std::string& content_type, const RequestFacts& facts) {
  std::string head = absl::StrCat("HTTP/1.1 ", status, " ", ReasonPhrase(status), "\r\n");
  if (!content_type.empty()) absl::StrAppend(&head, "Content-Type: ", content_type, "\r\n");
  if (!facts.keep_alive) absl::StrAppend(&head, "Connection: close\r\n");
  return head;
}

// Carries out `action` on a request that was read in full. True if the connection should go on
// serving requests; otherwise the caller closes it (if the action has not already).
bool Perform(PeerSocket& socket, const Action& action, const RequestFacts& facts) {
  switch (action.kind) {
    case Action::Kind::kRespond: {
      // RFC 9110 §8.6: no Content-Length and no body in 204 and 304 replies.
      const bool bodiless = action.status == 204 || action.status == 304;
      std::string reply = ReplyHead(action.status, action.content_type, facts);
      if (!bodiless) absl::StrAppend(&reply, "Content-Length: ", action.body.size(), "\r\n");
      for (const auto& [name, value] : action.extra_headers) {
        absl::StrAppend(&reply, name, ": ", value, "\r\n");
      }
      reply += "\r\n";
      if (!bodiless && !facts.is_head) reply += action.body;
      if (!socket.WriteAll(reply)) return false;
      if (!facts.keep_alive) socket.CloseGracefully();
      return facts.keep_alive;
    }
    case Action::Kind::kRespondChunks: {
      const std::string head = absl::StrCat(ReplyHead(action.status, action.content_type, facts),
                                            "Transfer-Encoding: chunked\r\n\r\n");
      if (!socket.WriteAll(head)) return false;
      for (const std::string& chunk : action.chunks) {
        if (chunk.empty()) continue;
        if (!socket.WriteAll(absl::StrCat(absl::Hex(chunk.size()), "\r\n", chunk, "\r\n"))) {
          return false;
        }
      }
      if (action.reset_after_chunks) {
        socket.CloseWithReset();
        return false;
      }
      if (!socket.WriteAll("0\r\n\r\n")) return false;
      if (!facts.keep_alive) socket.CloseGracefully();
      return facts.keep_alive;
    }
    case Action::Kind::kHang:
      socket.WaitForClientClose();
      return false;
    case Action::Kind::kReset:
      socket.CloseWithReset();
      return false;
    case Action::Kind::kCloseWithoutResponse:
      socket.CloseGracefully();
      return false;
    case Action::Kind::kRaw:
      if (!socket.WriteAll(action.body)) return false;
      if (action.close_after) socket.CloseGracefully();
      return !action.close_after;
    case Action::Kind::kHangAfterHeaders:
      if (socket.WriteAll(absl::StrCat(ReplyHead(action.status, action.content_type, facts),
                                       "Transfer-Encoding: chunked\r\n\r\n"))) {
        socket.WaitForClientClose();
      }
      return false;
  }
  return false;
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Binds a new TCP socket to 127.0.0.1 on an ephemeral port; returns the socket and the port.
std::pair<int, int> BindLoopback(int extra_type_flags) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | extra_type_flags, 0);
  if (fd < 0) Die("socket()");
  sockaddr_in address = Loopback(0);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    Die("bind(127.0.0.1:0)");
  }
  socklen_t length = sizeof(address);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    Die("getsockname()");
  }
  return {fd, ntohs(address.sin_port)};
}

}  // namespace

Action Action::Respond(int status, std::string body, std::string content_type,
                       HeaderList extra_headers) {
  Action action;
  action.kind = Kind::kRespond;
  action.status = status;
  action.body = std::move(body);
  action.content_type = std::move(content_type);
  action.extra_headers = std::move(extra_headers);
  return action;
}

Action Action::RespondChunks(int status, std::vector<std::string> chunks,
                             std::string content_type) {
  Action action;
  action.kind = Kind::kRespondChunks;
  action.status = status;
  action.chunks = std::move(chunks);
  action.content_type = std::move(content_type);
  return action;
}

Action Action::RespondChunksThenReset(int status, std::vector<std::string> chunks,
                                      std::string content_type) {
  Action action = RespondChunks(status, std::move(chunks), std::move(content_type));
  action.reset_after_chunks = true;
  return action;
}

Action Action::Hang() {
  Action action;
  action.kind = Kind::kHang;
  return action;
}

Action Action::Reset() {
  Action action;
  action.kind = Kind::kReset;
  return action;
}

Action Action::CloseWithoutResponse() {
  Action action;
  action.kind = Kind::kCloseWithoutResponse;
  return action;
}

Action Action::Raw(std::string bytes, bool close_after) {
  Action action;
  action.kind = Kind::kRaw;
  action.body = std::move(bytes);
  action.close_after = close_after;
  return action;
}

Action Action::HangAfterHeaders(int status, std::string content_type) {
  Action action;
  action.kind = Kind::kHangAfterHeaders;
  action.status = status;
  action.content_type = std::move(content_type);
  return action;
}

Action Action::Delayed(absl::Duration delay, Action action) {
  action.delay += delay;
  return action;
}

ScriptedHttpPeer::ScriptedHttpPeer() {
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) Die("eventfd()");
  std::tie(listen_fd_, port_) = BindLoopback(SOCK_NONBLOCK);
  if (::listen(listen_fd_, SOMAXCONN) != 0) Die("listen()");
  accept_thread_ = std::thread(&ScriptedHttpPeer::AcceptLoop, this);
}

ScriptedHttpPeer::~ScriptedHttpPeer() { Stop(); }

void ScriptedHttpPeer::Stop() {
  std::call_once(stop_once_, [this] {
    const uint64_t one = 1;
    if (::write(stop_fd_, &one, sizeof(one)) != sizeof(one)) Die("write(eventfd)");
    accept_thread_.join();
    ::close(listen_fd_);
    std::map<int, std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      threads.swap(connection_threads_);
      finished_connections_.clear();
    }
    for (auto& [index, thread] : threads) thread.join();
    ::close(stop_fd_);
  });
}

std::string ScriptedHttpPeer::base_url() const { return absl::StrCat("http://127.0.0.1:", port_); }

void ScriptedHttpPeer::Enqueue(Action action) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.push_back(std::move(action));
}

void ScriptedHttpPeer::SetDefault(Action action) {
  std::lock_guard<std::mutex> lock(mutex_);
  default_action_ = std::move(action);
}

void ScriptedHttpPeer::SetHandler(Handler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  handler_ = std::move(handler);
}

std::vector<RecordedRequest> ScriptedHttpPeer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

size_t ScriptedHttpPeer::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

size_t ScriptedHttpPeer::connection_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return connections_accepted_;
}

bool ScriptedHttpPeer::WaitForRequests(size_t n, absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto enough = [this, n] { return requests_.size() >= n; };
  // Beyond a year is "for ever"; it also keeps now() + timeout from overflowing the clock.
  if (timeout > absl::Hours(24 * 365)) {
    request_recorded_.wait(lock, enough);
    return true;
  }
  return request_recorded_.wait_for(lock, absl::ToChronoNanoseconds(timeout), enough);
}

std::string ScriptedHttpPeer::RefusedBaseUrl() {
  // Bound but never listening: a SYN to it is answered with RST. The socket is kept open on
  // purpose (see the header) and so is never closed.
  static const int refused_port = BindLoopback(0).second;
  return absl::StrCat("http://127.0.0.1:", refused_port);
}

void ScriptedHttpPeer::AcceptLoop() {
  for (;;) {
    if (PollOrStop(listen_fd_, POLLIN, stop_fd_, -1) != PollResult::kReady) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // The client gave up before we accepted, or a signal: nothing to serve.
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED || errno == EINTR) {
        continue;
      }
      Die("accept4()");  // Out of descriptors or memory; polling again would only spin.
    }
    // Every write of a chunk must leave as its own segment, not wait for Nagle's algorithm.
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    ReapFinishedConnections();
    std::lock_guard<std::mutex> lock(mutex_);
    const int index = static_cast<int>(connections_accepted_++);
    connection_threads_.emplace(index,
                                std::thread(&ScriptedHttpPeer::ServeConnection, this, fd, index));
  }
}

void ScriptedHttpPeer::ReapFinishedConnections() {
  std::vector<std::thread> finished;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const int index : finished_connections_) {
      auto node = connection_threads_.extract(index);
      if (!node.empty()) finished.push_back(std::move(node.mapped()));
    }
    finished_connections_.clear();
  }
  for (std::thread& thread : finished) thread.join();
}

void ScriptedHttpPeer::ServeConnection(int fd, int connection_index) {
  {
    PeerSocket socket(fd, stop_fd_);
    for (;;) {
      RecordedRequest request;
      RequestFacts facts;
      const ReadResult read = ReadRequest(socket, &request, &facts);
      if (read == ReadResult::kClosed) break;
      if (read == ReadResult::kMalformed) {
        socket.WriteAll(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n"
            "Connection: close\r\n\r\nmalformed request\r\n");
        socket.CloseGracefully();
        break;
      }
      request.connection_index = connection_index;
      const Action action = RecordAndChooseAction(request);
      if (action.delay > absl::ZeroDuration() && !socket.Pause(action.delay)) break;
      if (!Perform(socket, action, facts)) break;
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  finished_connections_.push_back(connection_index);
}

Action ScriptedHttpPeer::RecordAndChooseAction(const RecordedRequest& request) {
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    request_recorded_.notify_all();
    if (!queue_.empty()) {
      Action action = std::move(queue_.front());
      queue_.pop_front();
      return action;
    }
    if (!handler_) {
      if (default_action_.has_value()) return *default_action_;
      return Action::Respond(500, "no scripted action", "text/plain");
    }
    handler = handler_;
  }
  // Called unlocked: a handler may block, or call back into the peer.
  return handler(request);
}

}  // namespace radixlm::testing
