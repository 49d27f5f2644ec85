// HttpRequest, HttpResponse and Responder: what the HTTP plumbing (http_server, http_connection)
// hands to the routes, and how a route answers. Kept free of Beast so that routes and their unit
// tests never see the network library.
//
// A route gets a parsed request and a Responder. It answers exactly once: either Send() (a whole
// response) or BeginStream() + Write()... + EndStream() (chunked transfer encoding, used for SSE).
// Responder methods may be called from any thread (engine callbacks run on the scheduler thread);
// they queue the work onto the connection's strand, in call order.
#ifndef RADIXLM_SRC_SERVER_HTTP_MESSAGE_H_
#define RADIXLM_SRC_SERVER_HTTP_MESSAGE_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace radixlm::server {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // target without the query string
  std::string query;                           // after '?', undecoded
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header's value, or "" when absent. `name` must be lower case.
  std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

class Responder {
 public:
  virtual ~Responder() = default;

  // Sends a whole response. Ignored when a response was already begun.
  virtual void Send(HttpResponse response) = 0;
  // Sends the status line and headers of a chunked response (e.g. "text/event-stream").
  virtual void BeginStream(int status, std::string content_type) = 0;
  // Sends one chunk of a begun stream; ignored after EndStream() or a disconnect.
  virtual void Write(std::string data) = 0;
  // Ends the stream (the zero-length chunk); the connection then serves its next request.
  virtual void EndStream() = 0;
  // `on_disconnect` runs once, on an I/O thread, if the client goes away (closes or resets the
  // connection, or a write fails) before the response ended. Replaces an earlier callback.
  virtual void SetOnDisconnect(std::function<void()> on_disconnect) = 0;
};

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_HTTP_MESSAGE_H_
