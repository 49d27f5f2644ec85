// The optimization service with real processes on loopback: `radixlm serve` as the remote SGLang
// endpoint(s), the embedded engine as the fallback, SQLite sessions surviving kill -9, and
// `radixlm chat --config` showing the fallback from the command line.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "radixlm/optimization/config.h"
#include "radixlm/optimization/service.h"
#include "tests/e2e/serve_process.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/scripted_http_peer.h"

extern char** environ;

namespace radixlm::optimization {
namespace {

using e2e::ServeProcess;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A config whose failures show quickly: no retries, short backoffs, the tiny model as fallback.
Config TestConfig(std::vector<std::string> endpoints, bool fallback) {
  Config config;
  config.sglang.enabled = !endpoints.empty();
  config.sglang.endpoints = std::move(endpoints);
  config.sglang.fallback_on_unavailable = fallback;
  config.sglang.timeout = absl::Seconds(60);
  config.sglang.connect_timeout = absl::Seconds(2);
  config.sglang.retry.max_attempts = 1;
  config.sglang.model = "tiny";
  config.sglang.health_backoff_initial = absl::Milliseconds(50);
  config.sglang.health_backoff_max = absl::Milliseconds(200);
  config.engine.model = e2e::TinyModelDir();
  config.engine.threads = 1;
  config.engine.max_kv_tokens = 8192;
  return config;
}

const TurnOptions kShortGreedy{.max_tokens = 4, .temperature = 0};

std::unique_ptr<ServeProcess> StartServer(const std::vector<std::string>& args = {}) {
  auto server = ServeProcess::Start(args);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

// Polls Status() until endpoint `index` reports `healthy` (the background checker's job).
bool WaitForHealth(const Service& service, std::size_t index, bool healthy) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    ServiceStatus status = service.Status();
    if (index < status.endpoints.size() && status.endpoints[index].healthy == healthy) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

class ServiceE2eTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return scratch_.PathOf(name); }
  std::string Dir() const { return scratch_.path().string(); }

  testing::ScratchDir scratch_{"radixlm_service"};
};

TEST_F(ServiceE2eTest, HealthyRemoteServesAndItsCacheHitsOnTheNextTurn) {
  std::unique_ptr<ServeProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  auto service = Service::Create(TestConfig({server->base_url()}, /*fallback=*/true));
  ASSERT_TRUE(service.ok()) << service.status();
  ASSERT_TRUE((*service)->CreateSession("s", "You are terse.").ok());
  auto first = (*service)->ContinueSession("s", "Hello there", kShortGreedy);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = (*service)->ContinueSession("s", "And again", kShortGreedy);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->backend, server->base_url());
  EXPECT_EQ(second->backend, server->base_url());
  EXPECT_EQ(second->turn_number, 2);
  // The second request starts with the first request and its reply: the server's cache holds it.
  EXPECT_GE(second->cached_tokens, first->prompt_tokens - 16);  // less the unfinished last page
  EXPECT_GT(second->prompt_tokens, first->prompt_tokens);
  EXPECT_EQ((*service)->Status().serving, server->base_url());
  EXPECT_TRUE(Has((*service)->MetricsText(),
                  "radixlm_service_turns_total{backend=\"" + server->base_url() +
                      "\",outcome=\"ok\"} 2"));
  EXPECT_EQ(server->Stop(SIGTERM), 0);
}

TEST_F(ServiceE2eTest, KilledRemoteFallsBackWithFullHistoryAndTrafficReturnsWhenItIsBack) {
  std::unique_ptr<ServeProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  const std::string url = server->base_url();
  const std::string port = std::to_string(server->port());
  auto created = Service::Create(TestConfig({url}, /*fallback=*/true));
  ASSERT_TRUE(created.ok()) << created.status();
  Service& service = **created;
  ASSERT_TRUE(service.CreateSession("s", "You are terse.").ok());
  auto first = service.ContinueSession("s", "Remember the number 42.", kShortGreedy);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->backend, url);

  // The remote dies between turns: the next turn is answered by the embedded engine, and its
  // prompt carries the whole history (the first request, its reply and the new message).
  server->Stop(SIGKILL);
  auto second = service.ContinueSession("s", "What was the number?", kShortGreedy);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->backend, kEmbeddedBackend);
  EXPECT_GT(second->prompt_tokens, first->prompt_tokens + first->completion_tokens);
  EXPECT_EQ(second->cached_tokens, 0);  // the embedded engine had never seen this session
  EXPECT_FALSE(service.Status().endpoints[0].healthy);
  EXPECT_EQ(service.Status().serving, kEmbeddedBackend);
  // A further turn in the outage hits the embedded engine's own cache.
  auto third = service.ContinueSession("s", "Thanks.", kShortGreedy);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->backend, kEmbeddedBackend);
  EXPECT_GE(third->cached_tokens, second->prompt_tokens - 16);

  // The server comes back on the same port; the background check notices, traffic returns.
  std::unique_ptr<ServeProcess> restarted = StartServer({"--port", port});
  ASSERT_NE(restarted, nullptr);
  ASSERT_TRUE(WaitForHealth(service, 0, true));
  auto fourth = service.ContinueSession("s", "Back to the remote?", kShortGreedy);
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_EQ(fourth->backend, url);
  EXPECT_GT(fourth->prompt_tokens, third->prompt_tokens + third->completion_tokens);

  auto session = service.GetSession("s");
  ASSERT_TRUE(session.ok());
  ASSERT_EQ(session->turns.size(), 4u);
  EXPECT_EQ(session->turns[0].user, "Remember the number 42.");
  EXPECT_EQ(session->turns[1].backend, kEmbeddedBackend);
  EXPECT_EQ(session->turns[3].backend, url);
  const std::string metrics = service.MetricsText();
  EXPECT_TRUE(Has(metrics, "radixlm_service_fallback_turns_total{} 2")) << metrics;
  EXPECT_TRUE(Has(metrics, "radixlm_service_backend_switches_total{from=\"" + url +
                               "\",to=\"embedded\"} 1"))
      << metrics;
  EXPECT_TRUE(Has(metrics, "radixlm_service_backend_switches_total{from=\"embedded\",to=\"" +
                               url + "\"} 1"))
      << metrics;
  EXPECT_EQ(service.Status().backend_switches, 2);
  EXPECT_EQ(restarted->Stop(SIGTERM), 0);
}

TEST_F(ServiceE2eTest, WithoutFallbackAnUnreachableRemoteIsUnavailableAndNothingIsStored) {
  auto created =
      Service::Create(TestConfig({testing::ScriptedHttpPeer::RefusedBaseUrl()}, false));
  ASSERT_TRUE(created.ok()) << created.status();
  Service& service = **created;
  EXPECT_EQ(service.Status().serving, "");
  EXPECT_FALSE(service.Status().embedded.has_value());
  ASSERT_TRUE(service.CreateSession("s", "sys").ok());
  auto turn = service.ContinueSession("s", "hello", kShortGreedy);
  ASSERT_FALSE(turn.ok());
  EXPECT_TRUE(absl::IsUnavailable(turn.status())) << turn.status();
  EXPECT_TRUE(Has(std::string(turn.status().message()), "fallback_on_unavailable"))
      << turn.status();
  EXPECT_TRUE(service.GetSession("s")->turns.empty());
}

TEST_F(ServiceE2eTest, SessionsStickToTheirEndpointAndMoveOnlyWhenItIsDown) {
  std::unique_ptr<ServeProcess> a = StartServer();
  std::unique_ptr<ServeProcess> b = StartServer();
  ASSERT_TRUE(a != nullptr && b != nullptr);
  auto created = Service::Create(TestConfig({a->base_url(), b->base_url()}, false));
  ASSERT_TRUE(created.ok()) << created.status();
  Service& service = **created;
  std::map<std::string, std::string> endpoint_of;
  for (int i = 0; i < 6; ++i) {
    const std::string id = "s" + std::to_string(i);
    ASSERT_TRUE(service.CreateSession(id, "sys").ok());
    auto first = service.ContinueSession(id, "one", kShortGreedy);
    auto second = service.ContinueSession(id, "two", kShortGreedy);
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_EQ(first->backend, second->backend) << id;
    endpoint_of[id] = second->backend;
  }
  // Sessions are spread (ids hash to a starting endpoint); with 6 sessions both are used.
  std::set<std::string> used;
  for (const auto& [id, endpoint] : endpoint_of) used.insert(endpoint);
  EXPECT_EQ(used.size(), 2u);

  b->Stop(SIGKILL);
  for (const auto& [id, endpoint] : endpoint_of) {
    auto turn = service.ContinueSession(id, "three", kShortGreedy);
    ASSERT_TRUE(turn.ok()) << id << ": " << turn.status();
    EXPECT_EQ(turn->backend, a->base_url()) << id;
    EXPECT_EQ(service.GetSession(id)->endpoint, a->base_url());
  }
  EXPECT_EQ(a->Stop(SIGTERM), 0);
}

TEST_F(ServiceE2eTest, WarmPrefixesAtStartAreCachedForTheFirstTurn) {
  std::unique_ptr<ServeProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  Config config = TestConfig({server->base_url()}, false);
  const std::string system = "You are a careful assistant who answers in one short sentence.";
  config.sglang.warm_prefixes = {system};
  auto created = Service::Create(config);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ((*created)->Status().prefixes_warmed, 1);
  ASSERT_TRUE((*created)->CreateSession("s", system).ok());
  auto turn = (*created)->ContinueSession("s", "Hi", kShortGreedy);
  ASSERT_TRUE(turn.ok()) << turn.status();
  EXPECT_GT(turn->cached_tokens, 0);
  EXPECT_TRUE(Has((*created)->MetricsText(), "radixlm_service_prefixes_warmed_total{backend=\"" +
                                                 server->base_url() + "\"} 1"));
  EXPECT_EQ(server->Stop(SIGTERM), 0);
}

TEST_F(ServiceE2eTest, StoredSessionsSurviveARestartOfTheService) {
  Config config = TestConfig({}, false);  // embedded engine only
  config.sessions.store_path = Path("sessions.db");
  std::string reply;
  {
    auto service = Service::Create(config);
    ASSERT_TRUE(service.ok()) << service.status();
    ASSERT_TRUE((*service)->CreateSession("kept", "sys").ok());
    auto turn = (*service)->ContinueSession("kept", "Remember me", kShortGreedy);
    ASSERT_TRUE(turn.ok()) << turn.status();
    EXPECT_EQ(turn->backend, kEmbeddedBackend);
    reply = turn->text;
  }
  auto service = Service::Create(config);
  ASSERT_TRUE(service.ok()) << service.status();
  auto session = (*service)->GetSession("kept");
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_EQ(session->turns.size(), 1u);
  EXPECT_EQ(session->turns[0].user, "Remember me");
  EXPECT_EQ(session->turns[0].assistant, reply);
  auto next = (*service)->ContinueSession("kept", "Still there?", kShortGreedy);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->turn_number, 2);
}

TEST_F(ServiceE2eTest, ConfigErrorsNameTheKey) {
  Config config = TestConfig({}, false);
  config.engine.model = Path("no-such-model");
  auto service = Service::Create(config);
  ASSERT_FALSE(service.ok());
  EXPECT_TRUE(Has(std::string(service.status().message()), "optimization.engine.model"))
      << service.status();
  std::ofstream(Path("bad.yaml")) << "optimization:\n  sessions:\n    max_sessions: -3\n";
  auto from_file = Service::CreateFromFile(Path("bad.yaml"));
  ASSERT_FALSE(from_file.ok());
  EXPECT_TRUE(Has(std::string(from_file.status().message()),
                  "bad.yaml:3: optimization.sessions.max_sessions"))
      << from_file.status();
}

TEST_F(ServiceE2eTest, ServeWithAConfigWarmsItsPrefixesAndExposesServiceMetrics) {
  const std::string system = "You are a careful assistant who answers in one short sentence.";
  std::ofstream(Path("serve.yaml")) << "optimization:\n  sglang:\n    warm_prefixes:\n      - \""
                                    << system << "\"\n      - \"You are terse.\"\n";
  std::unique_ptr<ServeProcess> server = StartServer({"--config", Path("serve.yaml")});
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(Has(server->log(), "warmed 2 of 2 prefixes")) << server->log();
  const e2e::HttpResult metrics = e2e::Http("GET", server->base_url() + "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_TRUE(Has(metrics.body, "sglang:num_requests_total")) << metrics.body;
  EXPECT_TRUE(Has(metrics.body, "radixlm_service_prefixes_warmed_total{backend=\"embedded\"} 2"))
      << metrics.body;
  // The warmed system prompt is already in the server's cache for the first chat request.
  const e2e::HttpResult chat = e2e::Http(
      "POST", server->base_url() + "/v1/chat/completions",
      nlohmann::json{{"messages", {{{"role", "system"}, {"content", system}},
                                   {{"role", "user"}, {"content", "Hi"}}}},
                     {"max_tokens", 2}}
          .dump());
  ASSERT_EQ(chat.status, 200) << chat.body;
  EXPECT_GT(chat.Json()["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>(), 0)
      << chat.body;
  EXPECT_EQ(server->Stop(SIGTERM), 0) << server->log();
}

// --- radixlm chat --config, as a process -------------------------------------------------------

struct ChatRun {
  int exit_code = -1;
  std::string output;
};

// Runs `radixlm chat <args>` with `input` on stdin; stdout and stderr together.
ChatRun RunChat(const std::string& args, const std::string& input, const std::string& dir) {
  const std::string in = dir + "/stdin.txt";
  const std::string out = dir + "/out.txt";
  std::ofstream(in) << input;
  const std::string command =
      std::string(RADIXLM_BINARY) + " chat " + args + " < " + in + " > " + out + " 2>&1";
  const int status = std::system(command.c_str());
  std::ostringstream text;
  text << std::ifstream(out).rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

std::string WriteChatConfig(const std::string& path, const std::string& endpoint, bool fallback,
                            const std::string& model, const std::string& store = "") {
  std::ofstream(path) << "optimization:\n  sglang:\n    enabled: true\n    endpoint: \"" << endpoint
                      << "\"\n    fallback_on_unavailable: " << (fallback ? "true" : "false")
                      << "\n    connect_timeout: \"2s\"\n    retry:\n      max_attempts: 1\n"
                      << "  engine:\n    model: \"" << model << "\"\n    threads: 1\n"
                      << "    max_kv_tokens: 8192\n"
                      << "  sessions:\n    store_path: \"" << store << "\"\n";
  return path;
}

TEST_F(ServiceE2eTest, ChatFallsBackWhenTheEndpointIsDownAndSaysWhichBackendServed) {
  const std::string config =
      WriteChatConfig(Path("fallback.yaml"), testing::ScriptedHttpPeer::RefusedBaseUrl(), true,
                      e2e::TinyModelDir());
  ChatRun chat = RunChat("--config " + config + " --max-tokens 4 --temperature 0",
                         "Hello\nAnd again\n", Dir());
  EXPECT_EQ(chat.exit_code, 0) << chat.output;
  EXPECT_TRUE(Has(chat.output, "served by the embedded engine (remote endpoints are down)"))
      << chat.output;
  EXPECT_TRUE(Has(chat.output, "[turn 2 · prompt ")) << chat.output;
  EXPECT_TRUE(Has(chat.output, "served by embedded]")) << chat.output;
}

TEST_F(ServiceE2eTest, ChatWithoutFallbackExitsNonZeroWithTheUnavailableMessage) {
  const std::string config =
      WriteChatConfig(Path("nofallback.yaml"), testing::ScriptedHttpPeer::RefusedBaseUrl(),
                      false, e2e::TinyModelDir());
  ChatRun chat = RunChat("--config " + config + " --max-tokens 4", "Hello\n", Dir());
  EXPECT_EQ(chat.exit_code, 1) << chat.output;
  EXPECT_TRUE(Has(chat.output, "no SGLang endpoint is reachable")) << chat.output;
  EXPECT_TRUE(Has(chat.output, "fallback_on_unavailable: true")) << chat.output;
}

// A child process whose stdin the test writes and whose output the test reads as it comes.
class ChatChild {
 public:
  ChatChild(const std::vector<std::string>& args) {
    int in[2];
    int out[2];
    EXPECT_EQ(pipe(in), 0);
    EXPECT_EQ(pipe(out), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> full = {RADIXLM_BINARY, "chat"};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : full) argv.push_back(arg.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, RADIXLM_BINARY, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~ChatChild() {
    if (stdin_ >= 0) close(stdin_);
    close(stdout_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  void Write(const std::string& text) {
    EXPECT_EQ(write(stdin_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  // Reads until the output contains `marker` (true) or the child closes it (false).
  bool ReadUntil(const std::string& marker) {
    char buffer[4096];
    while (!Has(output_, marker)) {
      const ssize_t got = read(stdout_, buffer, sizeof buffer);
      if (got <= 0) return false;
      output_.append(buffer, static_cast<std::size_t>(got));
    }
    return true;
  }
  // Whether the child is still running (not exited).
  bool Running() { return waitpid(pid_, nullptr, WNOHANG) == 0; }
  void KillHard() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string output_;
};

TEST_F(ServiceE2eTest, KillDashNineDuringATurnLosesNoCompletedTurnAndStoresNoHalfTurn) {
  // The slow model makes a long reply last seconds, so the kill lands mid-turn.
  const std::string model = e2e::SlowModelDir();
  const std::string store = Path("sessions.db");
  const std::string config = WriteChatConfig(
      Path("store.yaml"), testing::ScriptedHttpPeer::RefusedBaseUrl(), true, model, store);
  {
    ChatRun short_turns = RunChat("--config " + config + " --session kept --max-tokens 3",
                                  "first question\nsecond question\n", Dir());
    ASSERT_EQ(short_turns.exit_code, 0) << short_turns.output;
  }
  {
    ChatChild chat({"--config", config, "--session", "kept", "--max-tokens", "4000"});
    ASSERT_TRUE(chat.ReadUntil("(2 earlier turns)")) << chat.output();
    chat.Write("a question with a very long answer\n");
    ASSERT_TRUE(chat.ReadUntil("assistant> ")) << chat.output();
    ASSERT_TRUE(chat.Running()) << chat.output();
    chat.KillHard();
    EXPECT_FALSE(Has(chat.output(), "[turn 3")) << chat.output();
  }
  Config reopened = TestConfig({}, false);
  reopened.engine.model = model;
  reopened.sessions.store_path = store;
  auto service = Service::Create(reopened);
  ASSERT_TRUE(service.ok()) << service.status();
  auto session = (*service)->GetSession("kept");
  ASSERT_TRUE(session.ok()) << session.status();
  ASSERT_EQ(session->turns.size(), 2u);
  EXPECT_EQ(session->turns[0].user, "first question");
  EXPECT_EQ(session->turns[1].user, "second question");
  EXPECT_GT(session->turns[1].prompt_tokens, session->turns[0].prompt_tokens);
}

}  // namespace
}  // namespace radixlm::optimization
