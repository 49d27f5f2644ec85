#include "src/client/http_transport.h"
#include "src/common/strings.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "src/client/transport_failure.h"
#include "src/common/duration.h"

namespace radixlm::sglang::internal {
namespace {

// curl_global_init is not thread-safe and must run once before any other libcurl call.
void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  HttpResponse response;
  const BodySink* sink = nullptr;
  CURL* easy = nullptr;
  std::size_t max_body = 0;
  bool stopped_by_sink = false;
  bool too_large = false;
};

bool IsSuccess(long status) { return status >= 200 && status < 300; }

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  line = radixlm::StripAsciiWhitespace(line);
  if (line.starts_with("HTTP/")) {
    // A new header block (after 100 Continue, say) replaces what an earlier one said.
    exchange->response.content_type.clear();
    exchange->response.retry_after.reset();
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  const std::string name = radixlm::AsciiToLower(line.substr(0, colon));
  const std::string_view value = radixlm::StripAsciiWhitespace(line.substr(colon + 1));
  if (name == "content-type") {
    exchange->response.content_type = std::string(value);
  } else if (name == "retry-after") {
    double seconds = -1;
    // Only the delta-seconds form; an HTTP date is rare from inference servers and is ignored.
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error == std::errc() && end == value.data() + value.size() && seconds >= 0) {
      exchange->response.retry_after = absl::Seconds(seconds);
    }
  }
  return bytes;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(exchange->easy, CURLINFO_RESPONSE_CODE, &status);
  if (exchange->sink != nullptr && IsSuccess(status)) {
    exchange->response.streamed_bytes += bytes;
    if (!(*exchange->sink)(std::string_view(data, bytes))) {
      exchange->stopped_by_sink = true;
      return 0;  // Makes libcurl abort the transfer with CURLE_WRITE_ERROR.
    }
    return bytes;
  }
  if (exchange->response.body.size() + bytes > exchange->max_body) {
    exchange->too_large = true;
    return 0;
  }
  exchange->response.body.append(data, bytes);
  return bytes;
}

long ToMillis(absl::Duration d) {
  return static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

}  // namespace

struct HttpTransport::Connection {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;

  Connection() : multi(curl_multi_init()), easy(curl_easy_init()) {}
  ~Connection() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (multi != nullptr) curl_multi_cleanup(multi);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
};

HttpTransport::HttpTransport(TransportConfig config) : config_(std::move(config)) {
  EnsureCurlInitialized();
}

HttpTransport::~HttpTransport() = default;

std::unique_ptr<HttpTransport::Connection> HttpTransport::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return std::make_unique<Connection>();
}

void HttpTransport::Release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < config_.max_idle_connections) idle_.push_back(std::move(connection));
}

absl::StatusOr<HttpResponse> HttpTransport::Send(const HttpRequest& request,
                                                 const CallOptions& options,
                                                 const BodySink* sink) {
  std::string_view base = config_.base_url;
  if (base.ends_with('/')) base.remove_suffix(1);
  const std::string url = radixlm::StrCat(base, request.path);
  const std::string what = radixlm::StrCat(request.method, " ", url);
  if (options.cancel.stop_requested()) {
    return absl::CancelledError(radixlm::StrCat(what, ": cancelled before it was sent"));
  }
  // The exchange may run until the earlier of the configured timeout and the caller's deadline.
  const absl::Duration until_deadline = options.deadline - absl::Now();
  const bool deadline_binds = until_deadline < config_.timeout;
  const absl::Duration budget = std::min(config_.timeout, until_deadline);
  if (budget <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(radixlm::StrCat(what, ": deadline passed before it was sent"));
  }

  std::unique_ptr<Connection> connection = Acquire();
  CURL* easy = connection->easy;
  curl_easy_reset(easy);

  Exchange exchange;
  exchange.sink = sink;
  exchange.easy = easy;
  exchange.max_body = config_.max_response_bytes;

  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json, text/event-stream");
  // libcurl would otherwise wait up to a second for "100 Continue" on larger bodies.
  headers = curl_slist_append(headers, "Expect:");
  if (!request.body.empty() || request.method == "POST") {
    headers = curl_slist_append(headers, "Content-Type: application/json");
  }
  std::string authorization;
  if (!config_.api_key.empty()) {
    authorization = radixlm::StrCat("Authorization: Bearer ", config_.api_key);
    headers = curl_slist_append(headers, authorization.c_str());
  }

  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, config_.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, ToMillis(budget));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   ToMillis(std::min(config_.connect_timeout, budget)));
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  if (!request.idempotent) curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &exchange);
  if (request.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLM* multi = connection->multi;
  curl_multi_add_handle(multi, easy);
  std::atomic<bool> cancelled{false};
  CURLcode result = CURLE_OK;
  {
    // Wakes curl_multi_poll at once when the caller cancels, from whatever thread that is.
    std::stop_callback on_cancel(options.cancel, [&cancelled, multi] {
      cancelled.store(true);
      curl_multi_wakeup(multi);
    });
    int running = 1;
    while (!cancelled.load()) {
      CURLMcode multi_code = curl_multi_perform(multi, &running);
      if (multi_code != CURLM_OK) {
        result = CURLE_FAILED_INIT;
        break;
      }
      if (running == 0) {
        int queued = 0;
        while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
          if (message->msg == CURLMSG_DONE) result = message->data.result;
        }
        break;
      }
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
  }
  curl_multi_remove_handle(multi, easy);
  curl_slist_free_all(headers);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t connect_time_us = 0;
  curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_time_us);
  long new_connections = 0;
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &new_connections);
  // A reused keep-alive connection reports no connect time; it was connected all the same.
  const bool connected = connect_time_us > 0 || new_connections == 0;
  // Unset the pointers into this stack frame before the handle goes back to the pool.
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  Release(std::move(connection));

  exchange.response.status = static_cast<int>(status);
  if (cancelled.load()) {
    return absl::CancelledError(radixlm::StrCat(what, ": cancelled by the caller"));
  }
  const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(result);
  switch (result) {
    case CURLE_OK:
      return std::move(exchange.response);
    case CURLE_WRITE_ERROR:
      if (exchange.stopped_by_sink) return std::move(exchange.response);
      if (exchange.too_large) {
        return absl::ResourceExhaustedError(radixlm::StrCat(
            what, ": response body exceeds ", config_.max_response_bytes,
            " bytes; raise max_response_bytes if this response is expected"));
      }
      return TransportFailure(TransportFailureKind::kOther,
                              absl::InternalError(radixlm::StrCat(what, ": ", detail)));
    case CURLE_COULDNT_CONNECT:
      return TransportFailure(
          TransportFailureKind::kRefused,
          absl::UnavailableError(radixlm::StrCat(
              what, ": could not connect (", detail,
              "); is the server running? check optimization.sglang.endpoint")));
    case CURLE_COULDNT_RESOLVE_HOST:
      return absl::UnavailableError(radixlm::StrCat(what, ": could not resolve the host (", detail,
                                                 "); check optimization.sglang.endpoint"));
    case CURLE_OPERATION_TIMEDOUT: {
      std::string why =
          deadline_binds
              ? std::string("the call's deadline passed")
              : radixlm::StrCat(connected ? "no complete response within the timeout of "
                                       : "could not connect within ",
                             FormatGoDuration(connected ? config_.timeout
                                                        : config_.connect_timeout),
                             connected ? " (optimization.sglang.timeout)"
                                       : " (optimization.sglang.connect_timeout)");
      return absl::DeadlineExceededError(radixlm::StrCat(what, ": ", why));
    }
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return TransportFailure(
          TransportFailureKind::kReset,
          absl::UnavailableError(radixlm::StrCat(
              what, ": the connection was closed or reset before a complete response (", detail,
              ")")));
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
      return absl::DataLossError(radixlm::StrCat(what, ": malformed HTTP response (", detail, ")"));
    default:
      return TransportFailure(TransportFailureKind::kOther,
                              absl::UnavailableError(radixlm::StrCat(what, ": ", detail)));
  }
}

}  // namespace radixlm::sglang::internal
