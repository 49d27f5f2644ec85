#include "src/server/errors.h"

#include "gtest/gtest.h"
#include "radixlm/status.h"
#include "src/server/request_parsing.h"

namespace radixlm::server {
namespace {

TEST(HttpStatusForTest, MapsCanonicalCodes) {
  EXPECT_EQ(HttpStatusFor(absl::InvalidArgumentError("x")), 400);
  EXPECT_EQ(HttpStatusFor(absl::FailedPreconditionError("x")), 400);
  EXPECT_EQ(HttpStatusFor(absl::NotFoundError("x")), 404);
  EXPECT_EQ(HttpStatusFor(absl::ResourceExhaustedError("x")), 503);
  EXPECT_EQ(HttpStatusFor(absl::UnavailableError("x")), 503);
  EXPECT_EQ(HttpStatusFor(absl::UnauthenticatedError("x")), 401);
  EXPECT_EQ(HttpStatusFor(absl::InternalError("x")), 500);
  EXPECT_EQ(HttpStatusFor(WithHttpStatus(absl::InvalidArgumentError("x"), 413)), 413);
}

TEST(ErrorBodyTest, ValidationErrorsUseThePydanticShapeOnEveryRoute) {
  for (ErrorShape shape : {ErrorShape::kOpenAi, ErrorShape::kNative}) {
    Json body = ErrorBody(ValidationError("bad field"), shape);
    EXPECT_EQ(body["object"], "error");
    EXPECT_EQ(body["message"], "bad field");
    EXPECT_EQ(body["type"], "Bad Request");
    EXPECT_TRUE(body["param"].is_null());
    EXPECT_EQ(body["code"], 400);
  }
}

TEST(ErrorBodyTest, OpenAiValueErrorIsTopLevelBadRequestError) {
  Json body =
      ErrorBody(absl::InvalidArgumentError("Messages cannot be empty."), ErrorShape::kOpenAi);
  EXPECT_EQ(body["type"], "BadRequestError");
  EXPECT_EQ(body["message"], "Messages cannot be empty.");
  EXPECT_FALSE(body.contains("error"));
}

TEST(ErrorBodyTest, NativeValueErrorIsNestedUnderError) {
  Json body =
      ErrorBody(absl::InvalidArgumentError("input_ids cannot be empty."), ErrorShape::kNative);
  EXPECT_EQ(body, Json::parse(R"({"error":{"message":"input_ids cannot be empty."}})"));
}

TEST(ErrorBodyTest, QueueFullIs503InTheOpenAiShapeEverywhere) {
  HttpResponse response = ErrorResponse(absl::ResourceExhaustedError("The request queue is full."),
                                        ErrorShape::kNative);
  EXPECT_EQ(response.status, 503);
  Json body = Json::parse(response.body);
  EXPECT_EQ(body["type"], "503");
  EXPECT_EQ(body["code"], 503);
  EXPECT_EQ(body["message"], "The request queue is full.");
}

TEST(ErrorBodyTest, InternalErrorsSayInternalServerError) {
  Json body = ErrorBody(absl::InternalError("boom"), ErrorShape::kOpenAi);
  EXPECT_EQ(body["type"], "InternalServerError");
  EXPECT_EQ(body["message"], "Internal server error: boom");
}

TEST(StreamErrorBodyTest, WrapsTheOpenAiShapeUnderError) {
  Json body = StreamErrorBody(absl::InvalidArgumentError("too long"));
  EXPECT_EQ(body["error"]["message"], "too long");
  EXPECT_EQ(body["error"]["code"], 400);
  EXPECT_EQ(body["error"]["object"], "error");
}

TEST(IsServerFailureTest, ClientAbortsAreNotFailures) {
  EXPECT_FALSE(IsServerFailure(absl::OkStatus()));
  EXPECT_FALSE(IsServerFailure(absl::CancelledError("the request was aborted")));
  EXPECT_TRUE(IsServerFailure(absl::UnavailableError("the engine is shutting down")));
  EXPECT_TRUE(IsServerFailure(absl::ResourceExhaustedError("the KV cache ran out")));
}

TEST(DumpTest, InvalidUtf8IsReplacedNotThrown) {
  Json value = {{"text", std::string("a\xff")}};
  EXPECT_NO_THROW(Dump(value));
  EXPECT_NE(Dump(value).find("a\xef\xbf\xbd"), std::string::npos);
}

}  // namespace
}  // namespace radixlm::server
