// POST /v1/chat/completions and POST /v1/completions: the OpenAI-compatible routes, streaming
// (SSE) and not. Parsing lives in openai_request.h, response shapes in openai_response.h; this
// file renders prompts (chat template, tokenizer), checks them against the context, submits them
// to the engine and streams or collects the answers.
#ifndef RADIXLM_SRC_SERVER_OPENAI_ROUTES_H_
#define RADIXLM_SRC_SERVER_OPENAI_ROUTES_H_

#include <memory>

#include "src/server/http_message.h"
#include "src/server/server_context.h"

namespace radixlm::server {

void HandleChatCompletions(ServerContext& context, const HttpRequest& request,
                           std::shared_ptr<Responder> responder);
void HandleCompletions(ServerContext& context, const HttpRequest& request,
                       std::shared_ptr<Responder> responder);

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_OPENAI_ROUTES_H_
