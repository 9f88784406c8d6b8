// A request that is not its protobuf message, over the real TLS listener.
#include "services/malformed_requests.h"

#include <grpcpp/generic/generic_stub.h>

#include "absl/synchronization/notification.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

class MalformedRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    const std::string dir = testing::NewTempDir("malformed");
    testing::UseTestAccess(&options, dir);
    options.listen = "127.0.0.1:0";
    options.data_dir = dir + "/data";
    auto server = Server::Start(options, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = testing::ChannelAs(server_->address(), "auditor-1");
  }

  // Sends `bytes` as the request of `method` and returns the status.
  grpc::Status Send(const std::string& method, const std::string& bytes) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::Status status;
    absl::Notification done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    return status;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(MalformedRequestsTest, GarbageIsInvalidArgumentNamingTheMessage) {
  // A field tag with wire type 7 (which does not exist), then noise.
  const grpc::Status s =
      Send("/dibao.v1.FeedService/ListBatches", std::string("\x0f\xff\xff\x01"
                                                            "garbage",
                                                            11));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_message();
  EXPECT_THAT(s.error_message(),
              HasSubstr("/dibao.v1.FeedService/ListBatches"));
  EXPECT_THAT(s.error_message(), HasSubstr("dibao.v1.ListBatchesRequest"));
  // A truncated message (a string field announcing 100 bytes, holding 3).
  const grpc::Status t =
      Send("/dibao.v1.AuditService/ListAudit", std::string("\x0a\x64"
                                                           "abc",
                                                           5));
  EXPECT_EQ(t.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << t.error_message();
  EXPECT_THAT(t.error_message(), HasSubstr("dibao.v1.ListAuditRequest"));
}

TEST_F(MalformedRequestsTest, AWellFormedRequestIsUntouched) {
  v1::ListBatchesRequest request;
  request.set_limit(5);
  const grpc::Status s =
      Send("/dibao.v1.FeedService/ListBatches", request.SerializeAsString());
  EXPECT_TRUE(s.ok()) << s.error_message();
  // The service's own refusals keep their code.
  const grpc::Status denied = Send("/dibao.v1.FeedService/Upload", "");
  EXPECT_NE(denied.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace dibao
