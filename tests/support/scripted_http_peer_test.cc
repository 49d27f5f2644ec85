#include "tests/support/scripted_http_peer.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace radixlm::testing {
namespace {

using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::Pair;
using ::testing::StartsWith;

// Stop() must end hung connections at once; this bound only keeps a broken Stop() from passing.
constexpr absl::Duration kPromptStop = absl::Seconds(5);

class CurlEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK); }
  void TearDown() override { curl_global_cleanup(); }
};
[[maybe_unused]] ::testing::Environment* const curl_environment =
    ::testing::AddGlobalTestEnvironment(new CurlEnvironment);

using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

CurlHandle NewCurl() { return CurlHandle(curl_easy_init(), &curl_easy_cleanup); }

struct Transfer {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string response_headers;
  // Connections this transfer had to open (0 when it reused a cached one).
  long new_connections = 0;
};

size_t AppendBody(char* data, size_t size, size_t count, void* transfer) {
  static_cast<Transfer*>(transfer)->body.append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* transfer) {
  static_cast<Transfer*>(transfer)->response_headers.append(data, size * count);
  return size * count;
}

// Performs one request on `curl`, whose connection cache carries over between calls; options the
// caller set before stay in force.
Transfer Fetch(CURL* curl, const std::string& url, long timeout_ms = 10000) {
  Transfer transfer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // Ignore any http_proxy in the environment.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  transfer.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.status);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &transfer.new_connections);
  return transfer;
}

Transfer Get(const std::string& url, long timeout_ms = 10000) {
  CurlHandle curl = NewCurl();
  return Fetch(curl.get(), url, timeout_ms);
}

// A plain blocking client socket, for checks below what libcurl shows: exact bytes on the wire,
// and connections held open across the peer's shutdown.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    // A safety bound on every read, so that a broken peer fails the test instead of hanging it.
    const timeval receive_timeout = {10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof(receive_timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  bool Send(absl::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Reads until `text` has arrived, then returns everything read so far.
  std::string ReadUntil(absl::string_view text) {
    while (!absl::StrContains(received_, text) && ReadSome()) {
    }
    return received_;
  }

  // Reads until the peer closes the connection; true if it ended with EOF or RST, not the
  // receive timeout.
  bool ReadToEnd() {
    while (ReadSome()) {
    }
    return last_errno_ != EAGAIN && last_errno_ != EWOULDBLOCK;
  }

  const std::string& received() const { return received_; }

 private:
  bool ReadSome() {
    char chunk[4096];
    const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (got > 0) {
      received_.append(chunk, static_cast<size_t>(got));
      return true;
    }
    last_errno_ = got == 0 ? 0 : errno;
    return false;
  }

  int fd_;
  bool connected_ = false;
  int last_errno_ = 0;
  std::string received_;
};

constexpr absl::string_view kGetAndClose =
    "GET /raw HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

size_t OpenDescriptorCount() {
  size_t count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  while (::readdir(dir) != nullptr) ++count;
  ::closedir(dir);
  return count;
}

TEST(ScriptedHttpPeerTest, RespondSendsStatusBodyAndHeadersAndRecordsTheRequest) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::Respond(201, R"({"id":1})", "application/json", {{"X-Request-Id", "abc"}}));
  CurlHandle curl = NewCurl();
  HeaderList headers(curl_slist_append(nullptr, "X-Trace: 7"), &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());

  const Transfer transfer = Fetch(curl.get(), peer.base_url() + "/v1/models?limit=1");

  ASSERT_EQ(transfer.code, CURLE_OK) << curl_easy_strerror(transfer.code);
  EXPECT_EQ(transfer.status, 201);
  EXPECT_EQ(transfer.body, R"({"id":1})");
  EXPECT_THAT(transfer.response_headers, ::testing::HasSubstr("X-Request-Id: abc\r\n"));
  EXPECT_THAT(transfer.response_headers,
              ::testing::HasSubstr("Content-Type: application/json\r\n"));
  const std::vector<RecordedRequest> requests = peer.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/v1/models?limit=1");
  EXPECT_THAT(requests[0].headers, Contains(Pair("x-trace", "7")));
  EXPECT_THAT(requests[0].headers,
              Contains(Pair("host", "127.0.0.1:" + std::to_string(peer.port()))));
  EXPECT_EQ(requests[0].connection_index, 0);
}

TEST(ScriptedHttpPeerTest, PostBodyIsRecorded) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(200, "{}"));
  CurlHandle curl = NewCurl();
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, R"({"prompt":"hi"})");

  ASSERT_EQ(Fetch(curl.get(), peer.base_url() + "/generate").code, CURLE_OK);

  const std::vector<RecordedRequest> requests = peer.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, R"({"prompt":"hi"})");
}

TEST(ScriptedHttpPeerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(200, "ok"));
  CurlHandle curl = NewCurl();

  const Transfer first = Fetch(curl.get(), peer.base_url() + "/a");
  const Transfer second = Fetch(curl.get(), peer.base_url() + "/b");

  ASSERT_EQ(first.code, CURLE_OK);
  ASSERT_EQ(second.code, CURLE_OK);
  EXPECT_EQ(second.new_connections, 0);
  const std::vector<RecordedRequest> requests = peer.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].connection_index, requests[1].connection_index);
  EXPECT_EQ(peer.connection_count(), 1u);
}

TEST(ScriptedHttpPeerTest, QueuedActionsAreUsedOnceInOrderBeforeTheDefault) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::Respond(200, "first"));
  peer.Enqueue(Action::Respond(202, "second"));
  peer.SetDefault(Action::Respond(404, "default"));
  CurlHandle curl = NewCurl();

  std::vector<std::string> bodies;
  std::vector<long> statuses;
  for (int i = 0; i < 3; ++i) {
    const Transfer transfer = Fetch(curl.get(), peer.base_url() + "/");
    ASSERT_EQ(transfer.code, CURLE_OK);
    bodies.push_back(transfer.body);
    statuses.push_back(transfer.status);
  }

  EXPECT_THAT(bodies, ::testing::ElementsAre("first", "second", "default"));
  EXPECT_THAT(statuses, ::testing::ElementsAre(200, 202, 404));
}

TEST(ScriptedHttpPeerTest, HandlerWinsOverTheDefault) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(404, "default"));
  peer.SetHandler([](const RecordedRequest& request) {
    return Action::Respond(200, request.path, "text/plain");
  });

  const Transfer transfer = Get(peer.base_url() + "/echo");

  ASSERT_EQ(transfer.code, CURLE_OK);
  EXPECT_EQ(transfer.status, 200);
  EXPECT_EQ(transfer.body, "/echo");
}

TEST(ScriptedHttpPeerTest, WithoutAScriptAnswers500) {
  ScriptedHttpPeer peer;

  const Transfer transfer = Get(peer.base_url() + "/");

  ASSERT_EQ(transfer.code, CURLE_OK);
  EXPECT_EQ(transfer.status, 500);
  EXPECT_EQ(transfer.body, "no scripted action");
}

TEST(ScriptedHttpPeerTest, ChunksReassembleInOrder) {
  ScriptedHttpPeer peer;
  const std::vector<std::string> chunks = {"data: {\"i\":1}\n\n", "data: {\"i\":2}\n\n", "",
                                           "data: [DONE]\n\n"};
  peer.Enqueue(Action::RespondChunks(200, chunks));

  const Transfer transfer = Get(peer.base_url() + "/stream");

  ASSERT_EQ(transfer.code, CURLE_OK) << curl_easy_strerror(transfer.code);
  EXPECT_EQ(transfer.status, 200);
  EXPECT_EQ(transfer.body, absl::StrJoin(chunks, ""));
  EXPECT_THAT(transfer.response_headers, ::testing::HasSubstr("Content-Type: text/event-stream"));
}

TEST(ScriptedHttpPeerTest, ChunksGoOutAsChunkedEncodingOnTheWire) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::RespondChunks(200, {"hello", "", "0123456789abcdef!"}));
  RawClient client(peer.port());
  ASSERT_TRUE(client.connected());

  ASSERT_TRUE(client.Send(kGetAndClose));
  ASSERT_TRUE(client.ReadToEnd());

  EXPECT_THAT(client.received(), StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(client.received(), ::testing::HasSubstr("Transfer-Encoding: chunked\r\n"));
  EXPECT_THAT(client.received(), ::testing::HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(client.received(),
              ::testing::EndsWith("\r\n\r\n5\r\nhello\r\n11\r\n0123456789abcdef!\r\n0\r\n\r\n"));
}

TEST(ScriptedHttpPeerTest, HangTimesOutTheClientAndStopIsStillPrompt) {
  auto peer = std::make_unique<ScriptedHttpPeer>();
  peer->SetDefault(Action::Hang());

  const Transfer transfer = Get(peer->base_url() + "/hang", /*timeout_ms=*/300);
  EXPECT_EQ(transfer.code, CURLE_OPERATION_TIMEDOUT) << curl_easy_strerror(transfer.code);
  EXPECT_TRUE(transfer.body.empty());

  // A second client still holds its hung connection open while the peer stops.
  RawClient client(peer->port());
  ASSERT_TRUE(client.Send(kGetAndClose));
  ASSERT_TRUE(peer->WaitForRequests(2, absl::Seconds(10)));
  const absl::Time start = absl::Now();
  peer.reset();
  EXPECT_LT(absl::Now() - start, kPromptStop);
  EXPECT_TRUE(client.ReadToEnd());
  EXPECT_EQ(client.received(), "");
}

TEST(ScriptedHttpPeerTest, StopIsPromptDuringDelayAndHangAfterHeaders) {
  auto peer = std::make_unique<ScriptedHttpPeer>();
  peer->Enqueue(Action::HangAfterHeaders(200, "text/event-stream"));
  peer->Enqueue(Action::Delayed(absl::Hours(1), Action::Respond(200, "too late")));
  RawClient streaming(peer->port());
  ASSERT_TRUE(streaming.Send(kGetAndClose));
  ASSERT_TRUE(peer->WaitForRequests(1, absl::Seconds(10)));
  RawClient delayed(peer->port());
  ASSERT_TRUE(delayed.Send(kGetAndClose));
  ASSERT_TRUE(peer->WaitForRequests(2, absl::Seconds(10)));
  const std::string head = streaming.ReadUntil("\r\n\r\n");
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, ::testing::HasSubstr("Transfer-Encoding: chunked\r\n"));

  const absl::Time start = absl::Now();
  peer->Stop();
  EXPECT_LT(absl::Now() - start, kPromptStop);

  EXPECT_TRUE(streaming.ReadToEnd());
  EXPECT_EQ(streaming.received(), head);
  EXPECT_TRUE(delayed.ReadToEnd());
  EXPECT_EQ(delayed.received(), "");
  EXPECT_EQ(peer->request_count(), 2u);  // Still readable after Stop().
  EXPECT_EQ(Get(peer->base_url() + "/").code, CURLE_COULDNT_CONNECT);
}

TEST(ScriptedHttpPeerTest, DelayedRespondsAfterTheDelay) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::Delayed(absl::Milliseconds(100), Action::Respond(200, "late")));

  const absl::Time start = absl::Now();
  const Transfer transfer = Get(peer.base_url() + "/");

  ASSERT_EQ(transfer.code, CURLE_OK);
  EXPECT_EQ(transfer.body, "late");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));
}

TEST(ScriptedHttpPeerTest, HangAfterHeadersGivesStatusThenTimeout) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::HangAfterHeaders(200, "text/event-stream"));

  const Transfer transfer = Get(peer.base_url() + "/stream", /*timeout_ms=*/300);

  EXPECT_EQ(transfer.code, CURLE_OPERATION_TIMEDOUT) << curl_easy_strerror(transfer.code);
  EXPECT_EQ(transfer.status, 200);
  EXPECT_TRUE(transfer.body.empty());
}

TEST(ScriptedHttpPeerTest, ResetGivesAReceiveError) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::Reset());

  const Transfer transfer = Get(peer.base_url() + "/");

  EXPECT_EQ(transfer.code, CURLE_RECV_ERROR) << curl_easy_strerror(transfer.code);
  EXPECT_EQ(peer.request_count(), 1u);
}

TEST(ScriptedHttpPeerTest, ResetAfterChunksCutsTheStreamShort) {
  ScriptedHttpPeer peer;
  const std::vector<std::string> chunks = {"data: 1\n\n", "data: 2\n\n"};
  peer.Enqueue(Action::RespondChunksThenReset(200, chunks));

  const Transfer transfer = Get(peer.base_url() + "/stream");

  EXPECT_THAT(transfer.code, AnyOf(CURLE_RECV_ERROR, CURLE_PARTIAL_FILE))
      << curl_easy_strerror(transfer.code);
  EXPECT_THAT(absl::StrJoin(chunks, ""), StartsWith(transfer.body));
}

TEST(ScriptedHttpPeerTest, CloseWithoutResponseGivesAnEmptyReply) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::CloseWithoutResponse());

  const Transfer transfer = Get(peer.base_url() + "/");

  EXPECT_EQ(transfer.code, CURLE_GOT_NOTHING) << curl_easy_strerror(transfer.code);
}

TEST(ScriptedHttpPeerTest, RawWithALyingContentLengthGivesAPartialFile) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::Raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"));

  const Transfer transfer = Get(peer.base_url() + "/");

  EXPECT_EQ(transfer.code, CURLE_PARTIAL_FILE) << curl_easy_strerror(transfer.code);
  EXPECT_EQ(transfer.body, "short");
}

TEST(ScriptedHttpPeerTest, RawWithoutCloseKeepsTheConnectionServing) {
  ScriptedHttpPeer peer;
  peer.Enqueue(Action::Raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", false));
  peer.Enqueue(Action::Respond(200, "again"));
  CurlHandle curl = NewCurl();

  const Transfer first = Fetch(curl.get(), peer.base_url() + "/");
  const Transfer second = Fetch(curl.get(), peer.base_url() + "/");

  ASSERT_EQ(first.code, CURLE_OK);
  ASSERT_EQ(second.code, CURLE_OK);
  EXPECT_EQ(first.body, "hi");
  EXPECT_EQ(second.body, "again");
  EXPECT_EQ(peer.connection_count(), 1u);
}

TEST(ScriptedHttpPeerTest, RefusedBaseUrlRefusesConnections) {
  const Transfer transfer = Get(ScriptedHttpPeer::RefusedBaseUrl() + "/");

  EXPECT_EQ(transfer.code, CURLE_COULDNT_CONNECT) << curl_easy_strerror(transfer.code);
  EXPECT_EQ(ScriptedHttpPeer::RefusedBaseUrl(), ScriptedHttpPeer::RefusedBaseUrl());
}

TEST(ScriptedHttpPeerTest, ServesThirtyTwoClientsAtOnce) {
  constexpr size_t kClients = 32;
  ScriptedHttpPeer peer;
  // No reply leaves until all clients' requests are in, so all connections are open at once.
  peer.SetHandler([&peer](const RecordedRequest& request) {
    if (!peer.WaitForRequests(kClients, absl::Seconds(30))) return Action::Respond(504, "");
    return Action::Respond(200, request.path, "text/plain");
  });

  std::vector<Transfer> transfers(kClients);
  std::vector<std::thread> clients;
  for (size_t i = 0; i < kClients; ++i) {
    clients.emplace_back([&peer, &transfers, i] {
      transfers[i] = Get(absl::StrCat(peer.base_url(), "/client/", i), /*timeout_ms=*/60000);
    });
  }
  for (std::thread& client : clients) client.join();

  for (size_t i = 0; i < kClients; ++i) {
    EXPECT_EQ(transfers[i].code, CURLE_OK) << i;
    EXPECT_EQ(transfers[i].status, 200) << i;
    EXPECT_EQ(transfers[i].body, absl::StrCat("/client/", i));
  }
  std::set<int> connections;
  for (const RecordedRequest& request : peer.requests()) {
    connections.insert(request.connection_index);
  }
  EXPECT_EQ(connections.size(), kClients);
}

TEST(ScriptedHttpPeerTest, WaitForRequestsTimesOutThenSeesARequest) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(200, "ok"));

  EXPECT_FALSE(peer.WaitForRequests(1, absl::Milliseconds(50)));
  Transfer transfer;
  std::thread client([&] { transfer = Get(peer.base_url() + "/late"); });
  EXPECT_TRUE(peer.WaitForRequests(1, absl::Seconds(10)));
  client.join();

  EXPECT_EQ(transfer.code, CURLE_OK);
  EXPECT_EQ(peer.request_count(), 1u);
}

size_t ReadPieces(char* buffer, size_t size, size_t count, void* pieces_left) {
  auto* pieces = static_cast<std::vector<std::string>*>(pieces_left);
  if (pieces->empty()) return 0;
  const std::string piece = pieces->front();
  pieces->erase(pieces->begin());
  const size_t length = std::min(piece.size(), size * count);
  piece.copy(buffer, length);
  return length;
}

TEST(ScriptedHttpPeerTest, ChunkedRequestBodyIsDecoded) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(200, "{}"));
  CurlHandle curl = NewCurl();
  std::vector<std::string> pieces = {"{\"a\":", "1,", "\"b\":2}"};
  HeaderList headers(curl_slist_append(nullptr, "Transfer-Encoding: chunked"),
                     &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, &ReadPieces);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &pieces);

  const Transfer transfer = Fetch(curl.get(), peer.base_url() + "/upload");

  ASSERT_EQ(transfer.code, CURLE_OK) << curl_easy_strerror(transfer.code);
  const std::vector<RecordedRequest> requests = peer.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0].headers, Contains(Pair("transfer-encoding", "chunked")));
  EXPECT_EQ(requests[0].body, R"({"a":1,"b":2})");
}

TEST(ScriptedHttpPeerTest, ExpectContinueIsAnswered) {
  ScriptedHttpPeer peer;
  peer.SetDefault(Action::Respond(200, "{}"));
  CurlHandle curl = NewCurl();
  const std::string body(3000, 'x');
  HeaderList headers(curl_slist_append(nullptr, "Expect: 100-continue"), &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  // Without a "100 Continue" libcurl would wait this long before sending the body anyway, and the
  // 10 s transfer timeout would fire first.
  curl_easy_setopt(curl.get(), CURLOPT_EXPECT_100_TIMEOUT_MS, 60000L);

  const Transfer transfer = Fetch(curl.get(), peer.base_url() + "/upload");

  ASSERT_EQ(transfer.code, CURLE_OK) << curl_easy_strerror(transfer.code);
  EXPECT_THAT(transfer.response_headers, StartsWith("HTTP/1.1 100 Continue\r\n"));
  const std::vector<RecordedRequest> requests = peer.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0].headers, Contains(Pair("expect", "100-continue")));
  EXPECT_EQ(requests[0].body, body);
}

TEST(ScriptedHttpPeerTest, MalformedRequestGets400) {
  ScriptedHttpPeer peer;
  RawClient client(peer.port());

  ASSERT_TRUE(client.Send("NONSENSE\r\n\r\n"));
  ASSERT_TRUE(client.ReadToEnd());

  EXPECT_THAT(client.received(), StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_EQ(peer.request_count(), 0u);
}

TEST(ScriptedHttpPeerTest, StopLeavesNoDescriptorsOpen) {
  const size_t before = OpenDescriptorCount();
  {
    ScriptedHttpPeer peer;
    peer.Enqueue(Action::Reset());
    peer.Enqueue(Action::CloseWithoutResponse());
    peer.Enqueue(Action::Respond(200, "ok"));
    peer.SetDefault(Action::Hang());
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 4; ++i) {
      clients.push_back(std::make_unique<RawClient>(peer.port()));
      ASSERT_TRUE(clients.back()->Send(kGetAndClose));
      ASSERT_TRUE(peer.WaitForRequests(i + 1, absl::Seconds(10)));
    }
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(clients[i]->ReadToEnd()) << i;
    EXPECT_THAT(clients[2]->received(), StartsWith("HTTP/1.1 200 OK\r\n"));
  }
  EXPECT_EQ(OpenDescriptorCount(), before);
}

}  // namespace
}  // namespace radixlm::testing
