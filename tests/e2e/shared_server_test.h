// SharedServerTest: a fixture whose tests share one `radixlm serve`, started once per test suite
// (a server start costs far more than most of the tests that use it). A suite derives from it and
// starts its server in its own SetUpTestSuite() with StartSharedServer(args).
#ifndef RADIXLM_TESTS_E2E_SHARED_SERVER_TEST_H_
#define RADIXLM_TESTS_E2E_SHARED_SERVER_TEST_H_

#include <signal.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/serve_process.h"

namespace radixlm::e2e {

class SharedServerTest : public ::testing::Test {
 protected:
  static void StartSharedServer(const std::vector<std::string>& args) {
    auto started = ServeProcess::Start(args);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = started->release();
  }
  // The suite's server must exit 0 on SIGTERM: a shutdown that fails is a failure of the suite.
  static void TearDownTestSuite() {
    if (server_ == nullptr) return;
    EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << "the suite's server did not start"; }

  // One suite runs at a time in a test process, so one pointer serves every suite.
  static inline ServeProcess* server_ = nullptr;
};

}  // namespace radixlm::e2e

#endif  // RADIXLM_TESTS_E2E_SHARED_SERVER_TEST_H_
