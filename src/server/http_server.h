// HttpServer: an asynchronous HTTP/1.1 server on Boost.Beast/Asio. One acceptor and a small pool
// of I/O threads serve every connection (no thread per connection); each connection runs on its
// own strand, so its handlers never run concurrently. Keep-alive, a request-body limit (413), a
// read timeout that covers headers, body and keep-alive idleness, `Expect: 100-continue`, and
// chunked responses for SSE streams.
//
// Shutdown is two steps so that the owner can drain its work in between: StopAccepting() closes
// the listening socket, WaitForResponses() waits until every begun response was written, and
// Stop() closes what is left and joins the I/O threads.
//
// Thread safety: all methods may be called from any thread except the I/O threads themselves.
#ifndef RADIXLM_SRC_SERVER_HTTP_SERVER_H_
#define RADIXLM_SRC_SERVER_HTTP_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/server/http_message.h"

namespace radixlm::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 30000;  // 0: any free port (see HttpServer::port())
  int io_threads = 2;
  std::size_t max_body_bytes = std::size_t{32} << 20;
  std::size_t max_header_bytes = std::size_t{64} << 10;
  // From the first byte of a request's headers to the end of its body; also how long an idle
  // keep-alive connection is kept.
  absl::Duration read_timeout = absl::Seconds(60);
};

// Called on a connection's strand for every complete request. It must not block: long work goes
// to the engine, whose callbacks answer through the Responder.
using HttpHandler = std::function<void(HttpRequest request, std::shared_ptr<Responder> responder)>;

class HttpServer {
 public:
  // Binds host:port and starts the I/O threads. kUnavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           HttpHandler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the chosen one when options.port was 0).
  int port() const;

  void StopAccepting();
  // Waits until no response is in progress or `timeout` passed; true when none is.
  bool WaitForResponses(absl::Duration timeout);
  // Closes every connection and joins the I/O threads. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_HTTP_SERVER_H_
