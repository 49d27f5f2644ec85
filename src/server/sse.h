// Server-sent events as SGLang writes them: every event is one `data: <json>` line and a blank
// line; a stream ends with `data: [DONE]`.
#ifndef RADIXLM_SRC_SERVER_SSE_H_
#define RADIXLM_SRC_SERVER_SSE_H_

#include <string>
#include <string_view>

#include "src/server/errors.h"
#include "src/server/request_parsing.h"

namespace radixlm::server {

inline constexpr std::string_view kSseContentType = "text/event-stream";
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

inline std::string SseEvent(const Json& value) { return "data: " + Dump(value) + "\n\n"; }

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_SSE_H_
