#include "src/server/server.h"

#include <utility>

#include "src/server/http_server.h"
#include "src/server/router.h"

namespace radixlm::server {

Server::Server(std::unique_ptr<ServerContext> context, std::unique_ptr<HttpServer> http)
    : context_(std::move(context)), http_(std::move(http)) {}

Server::~Server() { Shutdown(); }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(engine::Engine& engine,
                                                      const ServeSettings& settings) {
  auto context = std::make_unique<ServerContext>(engine, settings);
  HttpServerOptions options;
  options.host = settings.host;
  options.port = settings.port;
  options.io_threads = settings.io_threads;
  options.max_body_bytes = settings.max_body_bytes;
  options.read_timeout = settings.read_timeout;
  ServerContext* routes = context.get();
  absl::StatusOr<std::unique_ptr<HttpServer>> http = HttpServer::Start(
      options, [routes](const HttpRequest& request, std::shared_ptr<Responder> responder) {
        Route(*routes, request, std::move(responder));
      });
  if (!http.ok()) return http.status();
  return std::unique_ptr<Server>(new Server(std::move(context), *std::move(http)));
}

int Server::port() const { return http_->port(); }

void Server::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  http_->StopAccepting();
  context_->shutting_down = true;
  if (!context_->tracker.WaitIdle(context_->settings.shutdown_grace)) {
    context_->tracker.AbortAll();
    // Every submitted request gets its on_done (kAbort) from the engine; wait for them so that no
    // engine callback can reach a connection after the I/O threads are gone.
    context_->tracker.WaitIdle(absl::Seconds(30));
  }
  http_->WaitForResponses(absl::Seconds(5));
  http_->Stop();
}

}  // namespace radixlm::server
