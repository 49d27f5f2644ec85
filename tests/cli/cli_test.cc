// The `radixlm` binary's client subcommands, run as a real process against a scripted peer.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/support/scripted_http_peer.h"
#include "tests/support/sglang_responses.h"

namespace radixlm {
namespace {

using radixlm::testing::EchoServer;
using radixlm::testing::ScriptedHttpPeer;

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

class CliTest : public ::testing::Test {
 protected:
  CliTest() : dir_(std::filesystem::temp_directory_path() / ("radixlm_cli_" + std::to_string(getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~CliTest() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  CliRun RunCli(const std::string& args, const std::string& input = "") {
    const std::string in = WriteFile("stdin.txt", input);
    const std::string out = (dir_ / "out.txt").string();
    const std::string command =
        std::string(RADIXLM_BINARY) + " " + args + " < " + in + " > " + out + " 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream stream(out);
    std::stringstream text;
    text << stream.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
  }

  std::filesystem::path dir_;
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(CliTest, HealthReportsHealthyAndUnreachableServers) {
  ScriptedHttpPeer peer;
  peer.SetHandler(EchoServer);
  CliRun healthy = RunCli("health " + peer.base_url());
  EXPECT_EQ(healthy.exit_code, 0) << healthy.output;
  EXPECT_TRUE(Has(healthy.output, "is healthy")) << healthy.output;
  CliRun down = RunCli("health " + ScriptedHttpPeer::RefusedBaseUrl());
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_TRUE(Has(down.output, "is the server running")) << down.output;
}

TEST_F(CliTest, ChatRunsAMultiTurnSessionAndShowsCachedTokens) {
  ScriptedHttpPeer peer;
  peer.SetHandler(EchoServer);
  CliRun chat = RunCli("chat --endpoint " + peer.base_url() + " --temperature 0",
                    "What is Python?\nHow do I install it?\n/history\nThanks\n");
  EXPECT_EQ(chat.exit_code, 0) << chat.output;
  EXPECT_TRUE(Has(chat.output, "echo: What is Python?")) << chat.output;
  EXPECT_TRUE(Has(chat.output, "[turn 1 · prompt ")) << chat.output;
  EXPECT_TRUE(Has(chat.output, "[turn 3 · prompt ")) << chat.output;
  EXPECT_TRUE(Has(chat.output, "cached 0 tok (0%)")) << chat.output;
  EXPECT_TRUE(Has(chat.output, "user: How do I install it?")) << chat.output;
  // /health, then three turns; /history sends nothing.
  EXPECT_EQ(peer.request_count(), 4u);
}

TEST_F(CliTest, ChatFailsClearlyWhenTheServerIsDown) {
  CliRun chat = RunCli("chat --endpoint " + ScriptedHttpPeer::RefusedBaseUrl(), "hi\n");
  EXPECT_EQ(chat.exit_code, 1);
  EXPECT_TRUE(Has(chat.output, "could not connect")) << chat.output;
}

TEST_F(CliTest, ConfigErrorsNameTheKeyAndLine) {
  const std::string config = WriteFile(
      "bad.yaml", "optimization:\n  sglang:\n    endpoint: \"http://x:1\"\n    timeout: \"12x\"\n");
  CliRun chat = RunCli("chat --config " + config, "hi\n");
  EXPECT_EQ(chat.exit_code, 2);
  EXPECT_TRUE(Has(chat.output, "bad.yaml:4: optimization.sglang.timeout")) << chat.output;
}

TEST_F(CliTest, WarmSendsEveryPrefixAndReportsCounts) {
  ScriptedHttpPeer peer;
  peer.SetHandler(EchoServer);
  const std::string file = WriteFile(
      "prefixes.yaml", "- You are a helpful coding assistant.\n- You are an expert in data science.\n");
  CliRun warm = RunCli("warm " + file + " --endpoint " + peer.base_url());
  EXPECT_EQ(warm.exit_code, 0) << warm.output;
  EXPECT_TRUE(Has(warm.output, "2 of 2 prefixes warmed")) << warm.output;
  EXPECT_TRUE(Has(warm.output, "prompt tokens")) << warm.output;
  EXPECT_EQ(peer.request_count(), 2u);
  CliRun missing = RunCli("warm " + (dir_ / "nope.yaml").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Has(missing.output, "cannot open prefix file")) << missing.output;
}

}  // namespace
}  // namespace radixlm
