// ScriptedHttpPeer: a loopback HTTP/1.1 server whose every reply is scripted, for fault-injection
// tests of HTTP clients (timeouts, resets, truncated streams, garbage replies).
//
// The peer listens on 127.0.0.1, on an ephemeral port, from construction until Stop() or
// destruction. Each accepted connection is served on its own thread and kept alive until the
// client closes it or an action ends it. Every request is read in full (Content-Length or chunked
// body; "Expect: 100-continue" is answered with "100 Continue"), recorded, and then answered by an
// Action picked in this order:
//   1. the oldest action passed to Enqueue() (one-shot; one FIFO shared by all connections),
//   2. else the SetHandler() handler,
//   3. else the SetDefault() action,
//   4. else 500 "no scripted action".
// Recording and dequeuing happen under one lock, so the i-th recorded request is the one that
// consumed the i-th enqueued action.
//
//   ScriptedHttpPeer peer;
//   peer.Enqueue(Action::Reset());                        // first request: TCP RST, no reply
//   peer.SetDefault(Action::Respond(200, R"({"ok":true})"));  // every later one
//   // ... point the client under test at peer.base_url() ...
//   ASSERT_TRUE(peer.WaitForRequests(2, absl::Seconds(10)));
//   EXPECT_EQ(peer.requests()[1].path, "/v1/models");
//
// Thread safety: every public method may be called from any thread while the peer serves. A
// handler runs on connection threads, possibly several at once, so it must be thread-safe itself;
// it is called without the peer's lock held, so it may call back into the peer (but not Stop()).
// Stop() wakes every connection, including those inside Hang, HangAfterHeaders and Delayed actions,
// and joins all threads before returning; a handler still running holds Stop() up until it
// returns.
//
// Note for test files: this header declares namespace radixlm::testing, so code inside namespace
// radixlm should spell gtest's namespace `::testing`.
#ifndef RADIXLM_TESTS_SUPPORT_SCRIPTED_HTTP_PEER_H_
#define RADIXLM_TESTS_SUPPORT_SCRIPTED_HTTP_PEER_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace radixlm::testing {

// RecordedRequest: one request as the peer read it.
struct RecordedRequest {
  std::string method;
  // The request target as sent, query string included ("/v1/models?x=1").
  std::string path;
  // The body after chunked decoding, if the request was chunked.
  std::string body;
  // Header names lowercased; a repeated header's values are joined with ", ".
  std::map<std::string, std::string> headers;
  // 0 for the first connection the peer accepted, 1 for the second, ...
  int connection_index = -1;
};

// Action: what the peer does with one request. Build it with the factory functions.
struct Action {
  enum class Kind {
    kRespond,
    kRespondChunks,
    kHang,
    kReset,
    kCloseWithoutResponse,
    kRaw,
    kHangAfterHeaders,
  };
  using HeaderList = std::vector<std::pair<std::string, std::string>>;

  // Action::Respond() answers with `status` and a Content-Length body. `extra_headers` are written
  // after Content-Type and Content-Length, as given. An empty `content_type` omits the header.
  static Action Respond(int status, std::string body, std::string content_type = "application/json",
                        HeaderList extra_headers = {});

  // Action::RespondChunks() sends the headers, then each element of `chunks` as its own
  // chunked-encoding chunk in its own write (TCP_NODELAY is set on every connection), then the
  // terminating zero-length chunk. Empty elements are skipped: they would end the body early.
  static Action RespondChunks(int status, std::vector<std::string> chunks,
                              std::string content_type = "text/event-stream");

  // Action::RespondChunksThenReset() is RespondChunks() without the terminating chunk: after the
  // last chunk the connection is reset (RST), as when a server dies mid-stream.
  static Action RespondChunksThenReset(int status, std::vector<std::string> chunks,
                                       std::string content_type = "text/event-stream");

  // Action::Hang() sends nothing and keeps the connection open until the client closes it or the
  // peer stops.
  static Action Hang();

  // Action::Reset() closes the connection with SO_LINGER {1, 0}: the client sees a TCP RST and no
  // response.
  static Action Reset();

  // Action::CloseWithoutResponse() closes the connection gracefully (FIN) without a response; a
  // client sees an empty reply (libcurl: CURLE_GOT_NOTHING).
  static Action CloseWithoutResponse();

  // Action::Raw() writes `bytes` verbatim (garbage, truncated headers, a lying Content-Length).
  // With `close_after` the connection is then closed gracefully; without it the connection goes on
  // serving requests, so `bytes` should then be a complete response.
  static Action Raw(std::string bytes, bool close_after = true);

  // Action::HangAfterHeaders() sends a status line and chunked-encoding headers, then no body ever:
  // a stream that never produces data. It ends like Hang().
  static Action HangAfterHeaders(int status, std::string content_type = "text/event-stream");

  // Action::Delayed() performs `action` after waiting `delay` (added to any delay `action` already
  // has). Stop() cuts the wait short and closes the connection without a response.
  static Action Delayed(absl::Duration delay, Action action);

  Kind kind = Kind::kRespond;
  int status = 200;
  std::string content_type;
  // The response body (kRespond) or the bytes to write (kRaw).
  std::string body;
  // kRespondChunks only.
  std::vector<std::string> chunks;
  HeaderList extra_headers;
  // kRespondChunks: reset the connection after the last chunk instead of terminating the body.
  bool reset_after_chunks = false;
  // kRaw: close the connection after writing.
  bool close_after = true;
  absl::Duration delay = absl::ZeroDuration();
};

// ScriptedHttpPeer: see the file comment.
class ScriptedHttpPeer {
 public:
  using Handler = std::function<Action(const RecordedRequest&)>;

  // Binds and listens on 127.0.0.1:0 and starts serving. Aborts the process with a message if the
  // socket cannot be set up: a test cannot go on without its peer.
  ScriptedHttpPeer();
  // Calls Stop().
  ~ScriptedHttpPeer();
  ScriptedHttpPeer(const ScriptedHttpPeer&) = delete;
  ScriptedHttpPeer& operator=(const ScriptedHttpPeer&) = delete;

  // Stops accepting, wakes and closes every connection, and joins all threads. Idempotent; a
  // concurrent second call returns once the first has finished. After Stop() the port refuses
  // connections and the recorded requests stay readable.
  void Stop();

  // The port the peer listens on.
  int port() const { return port_; }
  // "http://127.0.0.1:<port>", without a trailing slash.
  std::string base_url() const;

  // Appends a one-shot action for a future request.
  void Enqueue(Action action);
  // Sets the action used when the queue is empty and no handler is set.
  void SetDefault(Action action);
  // Sets a handler consulted when the queue is empty; it wins over the default. An empty function
  // removes the handler.
  void SetHandler(Handler handler);

  // A copy of every request read so far, in the order they were read.
  std::vector<RecordedRequest> requests() const;
  // The number of requests read so far.
  size_t request_count() const;
  // The number of connections accepted so far.
  size_t connection_count() const;
  // Blocks until at least `n` requests have been read; false if `timeout` passes first.
  bool WaitForRequests(size_t n, absl::Duration timeout) const;

  // RefusedBaseUrl() returns "http://127.0.0.1:<port>" for a port where nothing listens, so a
  // connection attempt fails with ECONNREFUSED. The port stays bound (never listening) for the
  // life of the process, so no other socket can take it, and the kernel never picks it as an
  // ephemeral source port, which rules out a TCP self-connect to it.
  static std::string RefusedBaseUrl();

 private:
  void AcceptLoop();
  void ServeConnection(int fd, int connection_index);
  // Records `request` and returns the action that answers it.
  Action RecordAndChooseAction(const RecordedRequest& request);
  // Joins the threads of connections that have ended.
  void ReapFinishedConnections();

  int listen_fd_ = -1;
  // An eventfd that becomes readable, for good, when Stop() begins; every blocking wait polls it.
  int stop_fd_ = -1;
  int port_ = 0;
  std::thread accept_thread_;
  // Makes a second Stop() wait for the first to finish.
  std::once_flag stop_once_;

  // std::mutex rather than absl::Mutex: the system's prebuilt Abseil is not built with
  // ThreadSanitizer, so TSan cannot see absl::Mutex synchronize and would report every access to
  // the members below as a race; it does understand pthread-based std::mutex.
  mutable std::mutex mutex_;
  // Notified whenever a request is recorded.
  mutable std::condition_variable request_recorded_;
  // The members below are guarded by mutex_.
  std::deque<Action> queue_;
  std::optional<Action> default_action_;
  Handler handler_;
  std::vector<RecordedRequest> requests_;
  size_t connections_accepted_ = 0;
  // Connection threads by connection index; an ended connection moves its index to
  // `finished_connections_` so that the accept thread or Stop() joins it.
  std::map<int, std::thread> connection_threads_;
  std::vector<int> finished_connections_;
};

}  // namespace radixlm::testing

#endif  // RADIXLM_TESTS_SUPPORT_SCRIPTED_HTTP_PEER_H_
