// Turns a non-2xx HTTP response into an absl::Status that carries the HTTP status (payload) and the
// server's own error message.
//
// SGLang answers errors in several shapes (protocol notes §1.16): OpenAI routes put
// {"object":"error","message":...} at the top level; native routes nest {"error":{"message":...}};
// auth failures send {"error":"Unauthorized"}; FastAPI sends {"detail":...}; /flush_cache sends plain
// text. All of them are understood; anything else is quoted (truncated) as it came.
#ifndef RADIXLM_SRC_CLIENT_HTTP_ERROR_H_
#define RADIXLM_SRC_CLIENT_HTTP_ERROR_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace radixlm::sglang::internal {

// The server's error message in `body`, or the body itself (truncated) when it has no known shape.
std::string ServerErrorMessage(std::string_view body);

// `what` names the exchange ("POST http://host/v1/chat/completions").
absl::Status StatusFromHttpError(int http_status, std::string_view body, std::string_view what);

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_HTTP_ERROR_H_
