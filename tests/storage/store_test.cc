#include "storage/store.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

StoreOptions TestOptions() {
  StoreOptions o;
  o.sync_writes = false;  // durability is not what these tests check
  return o;
}

TEST(StoreTest, OpensCreatesAndReopens) {
  const std::string dir = testing::NewTempDir("store");
  {
    auto store = Store::Open(dir, TestOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    rocksdb::WriteBatch batch;
    batch.Put((*store)->handle(Cf::kHouseholds), "k", "v");
    ASSERT_TRUE((*store)->Write(batch).ok());
  }
  auto store = Store::Open(dir, TestOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  auto v = (*store)->Get(Cf::kHouseholds, "k");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, "v");
  auto missing = (*store)->Get(Cf::kHouseholds, "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(StoreTest, OpeningRestrictsTheDirectoryToItsOwner) {
  namespace fs = std::filesystem;
  const std::string dir = testing::NewTempDir("store");
  fs::create_directories(dir + "/sub");
  testing::WriteFile(dir + "/sub/file", "x");
  fs::permissions(dir, fs::perms(0755), fs::perm_options::replace);
  fs::permissions(dir + "/sub", fs::perms(0775), fs::perm_options::replace);
  fs::permissions(dir + "/sub/file", fs::perms(0664),
                  fs::perm_options::replace);
  auto store = Store::Open(dir, TestOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(fs::status(dir).permissions(), fs::perms(0700));
  EXPECT_EQ(fs::status(dir + "/sub").permissions(), fs::perms(0700));
  EXPECT_EQ(fs::status(dir + "/sub/file").permissions(), fs::perms(0600));
  EXPECT_EQ(fs::status(dir + "/dibao.lock").permissions(), fs::perms(0600));
}

TEST(StoreTest, BatchIsAtomicAcrossColumnFamilies) {
  const std::string dir = testing::NewTempDir("store");
  auto store = Store::Open(dir, TestOptions());
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  rocksdb::WriteBatch batch;
  batch.Put(s.handle(Cf::kHouseholds), "h", "1");
  batch.Put(s.handle(Cf::kMemberIndex), "m", "h");
  batch.Put(s.handle(Cf::kHouseholdHistory), "v", "x");
  // Before the write, none is visible.
  EXPECT_FALSE(s.Get(Cf::kHouseholds, "h")->has_value());
  // A snapshot taken before sees none of it after.
  Store::Snapshot before(s);
  ASSERT_TRUE(s.Write(batch).ok());
  EXPECT_TRUE(s.Get(Cf::kHouseholds, "h")->has_value());
  EXPECT_TRUE(s.Get(Cf::kMemberIndex, "m")->has_value());
  EXPECT_TRUE(s.Get(Cf::kHouseholdHistory, "v")->has_value());
  EXPECT_FALSE(s.Get(Cf::kHouseholds, "h", before.get())->has_value());
  EXPECT_FALSE(s.Get(Cf::kMemberIndex, "m", before.get())->has_value());
}

TEST(StoreTest, SecondOpenOfTheSameDirectoryIsRefused) {
  const std::string dir = testing::NewTempDir("store");
  auto first = Store::Open(dir, TestOptions());
  ASSERT_TRUE(first.ok());
  auto second = Store::Open(dir, TestOptions());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(),
              HasSubstr("is in use by another process"));
  EXPECT_THAT(second.status().message(), HasSubstr("pid"));
  // Released on close.
  ASSERT_TRUE((*first)->Close().ok());
  EXPECT_TRUE(Store::Open(dir, TestOptions()).ok());
}

TEST(StoreTest, NewerSchemaVersionIsRefused) {
  const std::string dir = testing::NewTempDir("store");
  {
    auto store = Store::Open(dir, TestOptions());
    ASSERT_TRUE(store.ok());
    std::string v;
    keys::PutFixed32(&v, kSchemaVersion + 1);
    rocksdb::WriteBatch batch;
    batch.Put((*store)->handle(Cf::kMeta), keys::MetaKey("schema_version"), v);
    ASSERT_TRUE((*store)->Write(batch).ok());
  }
  auto store = Store::Open(dir, TestOptions());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      store.status().message(),
      HasSubstr("has schema version 2 but this build understands up to 1"));
}

TEST(StoreTest, MissingDirectoryWithoutCreateIsNotFound) {
  StoreOptions o = TestOptions();
  o.create_if_missing = false;
  auto store = Store::Open(testing::NewTempDir("store") + "/absent", o);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kNotFound);
}

TEST(StoreTest, UnwritableDirectoryIsAClearError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can write anywhere";
  const std::string dir = testing::NewTempDir("store");
  std::filesystem::permissions(dir, std::filesystem::perms::owner_read);
  auto store = Store::Open(dir, TestOptions());
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr(dir));
}

TEST(StoreTest, ClosedStoreRefusesWork) {
  auto store = Store::Open(testing::NewTempDir("store"), TestOptions());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Close().ok());
  rocksdb::WriteBatch batch;
  EXPECT_EQ((*store)->Write(batch).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->Get(Cf::kMeta, "x").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace dibao
