#include "src/client/http_error.h"

#include "gtest/gtest.h"
#include "radixlm/status.h"

namespace radixlm::sglang::internal {
namespace {

TEST(HttpErrorTest, ReadsEverySglangErrorShape) {
  EXPECT_EQ(ServerErrorMessage(
                R"({"object":"error","message":"Messages cannot be empty.","type":"BadRequest","param":null,"code":400})"),
            "Messages cannot be empty.");
  EXPECT_EQ(ServerErrorMessage(R"({"error":{"message":"Invalid request session id"}})"),
            "Invalid request session id");
  EXPECT_EQ(ServerErrorMessage(R"({"error":"Unauthorized"})"), "Unauthorized");
  EXPECT_EQ(ServerErrorMessage(R"({"detail":"Not Found"})"), "Not Found");
  EXPECT_EQ(ServerErrorMessage("Flush cache failed.\n"), "Flush cache failed.");
  EXPECT_EQ(ServerErrorMessage(std::string(5000, 'x')).size(), 512u + 16u);
}

TEST(HttpErrorTest, MapsStatusCodesAndKeepsTheHttpStatus) {
  struct Case {
    int http;
    absl::StatusCode code;
  };
  for (const Case& c : {Case{400, absl::StatusCode::kInvalidArgument},
                        Case{401, absl::StatusCode::kUnauthenticated},
                        Case{403, absl::StatusCode::kPermissionDenied},
                        Case{404, absl::StatusCode::kNotFound},
                        Case{429, absl::StatusCode::kResourceExhausted},
                        Case{500, absl::StatusCode::kInternal},
                        Case{503, absl::StatusCode::kUnavailable}}) {
    absl::Status status = StatusFromHttpError(c.http, R"({"error":{"message":"why"}})", "GET /x");
    EXPECT_EQ(status.code(), c.code) << c.http;
    EXPECT_EQ(HttpStatusOf(status), c.http);
    EXPECT_NE(status.message().find("why"), absl::string_view::npos);
    EXPECT_NE(status.message().find("GET /x"), absl::string_view::npos);
  }
}

}  // namespace
}  // namespace radixlm::sglang::internal
