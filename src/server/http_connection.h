// HttpConnection: one accepted TCP connection of HttpServer — reads requests with Beast's parser,
// hands each to the handler with a Responder, writes the response (whole or chunked), and repeats
// while the client keeps the connection alive.
//
// Invariants (all state is touched only on the connection's strand):
// - At most one request is in progress; the next is read only after its response was written.
// - While a request is in progress a one-shot "watch" read is pending on the socket, so that a
//   client that closes or resets the connection is noticed even when nothing is being written
//   (a non-streaming request, or a long prefill); the Responder's disconnect callback then aborts
//   the engine request. Bytes the watch reads (a pipelined request) are kept in the read buffer.
// - Responder calls carry the id of their exchange; calls for an older exchange are dropped.
#ifndef RADIXLM_SRC_SERVER_HTTP_CONNECTION_H_
#define RADIXLM_SRC_SERVER_HTTP_CONNECTION_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "src/server/http_message.h"
#include "src/server/http_server.h"

namespace radixlm::server::internal {

// What the acceptor and all connections share.
struct HttpShared {
  HttpServerOptions options;
  HttpHandler handler;
  // Responses begun and not yet written (or abandoned by a closed connection).
  std::mutex mutex;
  std::condition_variable idle;
  std::int64_t active_responses = 0;  // guarded by mutex

  void ResponseBegan();
  void ResponseEnded();
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<HttpShared> shared);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void Start();

  // Responder operations for exchange `exchange`; they run on the strand (Exchange posts them).
  void Send(std::uint64_t exchange, const HttpResponse& response);
  void BeginStream(std::uint64_t exchange, int status, const std::string& content_type);
  void WriteChunk(std::uint64_t exchange, const std::string& data);
  void EndStream(std::uint64_t exchange);
  void SetOnDisconnect(std::uint64_t exchange, std::function<void()> on_disconnect);
  // The exchange's Responder was dropped; answers 500 if it never answered.
  void Abandon(std::uint64_t exchange);

  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class ResponseState { kIdle, kPending, kStreaming, kDone };

  void ReadHeader();
  void OnHeader(boost::beast::error_code error, std::size_t bytes);
  void ReadBody();
  void OnBody(boost::beast::error_code error, std::size_t bytes);
  void Dispatch();
  void StartWatch();
  void OnWatch(boost::beast::error_code error, std::size_t bytes);
  void Enqueue(std::string bytes);
  void WriteNext();
  void OnWrite(boost::beast::error_code error, std::size_t bytes);
  void AfterResponse();
  void ClientGone();
  void Close();
  // Answers a request that could not be parsed, then closes.
  void Reject(int status, std::string_view message);
  bool Current(std::uint64_t exchange) const;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<HttpShared> shared_;

  std::uint64_t exchange_ = 0;
  ResponseState state_ = ResponseState::kIdle;
  bool keep_alive_ = false;
  bool head_request_ = false;  // HEAD: headers only
  bool closed_ = false;
  bool client_gone_ = false;
  bool watching_ = false;
  bool read_after_watch_ = false;
  bool close_after_write_ = false;
  bool writing_ = false;
  std::deque<std::string> writes_;
  std::function<void()> on_disconnect_;
};

}  // namespace radixlm::server::internal

#endif  // RADIXLM_SRC_SERVER_HTTP_CONNECTION_H_
