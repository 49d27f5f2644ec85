#include "src/server/http_server.h"

#include <future>
#include <thread>
#include <vector>

#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/strand.hpp"
#include "src/common/strings.h"
#include "src/server/http_connection.h"

namespace radixlm::server {
namespace net = boost::asio;
using net::ip::tcp;

class HttpServer::Impl {
 public:
  explicit Impl(std::shared_ptr<internal::HttpShared> shared)
      : shared_(std::move(shared)), acceptor_(net::make_strand(io_)) {}

  absl::Status Bind() {
    boost::system::error_code error;
    net::ip::address address = net::ip::make_address(shared_->options.host, error);
    if (error) {
      return absl::InvalidArgumentError(
          StrCat("--host ", shared_->options.host, " is not an IP address: ", error.message()));
    }
    tcp::endpoint endpoint(address, static_cast<unsigned short>(shared_->options.port));
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(net::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(net::socket_base::max_listen_connections, error);
    if (error) {
      return absl::UnavailableError(StrCat("cannot listen on ", shared_->options.host, ":",
                                           shared_->options.port, ": ", error.message(),
                                           "; is another server using the port? try --port 0"));
    }
    port_ = acceptor_.local_endpoint().port();
    return absl::OkStatus();
  }

  void Run() {
    Accept();
    const int threads = std::max(1, shared_->options.io_threads);
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void Accept() {
    acceptor_.async_accept(
        net::make_strand(io_), [this](boost::system::error_code error, tcp::socket socket) {
          if (error == net::error::operation_aborted || !acceptor_.is_open()) return;
          if (!error) {
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            std::make_shared<internal::HttpConnection>(std::move(socket), shared_)->Start();
          }
          Accept();
        });
  }

  void StopAccepting() {
    std::promise<void> done;
    net::post(acceptor_.get_executor(), [this, &done] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      done.set_value();
    });
    done.get_future().wait();
  }

  bool WaitForResponses(absl::Duration timeout) {
    std::unique_lock lock(shared_->mutex);
    return shared_->idle.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                                  [this] { return shared_->active_responses == 0; });
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    io_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  int port() const { return port_; }

 private:
  std::shared_ptr<internal::HttpShared> shared_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  bool stopped_ = false;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              HttpHandler handler) {
  auto shared = std::make_shared<internal::HttpShared>();
  shared->options = options;
  shared->handler = std::move(handler);
  auto impl = std::make_unique<Impl>(std::move(shared));
  if (absl::Status bound = impl->Bind(); !bound.ok()) return bound;
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port(); }
void HttpServer::StopAccepting() { impl_->StopAccepting(); }
bool HttpServer::WaitForResponses(absl::Duration timeout) {
  return impl_->WaitForResponses(timeout);
}
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace radixlm::server
