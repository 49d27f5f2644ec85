// SGLang's native API on the real `radixlm serve`: /generate (text, ids, batches, cumulative SSE,
// logprobs), server-side sessions, /abort_request, tokenize/detokenize, /metrics and the info
// routes, checked field by field against protocol §1.
#include <future>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "tests/e2e/serve_process.h"
#include "tests/e2e/shared_server_test.h"

namespace radixlm::e2e {
namespace {

using nlohmann::json;

class NativeApiE2eTest : public SharedServerTest {
 protected:
  static void SetUpTestSuite() { StartSharedServer({"--served-model-name", "tiny-test"}); }

  static HttpResult Post(const std::string& path, const json& body) {
    return Http("POST", server_->base_url() + path, body.dump());
  }
  static HttpResult Get(const std::string& path) { return Http("GET", server_->base_url() + path); }
};

TEST_F(NativeApiE2eTest, GenerateTextReturnsTextIdsAndMetaInfo) {
  HttpResult result = Post(
      "/generate",
      {{"text", "Hello world"},
       {"rid", "my-rid"},
       {"sampling_params", {{"max_new_tokens", 4}, {"temperature", 0}, {"ignore_eos", true}}}});
  ASSERT_EQ(result.status, 200) << result.body;
  json body = result.Json();
  EXPECT_TRUE(body["text"].is_string());
  EXPECT_EQ(body["output_ids"].size(), 4u);
  const json& meta = body["meta_info"];
  EXPECT_EQ(meta["id"], "my-rid");
  EXPECT_EQ(meta["completion_tokens"], 4);
  EXPECT_GT(meta["prompt_tokens"].get<int>(), 0);
  EXPECT_TRUE(meta["cached_tokens"].is_number_integer());
  EXPECT_EQ(meta["finish_reason"], json::parse(R"({"type":"length","length":4})"));
  EXPECT_TRUE(meta["e2e_latency"].is_number());
  EXPECT_EQ(meta["weight_version"], "default");
}

TEST_F(NativeApiE2eTest, GenerateFromInputIdsAndAsABatch) {
  HttpResult ids =
      Post("/generate", {{"input_ids", {5, 6, 7, 8}},
                         {"sampling_params", {{"max_new_tokens", 2}, {"ignore_eos", true}}}});
  ASSERT_EQ(ids.status, 200) << ids.body;
  EXPECT_EQ(ids.Json()["meta_info"]["prompt_tokens"], 4);

  HttpResult batch =
      Post("/generate", {{"text", {"first prompt", "second prompt", "third"}},
                         {"rid", "b"},
                         {"sampling_params", {{"max_new_tokens", 3}, {"ignore_eos", true}}}});
  ASSERT_EQ(batch.status, 200) << batch.body;
  json list = batch.Json();
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(list[i]["meta_info"]["id"], "b_" + std::to_string(i));
    EXPECT_EQ(list[i]["meta_info"]["completion_tokens"], 3);
  }
}

TEST_F(NativeApiE2eTest, StreamIsCumulativeAndEndsWithDone) {
  HttpResult result =
      Post("/generate", {{"text", "Count with me"},
                         {"stream", true},
                         {"sampling_params", {{"max_new_tokens", 5}, {"ignore_eos", true}}}});
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_NE(result.content_type.find("text/event-stream"), std::string::npos);
  std::vector<std::string> events = SseData(result.body);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.back(), "[DONE]");
  std::size_t previous_ids = 0;
  std::string previous_text;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    json chunk = json::parse(events[i]);
    const std::size_t ids = chunk["output_ids"].size();
    EXPECT_GE(ids, previous_ids);  // cumulative
    EXPECT_EQ(chunk["text"].get<std::string>().rfind(previous_text, 0), 0u);
    previous_ids = ids;
    previous_text = chunk["text"];
    const bool last = i + 2 == events.size();
    EXPECT_EQ(chunk["meta_info"]["finish_reason"].is_null(), !last) << events[i];
  }
  EXPECT_EQ(previous_ids, 5u);
}

TEST_F(NativeApiE2eTest, ReturnLogprobGivesOneTriplePerOutputToken) {
  HttpResult result =
      Post("/generate", {{"text", "Logprobs"},
                         {"return_logprob", true},
                         {"top_logprobs_num", 2},
                         {"sampling_params", {{"max_new_tokens", 3}, {"ignore_eos", true}}}});
  ASSERT_EQ(result.status, 200) << result.body;
  const json meta = result.Json()["meta_info"];
  ASSERT_EQ(meta["output_token_logprobs"].size(), 3u);
  EXPECT_TRUE(meta["output_token_logprobs"][0][0].is_number());
  EXPECT_TRUE(meta["output_token_logprobs"][0][1].is_number_integer());
  ASSERT_EQ(meta["output_top_logprobs"].size(), 3u);
  EXPECT_EQ(meta["output_top_logprobs"][0].size(), 2u);
  // Without logprob_start_len: the last prompt token, with a null log probability.
  ASSERT_EQ(meta["input_token_logprobs"].size(), 1u);
  EXPECT_TRUE(meta["input_token_logprobs"][0][0].is_null());
}

TEST_F(NativeApiE2eTest, LogprobStartLenScoresThePrompt) {
  const json ids = {5, 6, 7, 8, 9, 10};
  HttpResult result = Post("/generate", {{"input_ids", ids},
                                         {"return_logprob", true},
                                         {"logprob_start_len", 2},
                                         {"top_logprobs_num", 2},
                                         {"return_text_in_logprobs", true},
                                         {"sampling_params", {{"max_new_tokens", 0}}}});
  ASSERT_EQ(result.status, 200) << result.body;
  const json meta = result.Json()["meta_info"];
  // SGLang's invariant: prompt_tokens == logprob_start_len + len(input_token_logprobs).
  ASSERT_EQ(meta["input_token_logprobs"].size(), 4u) << meta.dump();
  EXPECT_EQ(meta["prompt_tokens"], 6);
  EXPECT_TRUE(meta["input_token_logprobs"][0][0].is_null());
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(meta["input_token_logprobs"][i][1], ids[i + 2]);
    EXPECT_TRUE(meta["input_token_logprobs"][i][2].is_string());
    if (i > 0) EXPECT_LE(meta["input_token_logprobs"][i][0].get<double>(), 0.0);
  }
  ASSERT_EQ(meta["input_top_logprobs"].size(), 4u);
  EXPECT_TRUE(meta["input_top_logprobs"][0].is_null());
  EXPECT_EQ(meta["input_top_logprobs"][1].size(), 2u);
  EXPECT_EQ(meta["completion_tokens"], 0);

  HttpResult past =
      Post("/generate", {{"input_ids", ids}, {"return_logprob", true}, {"logprob_start_len", 6}});
  EXPECT_EQ(past.status, 400) << past.body;
  EXPECT_NE(past.body.find("logprob_start_len (6) is higher than the number of input tokens (6)"),
            std::string::npos)
      << past.body;
}

TEST_F(NativeApiE2eTest, SessionTurnsExtendTheContextAndReuseTheCache) {
  HttpResult opened = Post("/open_session", {{"capacity_of_str_len", 1000}});
  ASSERT_EQ(opened.status, 200) << opened.body;
  const std::string sid = opened.Json().get<std::string>();
  EXPECT_EQ(Post("/open_session", {{"capacity_of_str_len", 10}, {"session_id", sid}}).status, 400);

  json params = {{"max_new_tokens", 4}, {"temperature", 0}, {"ignore_eos", true}};
  HttpResult first = Post("/generate", {{"text", "The first chunk of a long conversation."},
                                        {"session_params", {{"id", sid}}},
                                        {"sampling_params", params}});
  ASSERT_EQ(first.status, 200) << first.body;
  const json first_meta = first.Json()["meta_info"];
  HttpResult second =
      Post("/generate", {{"text", " And the second chunk."},
                         {"session_params", {{"id", sid}, {"rid", first_meta["id"]}}},
                         {"sampling_params", params}});
  ASSERT_EQ(second.status, 200) << second.body;
  const json second_meta = second.Json()["meta_info"];
  // Context = first prompt + first output + new chunk (its BOS stripped).
  EXPECT_GT(second_meta["prompt_tokens"].get<int>(), first_meta["prompt_tokens"].get<int>() + 4);
  EXPECT_GE(second_meta["cached_tokens"].get<int>(), first_meta["prompt_tokens"].get<int>() - 16);
  EXPECT_GT(second_meta["cached_tokens"].get<int>(), 0);

  // Appending to an unknown rid, or to a closed session, is a 400.
  HttpResult stale =
      Post("/generate", {{"text", "x"}, {"session_params", {{"id", sid}, {"rid", "nope"}}}});
  EXPECT_EQ(stale.status, 400) << stale.body;
  EXPECT_EQ(Post("/close_session", {{"session_id", sid}}).status, 200);
  HttpResult closed = Post("/generate", {{"text", "x"}, {"session_params", {{"id", sid}}}});
  EXPECT_EQ(closed.status, 400);
  EXPECT_NE(closed.Json()["error"]["message"].get<std::string>().find("does not exist"),
            std::string::npos);
}

TEST_F(NativeApiE2eTest, TokenizeAndDetokenizeRoundTrip) {
  HttpResult tokens =
      Post("/tokenize", {{"prompt", "round trip text"}, {"add_special_tokens", false}});
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  json body = tokens.Json();
  EXPECT_EQ(body["count"], body["tokens"].size());
  EXPECT_EQ(body["max_model_len"], 2048);
  HttpResult text = Post("/detokenize", {{"tokens", body["tokens"]}});
  ASSERT_EQ(text.status, 200) << text.body;
  EXPECT_EQ(text.Json()["text"], "round trip text");
  EXPECT_EQ(Post("/detokenize", {{"tokens", {999999}}}).status, 400);
}

TEST_F(NativeApiE2eTest, MetricsUseSglangNames) {
  ASSERT_EQ(
      Post("/generate", {{"text", "metrics"}, {"sampling_params", {{"max_new_tokens", 2}}}}).status,
      200);
  HttpResult metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.content_type.find("text/plain"), std::string::npos);
  for (const char* name :
       {"sglang:num_running_reqs{model_name=\"tiny-test\"}", "sglang:num_queue_reqs",
        "sglang:token_usage", "sglang:cache_hit_rate", "sglang:prompt_tokens_total",
        "sglang:generation_tokens_total", "sglang:cached_tokens_total",
        "sglang:time_to_first_token_seconds_bucket", "sglang:e2e_request_latency_seconds_count",
        "sglang:num_requests_total"}) {
    EXPECT_NE(metrics.body.find(name), std::string::npos) << name;
  }
}

TEST_F(NativeApiE2eTest, InfoRoutesAndAliases) {
  for (const char* path : {"/get_model_info", "/model_info"}) {
    HttpResult info = Get(path);
    ASSERT_EQ(info.status, 200) << path;
    EXPECT_EQ(info.Json()["is_generation"], true);
    EXPECT_TRUE(info.Json()["architectures"].is_array());
  }
  for (const char* path : {"/get_server_info", "/server_info"}) {
    HttpResult info = Get(path);
    ASSERT_EQ(info.status, 200) << path;
    EXPECT_TRUE(info.Json()["max_total_num_tokens"].is_number_integer());
    EXPECT_EQ(info.Json()["status"], "Up");
  }
  HttpResult models = Get("/v1/models");
  ASSERT_EQ(models.status, 200);
  EXPECT_EQ(models.Json()["data"][0]["id"], "tiny-test");
  EXPECT_EQ(models.Json()["data"][0]["owned_by"], "sglang");
  EXPECT_EQ(Get("/v1/models/tiny-test").status, 200);
  HttpResult missing = Get("/v1/models/other");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Json()["error"]["code"], "model_not_found");
  EXPECT_EQ(Get("/health").status, 200);
  EXPECT_EQ(Get("/health_generate").status, 200);
  HttpResult flushed = Post("/flush_cache", json::object());
  EXPECT_EQ(flushed.status, 200);
  EXPECT_NE(flushed.body.find("Cache flushed"), std::string::npos);
}

}  // namespace
}  // namespace radixlm::e2e
