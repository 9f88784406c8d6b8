#include "storage/audit_log.h"

#include "absl/strings/str_cat.h"
#include "base/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

v1::AuditEntry Entry(const std::string& household, const std::string& detail) {
  v1::AuditEntry e;
  e.set_actor("cw-017");
  e.set_action(v1::AUDIT_ACTION_FLAG_COMMENTED);
  e.set_household_id(household);
  e.set_detail(detail);
  return e;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir("audit") + "/data";
    Reopen();
  }

  void Reopen() {
    log_.reset();
    store_.reset();
    store_ = *Store::Open(dir_, StoreOptions());
    log_ = *AuditLog::Open(store_.get(), &clock_);
  }

  // Appends n entries, one commit each, alternating two households.
  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      rocksdb::WriteBatch batch;
      ASSERT_TRUE(log_->Commit({Entry(i % 2 ? "H2" : "H1",
                                      absl::StrCat("comment ", i))},
                               &batch)
                      .ok());
    }
  }

  std::string Stored(uint64_t seq) {
    return **store_->Get(Cf::kAudit, keys::AuditKey(seq));
  }
  void Overwrite(uint64_t seq, const std::string& value) {
    rocksdb::WriteBatch batch;
    batch.Put(store_->handle(Cf::kAudit), keys::AuditKey(seq), value);
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  std::string dir_;
  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, EntriesAreNumberedChainedAndVerify) {
  Append(5);
  auto entries = *log_->List(0, 100);
  ASSERT_EQ(entries.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(entries[i].seq(), i + 1);
    EXPECT_EQ(entries[i].actor(), "cw-017");
    EXPECT_TRUE(entries[i].has_at());
  }
  EXPECT_EQ(entries[0].prev_hash(), std::string(32, '\0'));
  // Each entry holds the hash of the bytes of the one before.
  for (int i = 1; i < 5; ++i) {
    EXPECT_EQ(entries[i].prev_hash(), Stored(i).substr(0, 32));
  }
  const auto v = *log_->Verify();
  EXPECT_TRUE(v.ok()) << v.problem();
  EXPECT_EQ(v.entries(), 5);
  EXPECT_EQ(v.head_hash(), Sha256::Hex(Stored(5).substr(0, 32)));
  EXPECT_EQ(log_->head_seq(), 5u);
}

TEST_F(AuditLogTest, AnEmptyChainVerifies) {
  const auto v = *log_->Verify();
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.entries(), 0);
}

TEST_F(AuditLogTest, TheChainGoesOnAfterAReopen) {
  Append(3);
  Reopen();
  EXPECT_EQ(log_->head_seq(), 3u);
  Append(2);
  const auto v = *log_->Verify();
  EXPECT_TRUE(v.ok()) << v.problem();
  EXPECT_EQ(v.entries(), 5);
}

TEST_F(AuditLogTest, EveryChangedByteIsFoundAtItsEntry) {
  Append(6);
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    const std::string original = Stored(seq);
    for (size_t pos = 0; pos < original.size(); pos += 7) {
      std::string tampered = original;
      tampered[pos] = static_cast<char>(tampered[pos] ^ 0x20);
      Overwrite(seq, tampered);
      const auto v = *log_->Verify();
      EXPECT_FALSE(v.ok()) << "byte " << pos << " of entry " << seq;
      EXPECT_EQ(v.first_broken_seq(), static_cast<int64_t>(seq))
          << "byte " << pos << ": " << v.problem();
      Overwrite(seq, original);
    }
  }
  EXPECT_TRUE(log_->Verify()->ok());
}

TEST_F(AuditLogTest, AnEntryReplacedWithItsHashRecomputedIsFound) {
  Append(4);
  for (uint64_t seq : {2u, 4u}) {
    const std::string original = Stored(seq);
    v1::AuditEntry e;
    ASSERT_TRUE(e.ParseFromString(original.substr(32)));
    e.set_detail("DISMISSED quietly");
    const std::string bytes = e.SerializeAsString();
    Overwrite(seq, Sha256::Of(bytes) + bytes);
    const auto v = *log_->Verify();
    EXPECT_FALSE(v.ok());
    EXPECT_EQ(v.first_broken_seq(), static_cast<int64_t>(seq));
    EXPECT_THAT(v.problem(), HasSubstr("replaced"));
    Overwrite(seq, original);
  }
}

TEST_F(AuditLogTest, ARemovedEntryIsFound) {
  Append(5);
  rocksdb::WriteBatch batch;
  batch.Delete(store_->handle(Cf::kAudit), keys::AuditKey(3));
  ASSERT_TRUE(store_->Write(batch).ok());
  const auto v = *log_->Verify();
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_broken_seq(), 3);
  EXPECT_THAT(v.problem(), HasSubstr("entry 3 is missing"));
}

TEST_F(AuditLogTest, CuttingTheEndOffIsFound) {
  Append(5);
  rocksdb::WriteBatch batch;
  batch.Delete(store_->handle(Cf::kAudit), keys::AuditKey(5));
  ASSERT_TRUE(store_->Write(batch).ok());
  const auto v = *log_->Verify();
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_broken_seq(), 5);
  EXPECT_THAT(v.problem(), HasSubstr("its head says entry 5"));
}

TEST_F(AuditLogTest, AHouseholdsEntriesInChainOrder) {
  Append(5);
  std::vector<std::string> details;
  ASSERT_TRUE(log_->ForHousehold("H2",
                                 [&](const v1::AuditEntry& e) {
                                   details.push_back(e.detail());
                                   return absl::OkStatus();
                                 })
                  .ok());
  EXPECT_THAT(details, ::testing::ElementsAre("comment 1", "comment 3"));
}

TEST_F(AuditLogTest, AnEntryWithoutActorIsRefusedAndNothingIsWritten) {
  Append(1);
  v1::AuditEntry e = Entry("H1", "who?");
  e.clear_actor();
  rocksdb::WriteBatch batch;
  batch.Put(store_->handle(Cf::kMeta), keys::MetaKey("probe"), "x");
  const absl::Status s = log_->Commit({e}, &batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("actor"));
  EXPECT_FALSE(store_->Get(Cf::kMeta, keys::MetaKey("probe"))->has_value());
  EXPECT_EQ(log_->head_seq(), 1u);
}

}  // namespace
}  // namespace dibao
