// The store through power cuts. A writer process pushes feed batches (small
// ones in one write, larger ones through SST ingestion) and appends audit
// entries through a FileSystem that journals every synced length
// (tests/testing/power_cut_fs.h); at a random moment it is killed and every
// file is cut back to what had been synced: a power cut. After each cut the
// store must open and hold every batch whose receipt the writer got, with
// that receipt, and every acknowledged audit entry; a batch cut off must be
// there whole or not at all; the audit chain must verify. Counts are
// printed.
//
// The test command runs a few cuts (DIBAO_POWER_CUTS, default 8); by hand,
// DIBAO_POWER_CUTS=200 build/tests/power_cut_test.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "feeds/feed_store.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "storage/audit_log.h"
#include "tests/testing/power_cut_fs.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

constexpr int kPeople = 3000;

std::string Person(int n) {
  const std::string first17 = absl::StrFormat("4201021985%02d%02d%03d", 1,
                                              1 + (n / 1000) % 28, n % 1000);
  return first17 + ResidentIdCheckCharacter(first17);
}

// The people of batch `batch` (the writer and the checker agree on them).
std::vector<int> PeopleOf(int batch, unsigned seed) {
  std::mt19937 r(seed * 7919u + static_cast<unsigned>(batch));
  const int n = 100 + static_cast<int>(r() % 2900);
  const int first = static_cast<int>(r() % kPeople);
  std::vector<int> people;
  for (int i = 0; i < n; ++i) people.push_back((first + i) % kPeople);
  return people;
}

FakeClock& Clock() {
  static FakeClock clock(absl::FromCivil(
      absl::CivilSecond(2026, 11, 26, 2, 0, 0), BureauTimeZone()));
  return clock;
}

std::unique_ptr<FeedStore> OpenFeeds(Store* store, const std::string& dir) {
  FeedStoreOptions options;
  options.scratch_dir = dir + "/scratch";
  // Batches above 1,000 records commit through ingested SST files.
  options.sst_threshold_records = 1'000;
  return *FeedStore::Create(store, &Clock(), options);
}

// The writer, run as its own process by the test below (never on its own).
TEST(PowerCutWriter, WritesUntilKilled) {
  const char* dir_env = std::getenv("DIBAO_POWER_WRITER_DIR");
  if (dir_env == nullptr) GTEST_SKIP() << "the power-cut test runs it";
  const std::string dir = dir_env;
  const unsigned seed =
      static_cast<unsigned>(testing::EnvInt("DIBAO_POWER_SEED", 1));
  int batch = testing::EnvInt("DIBAO_POWER_FIRST_BATCH", 0);
  auto fs = std::make_shared<testing::PowerCutFs>(
      rocksdb::FileSystem::Default(), std::getenv("DIBAO_POWER_JOURNAL"));
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  const int acks = ::open(std::getenv("DIBAO_POWER_ACKS"),
                          O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  auto say = [&](const std::string& line) {
    const std::string l = line + "\n";
    ASSERT_GT(::write(acks, l.data(), l.size()), 0);
  };
  StoreOptions options;
  options.env = env.get();
  options.write_buffer_mb = 1;  // flushes and compactions under the cut
  auto store = *Store::Open(dir + "/data", options);
  auto audit = *AuditLog::Open(store.get(), &Clock());
  auto feeds = OpenFeeds(store.get(), dir);
  std::mt19937 r(seed + static_cast<unsigned>(batch));
  for (;;) {
    if (r() % 3 == 0) {
      v1::AuditEntry e;
      e.set_actor("cw-1");
      e.set_action(v1::AUDIT_ACTION_FLAG_COMMENTED);
      e.set_detail("power cut test");
      if (audit->Append(e).ok()) say("audit");
      continue;
    }
    const std::string id = absl::StrCat("B", batch);
    say(absl::StrCat("begin ", batch));
    const std::vector<int> people = PeopleOf(batch, seed);
    v1::BatchHeader h;
    h.set_agency(v1::AGENCY_PUBLIC_SECURITY);
    h.set_kind(v1::FEED_KIND_HUKOU);
    h.set_batch_id(id);
    *h.mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 25));
    h.set_mode(v1::BATCH_MODE_DELTA);
    h.set_record_count(static_cast<int64_t>(people.size()));
    auto upload = feeds->Begin(h, "police-feed");
    ASSERT_TRUE(upload.ok()) << upload.status();
    for (int n : people) {
      v1::FeedRecord rec;
      const std::string person = Person(n);
      rec.set_id_number(person);
      rec.set_name(testing::BatchName(batch));
      auto* hukou = rec.mutable_hukou();
      hukou->set_sex(person[16] % 2 ? v1::SEX_MALE : v1::SEX_FEMALE);
      *hukou->mutable_birth_date() =
          ToProto(absl::CivilDay(1985, 1, std::stoi(person.substr(12, 2))));
      hukou->set_address_code("420102");
      hukou->set_status(v1::HUKOU_STATUS_NORMAL);
      ASSERT_TRUE((*upload)->Add(rec).ok());
    }
    auto receipt = (*upload)->Commit();
    ASSERT_TRUE(receipt.ok()) << receipt.status();
    say(absl::StrCat("ack ", batch, " ", receipt->batch_seq(), " ",
                     receipt->digest()));
    ++batch;
  }
}

TEST(PowerCutTest, SyncedWritesSurviveAndNoBatchIsPartial) {
  if (std::getenv("DIBAO_POWER_WRITER_DIR") != nullptr) {
    GTEST_SKIP() << "this is the writer process";
  }
  const int cuts = testing::EnvInt("DIBAO_POWER_CUTS", 8);
  const unsigned seed = static_cast<unsigned>(testing::EnvInt(
      "DIBAO_POWER_SEED", static_cast<int>(absl::ToUnixSeconds(absl::Now()))));
  std::cout << "power cuts: " << cuts << ", seed " << seed << std::endl;
  std::mt19937 rng(seed);
  const std::string dir = testing::NewTempDir("power-cut");
  std::error_code ec;
  const std::string self =
      std::filesystem::read_symlink("/proc/self/exe", ec).string();

  struct Ack {
    int64_t seq;
    std::string digest;
  };
  std::map<int, Ack> acknowledged;
  int64_t audit_acknowledged = 0, dropped = 0, committed_unacknowledged = 0;
  int64_t absent = 0, lost = 0, partial = 0, lost_audit = 0, entries = 0;
  int next_batch = 0;
  for (int k = 0; k < cuts; ++k) {
    const std::string journal = absl::StrCat(dir, "/journal-", k);
    const std::string acks = absl::StrCat(dir, "/acks-", k);
    ::setenv("DIBAO_POWER_WRITER_DIR", dir.c_str(), 1);
    ::setenv("DIBAO_POWER_JOURNAL", journal.c_str(), 1);
    ::setenv("DIBAO_POWER_ACKS", acks.c_str(), 1);
    ::setenv("DIBAO_POWER_SEED", absl::StrCat(seed).c_str(), 1);
    ::setenv("DIBAO_POWER_FIRST_BATCH", absl::StrCat(next_batch).c_str(), 1);
    {
      testing::Process writer(
          {self, "--gtest_filter=PowerCutWriter.WritesUntilKilled"});
      absl::SleepFor(absl::Milliseconds(200 + rng() % 1000));
      writer.Signal(SIGKILL);
      writer.Wait();
    }
    ::unsetenv("DIBAO_POWER_WRITER_DIR");
    auto cut = testing::CutToSynced(journal);
    ASSERT_TRUE(cut.ok()) << cut.status();
    dropped += *cut;

    // What the writer was told.
    std::vector<int> in_doubt;
    std::ifstream in(acks);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string verb;
      int batch = 0;
      words >> verb >> batch;
      if (verb == "audit") {
        ++audit_acknowledged;
      } else if (verb == "begin") {
        in_doubt.push_back(batch);
        next_batch = batch + 1;
      } else if (verb == "ack") {
        Ack a;
        words >> a.seq >> a.digest;
        acknowledged[batch] = a;
        in_doubt.erase(std::remove(in_doubt.begin(), in_doubt.end(), batch),
                       in_doubt.end());
      }
    }

    // The store after the cut.
    auto store = Store::Open(dir + "/data", StoreOptions());
    ASSERT_TRUE(store.ok()) << "after cut " << k << ": " << store.status();
    auto audit = *AuditLog::Open(store->get(), &Clock());
    auto feeds = OpenFeeds(store->get(), dir);
    for (const auto& [batch, ack] : acknowledged) {
      auto stored = feeds->FindBatch(absl::StrCat("B", batch));
      ASSERT_TRUE(stored.ok()) << stored.status();
      if (!stored->has_value() || (*stored)->batch_seq() != ack.seq ||
          (*stored)->digest() != ack.digest) {
        ++lost;
        ADD_FAILURE() << "acknowledged batch B" << batch
                      << " is gone or changed after cut " << k;
      }
    }
    for (int batch : in_doubt) {
      const std::string id = absl::StrCat("B", batch);
      auto stored = feeds->FindBatch(id);
      ASSERT_TRUE(stored.ok()) << stored.status();
      const bool committed = stored->has_value();
      const std::vector<int> people = PeopleOf(batch, seed);
      int naming = 0, sampled = 0;
      for (size_t i = 0; i < people.size(); i += 53, ++sampled) {
        auto versions = feeds->PersonFacts(Person(people[i]));
        ASSERT_TRUE(versions.ok()) << versions.status();
        for (const v1::FactVersion& v : *versions) {
          if (v.batch_id() == id) {
            ++naming;
            break;
          }
        }
      }
      if (naming != (committed ? sampled : 0)) {
        ++partial;
        ADD_FAILURE() << "batch " << id
                      << (committed ? " committed" : " absent") << " but "
                      << naming << " of " << sampled
                      << " sampled people have its facts";
      }
      if (committed) {
        ++committed_unacknowledged;
        acknowledged[batch] = {(*stored)->batch_seq(), (*stored)->digest()};
      } else {
        ++absent;
      }
    }
    auto verified = audit->Verify();
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_TRUE(verified->ok()) << verified->problem();
    entries = verified->entries();
    if (entries < audit_acknowledged) {
      ++lost_audit;
      ADD_FAILURE() << "after cut " << k << " the chain has " << entries
                    << " entries, " << audit_acknowledged
                    << " were acknowledged";
    }
    // Entries the writer appended but never heard back about count from
    // here on as acknowledged: the next cut must keep them too.
    audit_acknowledged = entries;
    feeds.reset();
    audit.reset();
    ASSERT_TRUE((*store)->Close().ok());
  }
  std::cout << "power cuts: " << cuts
            << "; acknowledged: " << acknowledged.size() << " batches ("
            << committed_unacknowledged
            << " committed as the power went, their receipts never given), "
            << audit_acknowledged << " audit entries; " << absent
            << " batches cut off and absent; " << dropped
            << " unsynced bytes dropped; lost batches " << lost
            << ", partial batches " << partial << ", lost audit entries "
            << lost_audit << "; audit chain verifies, " << entries << " entries"
            << std::endl;
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(partial, 0);
  EXPECT_EQ(lost_audit, 0);
  EXPECT_GT(acknowledged.size(), 0u);
}

}  // namespace
}  // namespace dibao
