#include "src/server/openai_response.h"

#include <utility>

namespace radixlm::server {
namespace {

Json Bytes(std::string_view text) {
  Json bytes = Json::array();
  for (char c : text) bytes.push_back(static_cast<int>(static_cast<unsigned char>(c)));
  return bytes;
}

Json MatchedStop(const engine::GenerateResult& result) {
  return result.finish_reason == engine::FinishReason::kStop ? Json(result.matched_stop)
                                                             : Json(nullptr);
}

Json ChunkBase(const OpenAiIdentity& identity, std::string_view object) {
  return {{"id", identity.id},
          {"object", object},
          {"created", identity.created},
          {"model", identity.model}};
}

}  // namespace

Json UsageJson(const TokenCounts& counts) {
  return {{"prompt_tokens", counts.prompt_tokens},
          {"completion_tokens", counts.completion_tokens},
          {"total_tokens", counts.prompt_tokens + counts.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", counts.cached_tokens}}},
          {"reasoning_tokens", 0}};
}

std::string OpenAiFinishReason(const engine::GenerateResult& result) {
  return std::string(engine::FinishReasonName(result.finish_reason));
}

Json ChatLogprobsJson(const std::vector<engine::OutputLogprob>& logprobs,
                      const TokenTextFn& token_text) {
  Json content = Json::array();
  for (const engine::OutputLogprob& entry : logprobs) {
    const std::string token = token_text(entry.token);
    Json top = Json::array();
    for (const engine::TopLogprob& alternative : entry.top) {
      const std::string text = token_text(alternative.token);
      top.push_back({{"token", text}, {"bytes", Bytes(text)}, {"logprob", alternative.logprob}});
    }
    content.push_back({{"token", token},
                       {"bytes", Bytes(token)},
                       {"logprob", entry.logprob},
                       {"top_logprobs", std::move(top)}});
  }
  return {{"content", std::move(content)}};
}

Json CompletionLogprobsJson(const std::vector<engine::OutputLogprob>& logprobs,
                            std::int32_t top_logprobs, std::int64_t first_offset,
                            const TokenTextFn& token_text,
                            const std::optional<EchoedPromptLogprobs>& prompt) {
  Json text_offset = Json::array();
  Json token_logprobs = Json::array();
  Json tokens = Json::array();
  Json top = Json::array();
  std::int64_t offset = 0;
  auto add = [&](std::int32_t token_id, const engine::OutputLogprob* entry) {
    const std::string token = token_text(token_id);
    text_offset.push_back(offset);
    offset += static_cast<std::int64_t>(token.size());
    token_logprobs.push_back(entry != nullptr ? Json(entry->logprob) : Json(nullptr));
    tokens.push_back(token);
    if (top_logprobs > 0 && entry != nullptr) {
      Json alternatives = Json::object();
      for (const engine::TopLogprob& alternative : entry->top) {
        alternatives[token_text(alternative.token)] = alternative.logprob;
      }
      top.push_back(std::move(alternatives));
    } else {
      top.push_back(nullptr);
    }
  };
  if (prompt.has_value()) {
    add(prompt->first_token, nullptr);
    for (const engine::OutputLogprob& entry : *prompt->logprobs) add(entry.token, &entry);
  }
  offset = first_offset;
  for (const engine::OutputLogprob& entry : logprobs) add(entry.token, &entry);
  return {{"text_offset", std::move(text_offset)},
          {"token_logprobs", std::move(token_logprobs)},
          {"tokens", std::move(tokens)},
          {"top_logprobs", std::move(top)}};
}

Json ChatCompletionJson(const OpenAiCall& call, const OpenAiIdentity& identity,
                        const engine::GenerateResult& result, const TokenTextFn& token_text) {
  Json choice = {
      {"index", 0},
      {"message",
       {{"role", "assistant"},
        {"content", result.text},
        {"reasoning_content", nullptr},
        {"tool_calls", nullptr}}},
      {"logprobs", call.logprobs ? ChatLogprobsJson(result.logprobs, token_text) : Json(nullptr)},
      {"finish_reason", OpenAiFinishReason(result)},
      {"matched_stop", MatchedStop(result)}};
  Json body = ChunkBase(identity, "chat.completion");
  body["choices"] = Json::array({std::move(choice)});
  body["usage"] = UsageJson({result.prompt_tokens, result.completion_tokens, result.cached_tokens});
  body["metadata"] = {{"weight_version", "default"}};
  return body;
}

Json CompletionJson(const OpenAiCall& call, const OpenAiIdentity& identity,
                    const std::vector<CompletionChoiceResult>& choices,
                    const TokenTextFn& token_text) {
  Json list = Json::array();
  TokenCounts counts;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const engine::GenerateResult& result = choices[i].result;
    const std::string& prefix = choices[i].echo_prefix;
    list.push_back(
        {{"index", i},
         {"text", prefix + result.text},
         {"logprobs",
          call.logprobs
              ? CompletionLogprobsJson(
                    result.logprobs, call.top_logprobs, static_cast<std::int64_t>(prefix.size()),
                    token_text,
                    call.echo ? std::optional<EchoedPromptLogprobs>(EchoedPromptLogprobs{
                                    choices[i].first_prompt_token, &result.prompt_logprobs})
                              : std::nullopt)
              : Json(nullptr)},
         {"finish_reason", OpenAiFinishReason(result)},
         {"matched_stop", MatchedStop(result)}});
    counts.prompt_tokens += result.prompt_tokens;
    counts.completion_tokens += result.completion_tokens;
    counts.cached_tokens += result.cached_tokens;
  }
  Json body = ChunkBase(identity, "text_completion");
  body["choices"] = std::move(list);
  body["usage"] = UsageJson(counts);
  body["metadata"] = {{"weight_version", "default"}};
  return body;
}

Json ChatRoleChunk(const OpenAiIdentity& identity) {
  Json chunk = ChunkBase(identity, "chat.completion.chunk");
  chunk["choices"] = Json::array(
      {{{"index", 0},
        {"delta", {{"reasoning_content", nullptr}, {"role", "assistant"}, {"content", ""}}},
        {"logprobs", nullptr},
        {"finish_reason", nullptr},
        {"matched_stop", nullptr}}});
  return chunk;
}

Json ChatContentChunk(const OpenAiIdentity& identity, std::string_view text, const Json& logprobs,
                      const std::optional<TokenCounts>& usage) {
  Json chunk = ChunkBase(identity, "chat.completion.chunk");
  chunk["choices"] = Json::array({{{"index", 0},
                                   {"delta", {{"reasoning_content", nullptr}, {"content", text}}},
                                   {"logprobs", logprobs},
                                   {"finish_reason", nullptr},
                                   {"matched_stop", nullptr}}});
  if (usage.has_value()) chunk["usage"] = UsageJson(*usage);
  return chunk;
}

Json ChatFinishChunk(const OpenAiIdentity& identity, const engine::GenerateResult& result) {
  Json chunk = ChunkBase(identity, "chat.completion.chunk");
  chunk["choices"] = Json::array({{{"index", 0},
                                   {"delta", {{"reasoning_content", nullptr}}},
                                   {"logprobs", nullptr},
                                   {"finish_reason", OpenAiFinishReason(result)},
                                   {"matched_stop", MatchedStop(result)}}});
  return chunk;
}

Json CompletionChunk(const OpenAiIdentity& identity, int index, std::string_view text,
                     const Json& logprobs, const engine::GenerateResult* finished,
                     const std::optional<TokenCounts>& usage) {
  Json chunk = ChunkBase(identity, "text_completion");
  chunk["choices"] = Json::array(
      {{{"index", index},
        {"text", text},
        {"logprobs", logprobs},
        {"finish_reason",
         finished != nullptr ? Json(OpenAiFinishReason(*finished)) : Json(nullptr)},
        {"matched_stop", finished != nullptr ? MatchedStop(*finished) : Json(nullptr)}}});
  chunk["usage"] = usage.has_value() ? UsageJson(*usage) : Json(nullptr);
  return chunk;
}

Json UsageChunk(const OpenAiIdentity& identity, bool chat, const TokenCounts& counts) {
  Json chunk = ChunkBase(identity, chat ? "chat.completion.chunk" : "text_completion");
  chunk["choices"] = Json::array();
  chunk["usage"] = UsageJson(counts);
  return chunk;
}

}  // namespace radixlm::server
