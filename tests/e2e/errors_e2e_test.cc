// Bad input never crashes `radixlm serve`: every case gets the right 4xx with SGLang's error shape
// and a message, and the server keeps serving. Also: API keys (401), body limits (413) and a
// full queue (503).
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/serve_process.h"
#include "tests/e2e/shared_server_test.h"

namespace radixlm::e2e {
namespace {

using nlohmann::json;

struct BadCase {
  std::string name;
  std::string path;
  std::string body;
  long status;
  std::string message_part;  // expected inside the error message
  std::string content_type = "Content-Type: application/json";
};

std::string ErrorMessage(const json& body) {
  if (body.contains("message")) return body["message"].get<std::string>();
  if (body.contains("error") && body["error"].is_object()) return body["error"]["message"];
  if (body.contains("error")) return body["error"].dump();
  return body.dump();
}

class ErrorsE2eTest : public SharedServerTest {
 protected:
  static void SetUpTestSuite() {
    StartSharedServer({"--max-request-bytes", "65536", "--context-length", "256"});
  }
};

TEST_F(ErrorsE2eTest, EveryBadRequestGetsA4xxWithAMessageAndTheServerKeepsServing) {
  const std::string long_prompt(3000, 'a');  // far over --context-length 256 once tokenized
  const std::vector<BadCase> cases = {
      {"malformed json (chat)", "/v1/chat/completions", "{\"messages\": [", 400,
       "JSON decode error"},
      {"malformed json (generate)", "/generate", "{\"text\": ", 400, "JSON decode error"},
      {"body not an object", "/v1/completions", "[1, 2]", 400, "dictionary"},
      {"wrong content type", "/v1/chat/completions",
       R"({"messages":[{"role":"user","content":"x"}]})", 400, "Only 'application/json'",
       "Content-Type: text/plain"},
      {"messages missing", "/v1/chat/completions", R"({"model":"m"})", 400, "messages"},
      {"messages empty", "/v1/chat/completions", R"({"messages":[]})", 400,
       "Messages cannot be empty."},
      {"message without role", "/v1/chat/completions", R"({"messages":[{"content":"x"}]})", 400,
       "role"},
      {"max_tokens wrong type", "/v1/chat/completions",
       R"({"messages":[{"role":"user","content":"x"}],"max_tokens":"ten"})", 400, "max_tokens"},
      {"max_tokens negative", "/v1/chat/completions",
       R"({"messages":[{"role":"user","content":"x"}],"max_tokens":-1})", 400, "max_tokens"},
      {"temperature negative", "/v1/chat/completions",
       R"({"messages":[{"role":"user","content":"x"}],"temperature":-1})", 400, "temperature"},
      {"n above one", "/v1/chat/completions",
       R"({"messages":[{"role":"user","content":"x"}],"n":2})", 400, "n=1"},
      {"completions max_tokens negative", "/v1/completions", R"({"prompt":"x","max_tokens":-3})",
       400, "max_tokens"},
      {"empty prompt", "/v1/completions", R"({"prompt":""})", 400, "Prompt cannot be empty"},
      {"prompt over the context (chat)", "/v1/chat/completions",
       R"({"messages":[{"role":"user","content":")" + long_prompt + R"("}]})", 400,
       "longer than the model's context length"},
      {"prompt over the context (completions)", "/v1/completions",
       R"({"prompt":")" + long_prompt + R"("})", 400, "context length"},
      {"prompt over the context (generate)", "/generate", R"({"text":")" + long_prompt + R"("})",
       400, "context"},
      {"max_tokens over the context", "/v1/chat/completions",
       R"({"messages":[{"role":"user","content":"x"}],"max_tokens":5000})", 400,
       "max_completion_tokens is too large"},
      {"invalid utf-8", "/v1/completions", "{\"prompt\":\"abc\xff\xfe\"}", 400, "JSON"},
      {"no prompt (generate)", "/generate", R"({"sampling_params":{}})", 400,
       "Either text, input_ids or input_embeds should be provided."},
      {"empty input_ids", "/generate", R"({"input_ids":[]})", 400, "input_ids cannot be empty."},
      {"out-of-vocabulary id", "/generate", R"({"input_ids":[1, 99999999]})", 400, "vocab"},
      {"unknown sampling param", "/generate", R"({"text":"x","sampling_params":{"tempreture":1}})",
       400, "unexpected keyword argument"},
      {"bad top_p", "/generate", R"({"text":"x","sampling_params":{"top_p":0}})", 400, "top_p"},
      {"unknown session", "/generate", R"({"text":"x","session_params":{"id":"missing"}})", 400,
       "does not exist"},
      {"close_session without id", "/close_session", R"({})", 400, "session_id"},
      {"open_session without capacity", "/open_session", R"({})", 400, "capacity_of_str_len"},
      {"detokenize out of vocabulary", "/detokenize", R"({"tokens":[99999999]})", 400, "vocab"},
  };
  for (const BadCase& bad : cases) {
    HttpResult result = Http("POST", server_->base_url() + bad.path, bad.body, {bad.content_type});
    EXPECT_EQ(result.status, bad.status) << bad.name << ": " << result.body;
    const json body = result.Json();
    ASSERT_FALSE(body.is_discarded()) << bad.name << ": not JSON: " << result.body;
    EXPECT_NE(ErrorMessage(body).find(bad.message_part), std::string::npos)
        << bad.name << ": " << result.body;
  }
  // Still serving.
  EXPECT_EQ(Http("GET", server_->base_url() + "/health").status, 200);
  HttpResult ok = Http("POST", server_->base_url() + "/v1/completions",
                       R"({"prompt":"still alive","max_tokens":2})");
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(ErrorsE2eTest, ErrorShapesMatchSglang) {
  // Validation: top-level {"object":"error",...,"type":"Bad Request","code":400}.
  json validation = Http("POST", server_->base_url() + "/v1/chat/completions", "{").Json();
  EXPECT_EQ(validation["object"], "error");
  EXPECT_EQ(validation["type"], "Bad Request");
  EXPECT_EQ(validation["code"], 400);
  EXPECT_TRUE(validation["param"].is_null());
  // OpenAI ValueError: the same top-level shape.
  json value_error =
      Http("POST", server_->base_url() + "/v1/chat/completions", R"({"messages":[]})").Json();
  EXPECT_EQ(value_error["object"], "error");
  EXPECT_EQ(value_error["code"], 400);
  // Native ValueError: nested under "error".
  json native = Http("POST", server_->base_url() + "/generate", R"({"input_ids":[]})").Json();
  EXPECT_EQ(native, json::parse(R"({"error":{"message":"input_ids cannot be empty."}})"));
}

TEST_F(ErrorsE2eTest, StreamingChatErrorsAreStillPlainHttpErrors) {
  const std::string long_prompt(3000, 'b');
  HttpResult result =
      Http("POST", server_->base_url() + "/v1/chat/completions",
           R"({"stream":true,"messages":[{"role":"user","content":")" + long_prompt + R"("}]})");
  EXPECT_EQ(result.status, 400) << result.body;
  EXPECT_NE(result.body.find("longer than the model's context length"), std::string::npos);
}

TEST_F(ErrorsE2eTest, UnknownPathsAndMethods) {
  HttpResult missing = Http("GET", server_->base_url() + "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Json()["detail"], "Not Found");
  EXPECT_EQ(Http("GET", server_->base_url() + "/v1/chat/completions").status, 405);
}

TEST_F(ErrorsE2eTest, BodyOverTheLimitGets413) {
  const std::string big = R"({"prompt":")" + std::string(100000, 'x') + R"("})";
  HttpResult result = Http("POST", server_->base_url() + "/v1/completions", big);
  EXPECT_EQ(result.status, 413) << result.body;
  EXPECT_EQ(Http("GET", server_->base_url() + "/health").status, 200);
}

TEST(ApiKeyE2eTest, WrongOrMissingKeyGets401AndHealthStaysOpen) {
  auto server = ServeProcess::Start({"--api-key", "sekret"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->base_url();
  const std::string body = R"({"prompt":"x","max_tokens":1})";
  HttpResult missing = Http("POST", url + "/v1/completions", body);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.Json(), json::parse(R"({"error":"Unauthorized"})"));
  EXPECT_EQ(Http("POST", url + "/v1/completions", body, {"Authorization: Bearer wrong"}).status,
            401);
  EXPECT_EQ(Http("GET", url + "/v1/models", "", {"Authorization: Bearer wrong"}).status, 401);
  EXPECT_EQ(Http("POST", url + "/v1/completions", body, {"Authorization: Bearer sekret"}).status,
            200);
  EXPECT_EQ(Http("GET", url + "/health").status, 200);
  EXPECT_EQ(Http("GET", url + "/metrics").status, 200);
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->log();
}

TEST(QueueE2eTest, AFullQueueAnswers503AndTheServerRecovers) {
  auto server = ServeProcess::Start(
      {"--max-running-requests", "1", "--max-queued-requests", "1", "--max-kv-tokens", "20000"},
      SlowModelDir());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->base_url();
  // Long generations keep the single running slot and the single queue slot busy.
  const std::string long_request =
      R"({"text":"busy","sampling_params":{"max_new_tokens":1500,"ignore_eos":true}})";
  std::vector<std::future<HttpResult>> busy;
  // Fill the one running slot, then the one queue slot, each confirmed by /server_info.
  for (const char* field : {"num_running_reqs", "num_queue_reqs"}) {
    busy.push_back(std::async(std::launch::async,
                              [&] { return Http("POST", url + "/generate", long_request); }));
    bool filled = false;
    for (int attempt = 0; attempt < 1000 && !filled; ++attempt) {
      filled = Http("GET", url + "/server_info").Json()["internal_states"][0][field] == 1;
      if (!filled) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(filled) << field;
  }
  HttpResult refused = Http("POST", url + "/v1/chat/completions",
                            R"({"messages":[{"role":"user","content":"x"}],"max_tokens":1})");
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.Json()["code"], 503);
  EXPECT_FALSE(ErrorMessage(refused.Json()).empty());
  HttpResult native = Http("POST", url + "/generate", R"({"text":"x"})");
  EXPECT_EQ(native.status, 503) << native.body;
  // Abort the long ones; the server serves again.
  EXPECT_EQ(Http("POST", url + "/abort_request", R"({"abort_all":true})").status, 200);
  for (auto& request : busy) EXPECT_EQ(request.get().status, 200);
  HttpResult after = Http("POST", url + "/v1/completions", R"({"prompt":"x","max_tokens":1})");
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->log();
}

}  // namespace
}  // namespace radixlm::e2e
