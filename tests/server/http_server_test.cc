// HttpServer over real loopback sockets, with a scripted handler instead of the engine: keep-alive,
// body limit, chunked streaming, disconnect detection, 100-continue and graceful stop.
#include "src/server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <string>

#include "gtest/gtest.h"

namespace radixlm::server {
namespace {

// A blocking loopback client that speaks raw HTTP, so tests control every byte.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~RawClient() { Close(); }

  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  // Reads until `marker` was received (or the peer closed); returns everything read so far.
  std::string ReadUntil(const std::string& marker) {
    while (buffer_.find(marker) == std::string::npos) {
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    std::string out = buffer_;
    if (std::size_t at = buffer_.find(marker); at != std::string::npos) {
      out = buffer_.substr(0, at + marker.size());
      buffer_.erase(0, at + marker.size());
    } else {
      buffer_.clear();
    }
    return out;
  }
  // True when the peer closed the connection (recv returns 0).
  bool PeerClosed() {
    char byte;
    return ::recv(fd_, &byte, 1, 0) == 0;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

std::string Post(std::string_view path, std::string_view body, std::string_view extra = "") {
  return std::string("POST ") + std::string(path) +
         " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

struct Fixture {
  explicit Fixture(HttpHandler handler, HttpServerOptions options = {}) {
    options.port = 0;
    auto started = HttpServer::Start(options, std::move(handler));
    EXPECT_TRUE(started.ok()) << started.status();
    server = *std::move(started);
  }
  std::unique_ptr<HttpServer> server;
};

HttpHandler Echo() {
  return [](HttpRequest request, std::shared_ptr<Responder> responder) {
    responder->Send(
        {.content_type = "text/plain",
         .body = request.method + " " + request.path + "?" + request.query + " " + request.body});
  };
}

TEST(HttpServerTest, ServesSeveralRequestsOnOneKeepAliveConnection) {
  Fixture fixture(Echo());
  RawClient client(fixture.server->port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    client.Send(Post("/echo?i=" + std::to_string(i), "body"));
    std::string response = client.ReadUntil("body");
    EXPECT_NE(response.find("HTTP/1.1 200 OK"), std::string::npos) << response;
    EXPECT_NE(response.find("Connection: keep-alive"), std::string::npos) << response;
    EXPECT_NE(response.find("POST /echo?i=" + std::to_string(i) + " body"), std::string::npos);
  }
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Fixture fixture(Echo());
  RawClient client(fixture.server->port());
  client.Send(Post("/a", "one") + Post("/b", "two"));
  EXPECT_NE(client.ReadUntil("one").find("POST /a? one"), std::string::npos);
  EXPECT_NE(client.ReadUntil("two").find("POST /b? two"), std::string::npos);
}

TEST(HttpServerTest, BodyOverTheLimitGets413AndTheConnectionCloses) {
  HttpServerOptions options;
  options.max_body_bytes = 100;
  Fixture fixture(Echo(), options);
  RawClient client(fixture.server->port());
  client.Send(Post("/big", std::string(1000, 'x')));
  std::string response = client.ReadUntil("}");
  EXPECT_NE(response.find("HTTP/1.1 413"), std::string::npos) << response;
  EXPECT_NE(response.find("too large"), std::string::npos) << response;
  // The server keeps serving other connections.
  RawClient next(fixture.server->port());
  next.Send(Post("/ok", "fine"));
  EXPECT_NE(next.ReadUntil("fine").find("200 OK"), std::string::npos);
}

TEST(HttpServerTest, MalformedRequestLineGets400) {
  Fixture fixture(Echo());
  RawClient client(fixture.server->port());
  client.Send("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(client.ReadUntil("}").find("HTTP/1.1 400"), std::string::npos);
}

TEST(HttpServerTest, AnswersExpect100ContinueBeforeTheBody) {
  Fixture fixture(Echo());
  RawClient client(fixture.server->port());
  client.Send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_NE(client.ReadUntil("\r\n\r\n").find("100 Continue"), std::string::npos);
  client.Send("hello");
  EXPECT_NE(client.ReadUntil("hello").find("200 OK"), std::string::npos);
}

TEST(HttpServerTest, StreamsChunksAndServesTheNextRequest) {
  Fixture fixture([](HttpRequest request, std::shared_ptr<Responder> responder) {
    if (request.path != "/stream") return responder->Send({.body = "{\"after\":true}"});
    responder->BeginStream(200, "text/event-stream");
    responder->Write("data: 1\n\n");
    responder->Write("data: [DONE]\n\n");
    responder->EndStream();
  });
  RawClient client(fixture.server->port());
  client.Send(Post("/stream", ""));
  std::string stream = client.ReadUntil("0\r\n\r\n");
  EXPECT_NE(stream.find("Transfer-Encoding: chunked"), std::string::npos) << stream;
  EXPECT_NE(stream.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(stream.find("9\r\ndata: 1\n\n\r\n"), std::string::npos) << stream;
  EXPECT_NE(stream.find("data: [DONE]"), std::string::npos);
  client.Send(Post("/next", ""));
  EXPECT_NE(client.ReadUntil("true}").find("\"after\":true"), std::string::npos);
}

TEST(HttpServerTest, ClientThatClosesWhileWaitingTriggersTheDisconnectCallback) {
  std::promise<void> disconnected;
  std::promise<std::shared_ptr<Responder>> held;
  Fixture fixture([&](HttpRequest, std::shared_ptr<Responder> responder) {
    responder->SetOnDisconnect([&disconnected] { disconnected.set_value(); });
    held.set_value(responder);  // never answered: a long generation
  });
  {
    RawClient client(fixture.server->port());
    client.Send(Post("/slow", "{}"));
    std::shared_ptr<Responder> responder = held.get_future().get();
    client.Close();
    EXPECT_EQ(disconnected.get_future().wait_for(std::chrono::seconds(10)),
              std::future_status::ready);
    responder->Send({.body = "late"});  // ignored, no crash
  }
}

TEST(HttpServerTest, DroppedResponderAnswers500) {
  Fixture fixture([](HttpRequest, std::shared_ptr<Responder>) {});
  RawClient client(fixture.server->port());
  client.Send(Post("/x", ""));
  EXPECT_NE(client.ReadUntil("}").find("HTTP/1.1 500"), std::string::npos);
}

TEST(HttpServerTest, ConnectionCloseRequestIsClosedAfterTheResponse) {
  Fixture fixture(Echo());
  RawClient client(fixture.server->port());
  client.Send(Post("/x", "bye", "Connection: close\r\n"));
  std::string response = client.ReadUntil("bye");
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(client.PeerClosed());
}

TEST(HttpServerTest, WaitForResponsesSeesTheInFlightResponseEnd) {
  std::promise<std::shared_ptr<Responder>> held;
  Fixture fixture(
      [&](HttpRequest, std::shared_ptr<Responder> responder) { held.set_value(responder); });
  RawClient client(fixture.server->port());
  client.Send(Post("/x", ""));
  std::shared_ptr<Responder> responder = held.get_future().get();
  fixture.server->StopAccepting();
  EXPECT_FALSE(fixture.server->WaitForResponses(absl::Milliseconds(50)));
  responder->Send({.body = "done"});
  EXPECT_TRUE(fixture.server->WaitForResponses(absl::Seconds(10)));
  EXPECT_NE(client.ReadUntil("done").find("200 OK"), std::string::npos);
  fixture.server->Stop();
}

TEST(HttpServerTest, BindingABusyPortFailsWithAHint) {
  Fixture first(Echo());
  HttpServerOptions options;
  options.port = first.server->port();
  absl::StatusOr<std::unique_ptr<HttpServer>> second = HttpServer::Start(options, Echo());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace radixlm::server
