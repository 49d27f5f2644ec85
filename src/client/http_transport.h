// HttpTransport: one HTTP exchange at a time per call, many calls at once, keep-alive connections.
//
// Each call borrows a Connection (a libcurl multi + easy handle pair; the multi handle owns the
// connection cache, so a reused Connection reuses its TCP connection) from an idle pool and returns
// it afterwards. The transfer is driven with curl_multi_poll so that a std::stop_token can wake it
// at once (curl_multi_wakeup) instead of waiting for libcurl's once-a-second progress callback.
//
// Retries are not done here (see retry.h); this layer turns one exchange into an HttpResponse or a
// Status: refused/DNS/reset → kUnavailable, timeouts → kDeadlineExceeded, cancellation →
// kCancelled, oversize body → kResourceExhausted. Non-2xx statuses are responses, not errors.
//
// Thread safety: Send() may be called from any number of threads.
#ifndef RADIXLM_SRC_CLIENT_HTTP_TRANSPORT_H_
#define RADIXLM_SRC_CLIENT_HTTP_TRANSPORT_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radixlm/call_options.h"

namespace radixlm::sglang::internal {

struct TransportConfig {
  std::string base_url;
  absl::Duration timeout = absl::Seconds(120);
  absl::Duration connect_timeout = absl::Seconds(10);
  std::string api_key;
  std::string user_agent;
  std::size_t max_idle_connections = 16;
  std::size_t max_response_bytes = std::size_t{256} << 20;
};

struct HttpRequest {
  std::string method = "GET";
  // Path under base_url, starting with '/'.
  std::string path;
  // JSON body for POST; empty for GET.
  std::string body;
  // Safe to send twice. A request that is not is always sent on a fresh connection: on a reused
  // keep-alive connection that turns out dead, libcurl silently re-sends the request.
  bool idempotent = true;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  // Retry-After in seconds when the server sent one.
  std::optional<absl::Duration> retry_after;
  // The body, unless a body sink consumed it (2xx streaming).
  std::string body;
  // Bytes handed to the body sink (2xx streaming).
  std::size_t streamed_bytes = 0;
};

// Receives body bytes of a 2xx response as they arrive; return false to stop the transfer (the
// exchange then ends OK with the bytes so far). Non-2xx bodies are always collected in `body`.
using BodySink = std::function<bool(std::string_view bytes)>;

class HttpTransport {
 public:
  explicit HttpTransport(TransportConfig config);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Performs one exchange. `deadline` bounds it together with config.timeout.
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request, const CallOptions& options,
                                    const BodySink* sink = nullptr);

  const TransportConfig& config() const { return config_; }

 private:
  struct Connection;
  std::unique_ptr<Connection> Acquire();
  void Release(std::unique_ptr<Connection> connection);

  const TransportConfig config_;
  // std::mutex rather than absl::Mutex: Debian's Abseil is not built for ThreadSanitizer, which
  // then cannot see absl::Mutex synchronize.
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
};

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_HTTP_TRANSPORT_H_
