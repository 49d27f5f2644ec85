#include "src/server/http_connection.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "boost/asio/post.hpp"
#include "boost/asio/write.hpp"
#include "src/common/strings.h"

namespace radixlm::server::internal {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

// The Responder a route gets: forwards every call onto the connection's strand, tagged with the
// exchange it belongs to, so that calls from the engine thread are ordered and late ones dropped.
class Exchange final : public Responder {
 public:
  Exchange(std::shared_ptr<HttpConnection> connection, std::uint64_t id)
      : connection_(std::move(connection)), id_(id) {}
  ~Exchange() override {
    net::post(connection_->executor(),
              [connection = connection_, id = id_] { connection->Abandon(id); });
  }

  void Send(HttpResponse response) override {
    net::post(connection_->executor(),
              [connection = connection_, id = id_, response = std::move(response)] {
                connection->Send(id, response);
              });
  }
  void BeginStream(int status, std::string content_type) override {
    net::post(connection_->executor(),
              [connection = connection_, id = id_, status, type = std::move(content_type)] {
                connection->BeginStream(id, status, type);
              });
  }
  void Write(std::string data) override {
    net::post(connection_->executor(),
              [connection = connection_, id = id_, data = std::move(data)] {
                connection->WriteChunk(id, data);
              });
  }
  void EndStream() override {
    net::post(connection_->executor(),
              [connection = connection_, id = id_] { connection->EndStream(id); });
  }
  void SetOnDisconnect(std::function<void()> on_disconnect) override {
    net::post(connection_->executor(),
              [connection = connection_, id = id_, callback = std::move(on_disconnect)]() mutable {
                connection->SetOnDisconnect(id, std::move(callback));
              });
  }

 private:
  std::shared_ptr<HttpConnection> connection_;
  std::uint64_t id_;
};

std::string ReasonPhrase(int status) {
  beast::string_view reason = http::obsolete_reason(static_cast<http::status>(status));
  return std::string(reason.data(), reason.size());
}

std::string ResponseHead(int status, std::string_view content_type,
                         std::optional<std::size_t> content_length, bool keep_alive,
                         const std::vector<std::pair<std::string, std::string>>& extra) {
  std::string head =
      StrCat("HTTP/1.1 ", status, " ", ReasonPhrase(status), "\r\nServer: radixlm\r\n");
  if (!content_type.empty()) head += StrCat("Content-Type: ", content_type, "\r\n");
  if (content_length.has_value()) {
    head += StrCat("Content-Length: ", *content_length, "\r\n");
  } else {
    head += "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n";
  }
  head += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [name, value] : extra) head += StrCat(name, ": ", value, "\r\n");
  head += "\r\n";
  return head;
}

std::string ToLower(beast::string_view text) {
  std::string lower(text.data(), text.size());
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::chrono::steady_clock::duration ToChrono(absl::Duration duration) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(duration));
}

}  // namespace

void HttpShared::ResponseBegan() {
  std::lock_guard lock(mutex);
  ++active_responses;
}

void HttpShared::ResponseEnded() {
  std::lock_guard lock(mutex);
  if (--active_responses == 0) idle.notify_all();
}

HttpConnection::HttpConnection(net::ip::tcp::socket socket, std::shared_ptr<HttpShared> shared)
    : stream_(std::move(socket)), shared_(std::move(shared)) {}

HttpConnection::~HttpConnection() {
  // Destroyed with a response begun (the I/O context stopped): it will never be written.
  if (!closed_ && state_ != ResponseState::kIdle) shared_->ResponseEnded();
}

void HttpConnection::Start() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void HttpConnection::ReadHeader() {
  if (closed_) return;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
  parser_->body_limit(shared_->options.max_body_bytes);
  stream_.expires_after(ToChrono(shared_->options.read_timeout));
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpConnection::OnHeader, shared_from_this()));
}

void HttpConnection::OnHeader(beast::error_code error, std::size_t /*bytes*/) {
  if (closed_) return;
  if (error == http::error::end_of_stream || error == beast::error::timeout ||
      error == net::error::connection_reset || error == net::error::operation_aborted) {
    return Close();
  }
  if (error == http::error::header_limit) return Reject(431, "Request header fields too large");
  if (error == http::error::body_limit) return Reject(413, "Request body too large");
  if (error) return Reject(400, StrCat("Malformed HTTP request: ", error.message()));
  const auto& header = parser_->get();
  if (beast::iequals(header[http::field::expect], "100-continue")) {
    // The client waits for this before sending the body (libcurl does for large bodies).
    auto interim = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
    net::async_write(
        stream_, net::buffer(*interim),
        [self = shared_from_this(), interim](beast::error_code write_error, std::size_t) {
          if (write_error) return self->Close();
          self->ReadBody();
        });
    return;
  }
  ReadBody();
}

void HttpConnection::ReadBody() {
  if (closed_) return;
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpConnection::OnBody, shared_from_this()));
}

void HttpConnection::OnBody(beast::error_code error, std::size_t /*bytes*/) {
  if (closed_) return;
  if (error == http::error::body_limit) {
    return Reject(
        413, StrCat("Request body too large (limit ", shared_->options.max_body_bytes, " bytes)"));
  }
  if (error == beast::error::timeout || error == http::error::end_of_stream ||
      error == http::error::partial_message || error == net::error::connection_reset) {
    return Close();
  }
  if (error) return Reject(400, StrCat("Malformed HTTP request: ", error.message()));
  Dispatch();
}

void HttpConnection::Dispatch() {
  http::request<http::string_body> message = parser_->release();
  parser_.reset();
  HttpRequest request;
  request.method = std::string(message.method_string());
  std::string target(message.target());
  if (std::size_t question = target.find('?'); question != std::string::npos) {
    request.query = target.substr(question + 1);
    target.resize(question);
  }
  request.path = std::move(target);
  for (const auto& field : message) {
    request.headers[ToLower(field.name_string())] = std::string(field.value());
  }
  request.body = std::move(message.body());
  keep_alive_ = message.keep_alive();
  head_request_ = message.method() == http::verb::head;

  ++exchange_;
  state_ = ResponseState::kPending;
  on_disconnect_ = nullptr;
  shared_->ResponseBegan();
  stream_.expires_never();
  StartWatch();
  auto responder = std::make_shared<Exchange>(shared_from_this(), exchange_);
  try {
    shared_->handler(std::move(request), std::move(responder));
  } catch (const std::exception&) {
    Send(exchange_, {.status = 500,
                     .body = StrCat(R"({"object":"error","message":"Internal server error: )",
                                    "unexpected exception", R"(","type":"InternalServerError",)",
                                    R"("param":null,"code":500})")});
  }
}

void HttpConnection::StartWatch() {
  if (watching_ || closed_) return;
  watching_ = true;
  stream_.socket().async_read_some(
      buffer_.prepare(4096),
      beast::bind_front_handler(&HttpConnection::OnWatch, shared_from_this()));
}

void HttpConnection::OnWatch(beast::error_code error, std::size_t bytes) {
  watching_ = false;
  if (closed_) return;
  if (!error) {
    buffer_.commit(bytes);  // a pipelined request: parsed after this response
  } else if (error != net::error::operation_aborted) {
    ClientGone();
    return;
  }
  if (read_after_watch_) {
    read_after_watch_ = false;
    ReadHeader();
  }
}

bool HttpConnection::Current(std::uint64_t exchange) const {
  return !closed_ && exchange == exchange_;
}

void HttpConnection::Send(std::uint64_t exchange, const HttpResponse& response) {
  if (!Current(exchange) || state_ != ResponseState::kPending) return;
  state_ = ResponseState::kDone;
  std::string bytes = ResponseHead(response.status, response.content_type, response.body.size(),
                                   keep_alive_, response.headers);
  if (!head_request_) bytes += response.body;
  Enqueue(std::move(bytes));
}

void HttpConnection::BeginStream(std::uint64_t exchange, int status,
                                 const std::string& content_type) {
  if (!Current(exchange) || state_ != ResponseState::kPending) return;
  state_ = ResponseState::kStreaming;
  Enqueue(ResponseHead(status, content_type, std::nullopt, keep_alive_, {}));
}

void HttpConnection::WriteChunk(std::uint64_t exchange, const std::string& data) {
  if (!Current(exchange) || state_ != ResponseState::kStreaming || data.empty()) return;
  std::string chunk = fmt::format("{:x}\r\n", data.size());
  chunk += data;
  chunk += "\r\n";
  Enqueue(std::move(chunk));
}

void HttpConnection::EndStream(std::uint64_t exchange) {
  if (!Current(exchange) || state_ != ResponseState::kStreaming) return;
  state_ = ResponseState::kDone;
  Enqueue("0\r\n\r\n");
}

void HttpConnection::SetOnDisconnect(std::uint64_t exchange, std::function<void()> on_disconnect) {
  if (exchange != exchange_ || state_ == ResponseState::kDone) return;
  if (client_gone_) {
    if (on_disconnect) on_disconnect();
    return;
  }
  on_disconnect_ = std::move(on_disconnect);
}

void HttpConnection::Abandon(std::uint64_t exchange) {
  if (!Current(exchange)) return;
  if (state_ == ResponseState::kPending) {
    Send(exchange, {.status = 500,
                    .body = R"({"object":"error","message":"Internal server error: the request )"
                            R"(was dropped without a response","type":"InternalServerError",)"
                            R"("param":null,"code":500})"});
  } else if (state_ == ResponseState::kStreaming) {
    EndStream(exchange);
  }
}

void HttpConnection::Enqueue(std::string bytes) {
  writes_.push_back(std::move(bytes));
  if (!writing_) WriteNext();
}

void HttpConnection::WriteNext() {
  if (closed_ || writes_.empty()) return;
  writing_ = true;
  net::async_write(stream_.socket(), net::buffer(writes_.front()),
                   beast::bind_front_handler(&HttpConnection::OnWrite, shared_from_this()));
}

void HttpConnection::OnWrite(beast::error_code error, std::size_t /*bytes*/) {
  writing_ = false;
  if (closed_) return;
  if (error) {
    ClientGone();
    return;
  }
  writes_.pop_front();
  if (!writes_.empty()) return WriteNext();
  if (close_after_write_) return Close();
  if (state_ == ResponseState::kDone) AfterResponse();
}

void HttpConnection::AfterResponse() {
  state_ = ResponseState::kIdle;
  on_disconnect_ = nullptr;
  shared_->ResponseEnded();
  if (!keep_alive_) {
    beast::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    return Close();
  }
  if (watching_) {
    // Stop the watch; its handler starts the next read.
    read_after_watch_ = true;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
    return;
  }
  ReadHeader();
}

void HttpConnection::ClientGone() {
  if (client_gone_) return;
  client_gone_ = true;
  if (std::function<void()> callback = std::move(on_disconnect_)) callback();
  Close();
}

void HttpConnection::Reject(int status, std::string_view message) {
  keep_alive_ = false;
  close_after_write_ = true;
  const std::string body = StrCat(R"({"object":"error","message":")", message,
                                  R"(","type":"Bad Request","param":null,"code":)", status, "}");
  Enqueue(ResponseHead(status, "application/json", body.size(), false, {}) + body);
}

void HttpConnection::Close() {
  if (closed_) return;
  closed_ = true;
  if (state_ == ResponseState::kPending || state_ == ResponseState::kStreaming ||
      state_ == ResponseState::kDone) {
    state_ = ResponseState::kIdle;
    shared_->ResponseEnded();
  }
  // writes_ stays: a write in flight still reads its buffer until its handler runs.
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

}  // namespace radixlm::server::internal
