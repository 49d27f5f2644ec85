// POST /generate: SGLang's native generation route — single prompts and batches, text or token
// ids, cumulative SSE streaming, output logprobs, and server-side sessions (session_params).
#ifndef RADIXLM_SRC_SERVER_GENERATE_ROUTE_H_
#define RADIXLM_SRC_SERVER_GENERATE_ROUTE_H_

#include <memory>

#include "src/server/http_message.h"
#include "src/server/server_context.h"

namespace radixlm::server {

void HandleGenerate(ServerContext& context, const HttpRequest& request,
                    const std::shared_ptr<Responder>& responder);

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_GENERATE_ROUTE_H_
