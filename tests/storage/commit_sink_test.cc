#include "storage/commit_sink.h"

#include <filesystem>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

class CommitSinkTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir("sink");
    StoreOptions so;
    so.sync_writes = false;
    store_ = *Store::Open(dir_ + "/data", so);
  }
  std::string Scratch() const { return GetParam() ? dir_ + "/sst" : ""; }
  std::optional<std::string> Get(Cf cf, const std::string& key) {
    return *store_->Get(cf, key);
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(CommitSinkTest, NothingIsVisibleBeforeCommitAndAllOfItAfter) {
  {
    CommitSink sink(store_.get(), Scratch(), {Cf::kFacts});
    sink.Put(Cf::kMeta, "m", "counter");
    // Enough entries for several blocks handed to the file's thread.
    for (int i = 0; i < 100'000; ++i) {
      sink.Put(Cf::kFacts, absl::StrFormat("k%08d", i), std::string(40, 'v'));
    }
    EXPECT_FALSE(Get(Cf::kFacts, "k00000000").has_value());
    ASSERT_TRUE(sink.Commit().ok());
  }
  EXPECT_EQ(Get(Cf::kMeta, "m"), "counter");
  EXPECT_EQ(Get(Cf::kFacts, "k00099999"), std::string(40, 'v'));
  {
    CommitSink sink(store_.get(), Scratch(), {Cf::kFacts});
    sink.Delete(Cf::kFacts, "k00000001");
    ASSERT_TRUE(sink.Commit().ok());
  }
  EXPECT_FALSE(Get(Cf::kFacts, "k00000001").has_value());
  EXPECT_TRUE(Get(Cf::kFacts, "k00000002").has_value());
}

TEST_P(CommitSinkTest, AbandonedSinkLeavesNoTraceAndNoFiles) {
  {
    CommitSink sink(store_.get(), Scratch(), {Cf::kFacts});
    for (int i = 0; i < 50'000; ++i) {
      sink.Put(Cf::kFacts, absl::StrFormat("k%08d", i), "v");
    }
  }
  EXPECT_FALSE(Get(Cf::kFacts, "k00000000").has_value());
  if (GetParam()) {
    EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/sst"));
  }
}

TEST(CommitSinkSstTest, KeysOutOfOrderFailTheCommit) {
  const std::string dir = testing::NewTempDir("sink-order");
  StoreOptions so;
  so.sync_writes = false;
  auto store = *Store::Open(dir + "/data", so);
  CommitSink sink(store.get(), dir + "/sst", {Cf::kFacts});
  sink.Put(Cf::kFacts, "b", "1");
  sink.Put(Cf::kFacts, "a", "2");
  const absl::Status s = sink.Commit();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_FALSE(store->Get(Cf::kFacts, "b")->has_value());
}

INSTANTIATE_TEST_SUITE_P(Paths, CommitSinkTest, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "Sst" : "WriteBatch";
                         });

}  // namespace
}  // namespace dibao
