#include "tests/support/sglang_responses.h"

#include "nlohmann/json.hpp"

namespace radixlm::testing {
namespace {

using nlohmann::json;

json Usage(std::int64_t prompt_tokens, std::int64_t completion_tokens,
           std::optional<std::int64_t> cached_tokens) {
  json usage = {{"prompt_tokens", prompt_tokens},
                {"completion_tokens", completion_tokens},
                {"total_tokens", prompt_tokens + completion_tokens},
                {"prompt_tokens_details", nullptr},
                {"reasoning_tokens", 0}};
  if (cached_tokens.has_value()) {
    usage["prompt_tokens_details"] = {{"cached_tokens", *cached_tokens}};
  }
  return usage;
}

std::string Event(const json& data) { return "data: " + data.dump() + "\n\n"; }

}  // namespace

std::string ChatCompletionBody(const std::string& content, std::int64_t prompt_tokens,
                               std::int64_t completion_tokens,
                               std::optional<std::int64_t> cached_tokens) {
  return json{{"id", "0123456789abcdef"},
              {"object", "chat.completion"},
              {"created", 1732694400},
              {"model", "default"},
              {"choices",
               {{{"index", 0},
                 {"message",
                  {{"role", "assistant"},
                   {"content", content},
                   {"reasoning_content", nullptr},
                   {"tool_calls", nullptr}}},
                 {"logprobs", nullptr},
                 {"finish_reason", "stop"},
                 {"matched_stop", 2}}}},
              {"usage", Usage(prompt_tokens, completion_tokens, cached_tokens)},
              {"metadata", {{"weight_version", "default"}}}}
      .dump();
}

std::string ChatStreamBody(const std::vector<std::string>& pieces, std::int64_t prompt_tokens,
                           std::int64_t cached_tokens) {
  json chunk = {{"id", "0123456789abcdef"},
                {"object", "chat.completion.chunk"},
                {"created", 1732694400},
                {"model", "default"},
                {"usage", nullptr}};
  auto with_choice = [&](const json& delta, const json& finish) {
    json out = chunk;
    out["choices"] = {{{"index", 0},
                       {"delta", delta},
                       {"logprobs", nullptr},
                       {"finish_reason", finish},
                       {"matched_stop", nullptr}}};
    return out;
  };
  std::string body = Event(with_choice(
      {{"role", "assistant"}, {"content", ""}, {"reasoning_content", nullptr}}, nullptr));
  for (const std::string& piece : pieces) {
    body += Event(with_choice({{"content", piece}, {"reasoning_content", nullptr}}, nullptr));
  }
  body += Event(with_choice({{"reasoning_content", nullptr}}, "stop"));
  json usage_chunk = chunk;
  usage_chunk["choices"] = json::array();
  usage_chunk["usage"] =
      Usage(prompt_tokens, static_cast<std::int64_t>(pieces.size()), cached_tokens);
  body += Event(usage_chunk);
  body += "data: [DONE]\n\n";
  return body;
}

std::string GenerateBody(const std::string& text, const std::vector<int>& output_ids,
                         std::int64_t prompt_tokens, std::int64_t cached_tokens) {
  return json{{"text", text},
              {"output_ids", output_ids},
              {"meta_info",
               {{"id", "rid-0"},
                {"finish_reason", {{"type", "length"}, {"length", output_ids.size()}}},
                {"prompt_tokens", prompt_tokens},
                {"completion_tokens", output_ids.size()},
                {"cached_tokens", cached_tokens},
                {"weight_version", "default"},
                {"e2e_latency", 0.01}}}}
      .dump();
}

std::vector<std::string> SplitIntoSmallPieces(const std::string& bytes, std::size_t max_piece) {
  std::vector<std::string> pieces;
  std::size_t size = 1;
  for (std::size_t at = 0; at < bytes.size(); at += size, size = size % max_piece + 1) {
    pieces.push_back(bytes.substr(at, size));
  }
  return pieces;
}

Action EchoServer(const RecordedRequest& request) {
  if (request.path == "/health") return Action::Respond(200, R"({"status":"healthy"})");
  if (request.path == "/v1/models") {
    return Action::Respond(
        200, R"({"object":"list","data":[{"id":"default","object":"model","created":1,)"
             R"("owned_by":"sglang","root":"default","parent":null,"max_model_len":4096}]})");
  }
  if (request.path == "/generate") return Action::Respond(200, GenerateBody(" Paris", {7}, 6, 0));
  if (request.path != "/v1/chat/completions")
    return Action::Respond(404, R"({"detail":"Not Found"})");
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.contains("messages")) {
    return Action::Respond(400, R"({"object":"error","message":"bad body","code":400})");
  }
  std::int64_t bytes = 0;
  std::string last_user;
  for (const json& message : body["messages"]) {
    const std::string content = message.value("content", "");
    bytes += static_cast<std::int64_t>(content.size());
    if (message.value("role", "") == "user") last_user = content;
  }
  const std::string reply = "echo: " + last_user;
  const std::int64_t prompt_tokens = bytes / 4 + 1;
  const std::int64_t cached = body["messages"].size() > 2 ? prompt_tokens / 2 : 0;
  if (body.value("stream", false)) {
    return Action::RespondChunks(200,
                                 {ChatStreamBody({"echo: ", last_user}, prompt_tokens, cached)});
  }
  return Action::Respond(200, ChatCompletionBody(reply, prompt_tokens, 2, cached));
}

}  // namespace radixlm::testing
