#include "services/upload_limits.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

class UploadLimitsTest : public ::testing::Test {
 protected:
  UploadLimitsTest() {
    options_.max_total = 3;
    options_.max_per_caller = 2;
  }
  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  UploadLimitOptions options_;
  // Admission does not touch the contexts; only the watchdog cancels.
  grpc::ServerContext contexts_[5];
};

TEST_F(UploadLimitsTest, PlacesAreCountedInAllAndPerCallerAndGivenBack) {
  UploadLimits limits(options_, &clock_);
  auto a1 = limits.Admit(&contexts_[0], "police-feed");
  auto a2 = limits.Admit(&contexts_[1], "police-feed");
  ASSERT_TRUE(a1.ok() && a2.ok());
  auto a3 = limits.Admit(&contexts_[2], "police-feed");
  EXPECT_EQ(a3.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(a3.status().message(),
              HasSubstr("feeds.max_uploads_per_caller: police-feed has 2"));

  auto b1 = limits.Admit(&contexts_[2], "labour-feed");
  ASSERT_TRUE(b1.ok());
  auto c1 = limits.Admit(&contexts_[3], "land-feed");
  EXPECT_EQ(c1.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(c1.status().message(),
              HasSubstr("feeds.max_concurrent_uploads: 3 uploads"));

  a1->reset();  // one police upload ends: its place is free for anyone
  EXPECT_TRUE(limits.Admit(&contexts_[3], "land-feed").ok());
  EXPECT_TRUE(limits.Admit(&contexts_[4], "police-feed").ok());
}

TEST_F(UploadLimitsTest, NothingExpiresWhileMessagesKeepComing) {
  options_.idle = absl::Seconds(30);
  options_.poll = absl::Milliseconds(10);
  UploadLimits limits(options_, &clock_);
  auto t = limits.Admit(&contexts_[0], "police-feed");
  ASSERT_TRUE(t.ok());
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Seconds(20));
    (*t)->Touch();
    absl::SleepFor(absl::Milliseconds(30));  // the watchdog looks meanwhile
  }
  EXPECT_EQ((*t)->Expired(), "");
}

}  // namespace
}  // namespace dibao
