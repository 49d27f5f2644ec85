// Router: the server's HTTP entry point. Checks the API key (SGLang: every path except /health*
// and /metrics needs `Authorization: Bearer K` when --api-key is set), dispatches by method and
// path to the routes, and answers the small routes itself: health, model and server info, cache
// flush, abort, sessions, tokenize/detokenize, /v1/models and /metrics. Unknown paths get
// FastAPI's 404 {"detail":"Not Found"}, a known path with the wrong method 405.
#ifndef RADIXLM_SRC_SERVER_ROUTER_H_
#define RADIXLM_SRC_SERVER_ROUTER_H_

#include <memory>

#include "src/server/http_message.h"
#include "src/server/server_context.h"

namespace radixlm::server {

// Handles one request (runs on an I/O thread; never blocks on generation).
void Route(ServerContext& context, const HttpRequest& request,
           std::shared_ptr<Responder> responder);

// Whether `authorization` (the header's value) carries `api_key`; true when api_key is empty.
bool Authorized(std::string_view api_key, std::string_view path, std::string_view authorization);

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_ROUTER_H_
