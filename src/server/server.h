// Server: `radixlm serve` as a library — the embedded engine behind SGLang's HTTP API. Owns the
// routes' shared state (ServerContext) and the HTTP server; the engine is the caller's and must
// outlive the Server.
//
//   auto engine = radixlm::engine::Engine::Create(options);
//   auto server = radixlm::server::Server::Start(**engine, {.host = "127.0.0.1", .port = 0});
//   std::cout << (*server)->port();
//   ...
//   (*server)->Shutdown();  // stop accepting, drain or abort in-flight requests, close
//
// Thread safety: Start/Shutdown/port may be called from any thread (not from an I/O thread).
#ifndef RADIXLM_SRC_SERVER_SERVER_H_
#define RADIXLM_SRC_SERVER_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "radixlm/engine/engine.h"
#include "src/server/server_context.h"

namespace radixlm::server {

class HttpServer;

class Server {
 public:
  // Binds settings.host:settings.port and starts serving.
  static absl::StatusOr<std::unique_ptr<Server>> Start(engine::Engine& engine,
                                                       const ServeSettings& settings);
  ~Server();  // Shutdown()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;

  // Graceful shutdown: stops accepting connections, refuses new generations (503), lets
  // in-flight requests finish for settings.shutdown_grace, aborts the rest, waits until their
  // responses were written (or 5 s), then closes every connection. Idempotent.
  void Shutdown();

 private:
  Server(std::unique_ptr<ServerContext> context, std::unique_ptr<HttpServer> http);

  std::unique_ptr<ServerContext> context_;
  std::unique_ptr<HttpServer> http_;
  bool shut_down_ = false;
};

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_SERVER_H_
