#include "storage/backups.h"

#include <atomic>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kWritten[] = "test_written";

class BackupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::NewTempDir("backups");
    Open(StoreOptions());
  }

  void Open(const StoreOptions& options) {
    backups_.reset();
    audit_.reset();
    store_.reset();
    auto store = Store::Open(root_ + "/data", options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    audit_ = *AuditLog::Open(store_.get(), &clock_);
    auto backups = StoreBackups::Open(store_.get(), audit_.get(), &clock_,
                                      {root_ + "/backups", 2});
    ASSERT_TRUE(backups.ok()) << backups.status();
    backups_ = *std::move(backups);
  }

  // One logical change as the services make them: a household key, the
  // count of changes so far, and its audit entry, in one write.
  void Change(uint64_t n) {
    rocksdb::WriteBatch batch;
    batch.Put(store_->handle(Cf::kHouseholds), absl::StrFormat("H%08d", n),
              std::string(200, 'x'));
    std::string count;
    keys::PutFixed64(&count, n);
    batch.Put(store_->handle(Cf::kMeta), keys::MetaKey(kWritten), count);
    v1::AuditEntry entry;
    entry.set_actor("cw-1");
    entry.set_action(v1::AUDIT_ACTION_REGISTRY_CHANGE);
    entry.set_household_id(absl::StrFormat("H%08d", n));
    ASSERT_TRUE(audit_->Commit({entry}, &batch).ok());
  }

  std::string root_;
  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<StoreBackups> backups_;
};

TEST_F(BackupsTest, RestoredStoreEqualsTheSourceAndItsChainVerifies) {
  for (uint64_t n = 1; n <= 300; ++n) Change(n);
  const std::string before = *StateDigest(*store_);

  auto made = backups_->Create("operator-1");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->backup().backup_id(), 1u);
  EXPECT_EQ(made->backup().taken_by(), "operator-1");
  EXPECT_EQ(made->backup().audit_seq_at_least(), 300);
  EXPECT_GT(made->backup().size_bytes(), 0);
  EXPECT_GT(made->new_bytes(), 0);
  // The backup is on the chain, after the state it saved.
  auto last = *audit_->List(300, 10);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].action(), v1::AUDIT_ACTION_BACKUP_CREATED);
  EXPECT_EQ(last[0].actor(), "operator-1");

  auto restored = RestoreBackup(root_ + "/backups", 0, root_ + "/restored", "");
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->backup_id(), 1u);
  EXPECT_EQ(restored->taken_by(), "operator-1");
  auto copy = *Store::Open(root_ + "/restored", StoreOptions());
  EXPECT_EQ(*StateDigest(*copy), before);
  auto copy_audit = *AuditLog::Open(copy.get(), &clock_);
  const v1::AuditVerification v = *copy_audit->Verify();
  EXPECT_TRUE(v.ok()) << v.problem();
  EXPECT_EQ(v.entries(), 300);
}

TEST_F(BackupsTest, BackupWhileWritesGoOnHoldsEveryChangeBeforeOneMoment) {
  for (uint64_t n = 1; n <= 100; ++n) Change(n);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> written{100};
  std::thread writer([&] {
    while (!stop.load()) {
      Change(written.load() + 1);
      written.fetch_add(1);
    }
  });
  auto made = backups_->Create("operator-1");
  // Let the writer run past the backup, then stop it.
  const uint64_t at_end = written.load();
  while (written.load() < at_end + 50) std::this_thread::yield();
  stop = true;
  writer.join();
  ASSERT_TRUE(made.ok()) << made.status();

  ASSERT_TRUE(
      RestoreBackup(root_ + "/backups", 0, root_ + "/restored", "").ok());
  auto copy = *Store::Open(root_ + "/restored", StoreOptions());
  auto count = *copy->GetCounter(kWritten);
  EXPECT_GE(count, 100u);
  EXPECT_LT(count, written.load());
  // Every change up to the count is whole, none after it is there.
  int households = 0;
  auto it = copy->NewIterator(Cf::kHouseholds);
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++households;
  EXPECT_EQ(households, static_cast<int>(count));
  auto copy_audit = *AuditLog::Open(copy.get(), &clock_);
  const v1::AuditVerification v = *copy_audit->Verify();
  EXPECT_TRUE(v.ok()) << v.problem();
  EXPECT_EQ(v.entries(), static_cast<int64_t>(count));
  EXPECT_GE(count, static_cast<uint64_t>(made->backup().audit_seq_at_least()));
}

TEST_F(BackupsTest, KeepsTheNewestAndListsThem) {
  for (int i = 1; i <= 3; ++i) {
    Change(i);
    auto made = backups_->Create("operator-1");
    ASSERT_TRUE(made.ok()) << made.status();
    if (i == 3) {
      EXPECT_THAT(made->purged_ids(), ElementsAre(1u));
    } else {
      EXPECT_TRUE(made->purged_ids().empty());
    }
  }
  auto list = *backups_->List();
  ASSERT_EQ(list.backups_size(), 2);
  EXPECT_EQ(list.backups(0).backup_id(), 2u);
  EXPECT_EQ(list.backups(1).backup_id(), 3u);
  EXPECT_EQ(list.keep(), 2);
  // Backup 2 holds the first two changes, 3 all three.
  ASSERT_TRUE(RestoreBackup(root_ + "/backups", 2, root_ + "/two", "").ok());
  EXPECT_EQ(
      *(*Store::Open(root_ + "/two", StoreOptions()))->GetCounter(kWritten),
      2u);
  auto gone = RestoreBackup(root_ + "/backups", 1, root_ + "/one", "");
  EXPECT_TRUE(absl::IsNotFound(gone.status())) << gone.status();
  EXPECT_THAT(gone.status().message(), HasSubstr("it has 2 to 3"));
}

TEST_F(BackupsTest, RestoreRefusesADirectoryThatIsNotEmpty) {
  Change(1);
  ASSERT_TRUE(backups_->Create("operator-1").ok());
  std::filesystem::create_directories(root_ + "/busy");
  testing::WriteFile(root_ + "/busy/CURRENT", "x");
  auto refused = RestoreBackup(root_ + "/backups", 0, root_ + "/busy", "");
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
  EXPECT_THAT(refused.status().message(), HasSubstr("is not empty"));
  EXPECT_TRUE(absl::IsNotFound(
      RestoreBackup(root_ + "/nowhere", 0, root_ + "/new", "").status()));
}

TEST_F(BackupsTest, BackupDirectoryMustBeApartFromTheData) {
  for (const std::string& dir : {root_ + "/data/backups", root_}) {
    auto refused =
        StoreBackups::Open(store_.get(), audit_.get(), &clock_, {dir, 7});
    EXPECT_TRUE(absl::IsInvalidArgument(refused.status())) << dir;
    EXPECT_THAT(refused.status().message(), HasSubstr("must be apart"));
  }
  EXPECT_FALSE(
      StoreBackups::Open(store_.get(), audit_.get(), &clock_, {root_ + "/b", 0})
          .ok());
}

TEST_F(BackupsTest, EncryptedStoreHasEncryptedBackupsThatNeedItsKey) {
  const std::string key(32, '\x5a');
  StoreOptions options;
  options.encryption_key = key;
  root_ = testing::NewTempDir("backups_enc");
  Open(options);
  for (uint64_t n = 1; n <= 50; ++n) Change(n);
  const std::string before = *StateDigest(*store_);
  ASSERT_TRUE(backups_->Create("operator-1").ok());

  auto without = RestoreBackup(root_ + "/backups", 0, root_ + "/r1", "");
  EXPECT_FALSE(without.ok());
  EXPECT_TRUE(!std::filesystem::exists(root_ + "/r1") ||
              std::filesystem::is_empty(root_ + "/r1"));
  auto wrong = RestoreBackup(root_ + "/backups", 0, root_ + "/r2",
                             std::string(32, '\x11'));
  EXPECT_FALSE(wrong.ok());

  auto restored = RestoreBackup(root_ + "/backups", 0, root_ + "/r3", key);
  ASSERT_TRUE(restored.ok()) << restored.status();
  auto copy = *Store::Open(root_ + "/r3", options);
  EXPECT_EQ(*StateDigest(*copy), before);
  // Without the key the restored store does not open either.
  copy.reset();
  EXPECT_FALSE(Store::Open(root_ + "/r3", StoreOptions()).ok());
}

}  // namespace
}  // namespace dibao
