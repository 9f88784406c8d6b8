#include "feeds/feed_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registry.h"
#include "storage/keys.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

std::string Id(const std::string& first17) {
  return first17 + ResidentIdCheckCharacter(first17);
}

v1::FeedRecord Job(const std::string& id, const std::string& employer,
                   int64_t wage,
                   absl::CivilDay start = absl::CivilDay(2026, 3, 1)) {
  v1::FeedRecord r;
  r.set_id_number(id);
  r.set_name("某人");
  auto* e = r.mutable_employment();
  e->set_employer_code(employer);
  *e->mutable_start_date() = ToProto(start);
  e->set_monthly_wage_fen(wage);
  return r;
}

v1::BatchHeader Header(const std::string& batch_id, v1::BatchMode mode,
                       int64_t count,
                       absl::CivilDay as_of = absl::CivilDay(2026, 11, 20)) {
  v1::BatchHeader h;
  h.set_agency(v1::AGENCY_LABOUR);
  h.set_kind(v1::FEED_KIND_EMPLOYMENT);
  h.set_batch_id(batch_id);
  h.set_mode(mode);
  h.set_record_count(count);
  *h.mutable_as_of() = ToProto(as_of);
  return h;
}

// Each case runs with both commit paths: WriteBatch, and SST ingestion.
class FeedStoreTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir("feeds");
    StoreOptions so;
    so.sync_writes = false;
    store_ = *Store::Open(dir_ + "/data", so);
    FeedStoreOptions fo;
    fo.scratch_dir = dir_ + "/scratch";
    fo.sort_memory_bytes = 2048;  // many sorted runs even for small batches
    fo.sst_threshold_records = GetParam() ? 0 : 1'000'000;
    feeds_ = *FeedStore::Create(store_.get(), &clock_, fo);
  }

  absl::StatusOr<v1::Receipt> Push(const v1::BatchHeader& header,
                                   const std::vector<v1::FeedRecord>& records) {
    auto upload = feeds_->Begin(header, "labour-system");
    if (!upload.ok()) return upload.status();
    for (const auto& r : records) {
      absl::Status s = (*upload)->Add(v1::FeedRecord(r));
      if (!s.ok()) return s;
    }
    return (*upload)->Commit();
  }

  // As the gRPC service does: records in chunks, staged in parallel.
  absl::StatusOr<v1::Receipt> PushChunked(
      const v1::BatchHeader& header, const std::vector<v1::FeedRecord>& records,
      size_t chunk_size) {
    auto upload = feeds_->Begin(header, "labour-system");
    if (!upload.ok()) return upload.status();
    for (size_t i = 0; i < records.size(); i += chunk_size) {
      std::unique_ptr<FeedChunk> chunk = (*upload)->NewChunk();
      auto* out = chunk->message()->mutable_records();
      for (size_t j = i; j < std::min(records.size(), i + chunk_size); ++j) {
        *out->add_records() = records[j];
      }
      absl::Status s = (*upload)->AddChunk(std::move(chunk));
      if (!s.ok()) return s;
    }
    return (*upload)->Commit();
  }

  std::vector<v1::FactVersion> Facts(const std::string& id) {
    auto facts = feeds_->PersonFacts(id);
    EXPECT_TRUE(facts.ok()) << facts.status();
    return facts.ok() ? *facts : std::vector<v1::FactVersion>{};
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 26, 2, 0, 0),
                                   BureauTimeZone())};
  std::string dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<FeedStore> feeds_;
  const std::string a_ = Id("42010219900307451");
  const std::string b_ = Id("42010219900307452");
  const std::string c_ = Id("42010219800101123");
};

TEST_P(FeedStoreTest, DeltaUpsertsByNaturalKey) {
  auto first = Push(
      Header("L-1", v1::BATCH_MODE_DELTA, 3),
      {Job(a_, "E1", 300000), Job(b_, "E1", 250000), Job(a_, "E2", 100000)});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->accepted(), 3);
  EXPECT_EQ(first->batch_seq(), 1);
  EXPECT_EQ(first->persons_marked(), 2);
  EXPECT_EQ(first->digest().size(), 64u);

  // Same facts again (another batch), one wage changed.
  auto second = Push(Header("L-2", v1::BATCH_MODE_DELTA, 2),
                     {Job(a_, "E1", 300000), Job(b_, "E1", 260000)});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->accepted(), 1);
  EXPECT_EQ(second->unchanged(), 1);
  EXPECT_EQ(second->retired(), 0);

  auto facts = Facts(b_);
  ASSERT_EQ(facts.size(), 2u);  // two versions of one fact, oldest first
  EXPECT_EQ(facts[0].record().employment().monthly_wage_fen(), 250000);
  EXPECT_EQ(facts[0].batch_id(), "L-1");
  EXPECT_EQ(facts[1].record().employment().monthly_wage_fen(), 260000);
  EXPECT_EQ(facts[1].batch_id(), "L-2");
  EXPECT_EQ(Facts(a_).size(), 2u);  // E1 and E2, one version each
}

TEST_P(FeedStoreTest, SnapshotRetiresWhatItNoLongerHolds) {
  ASSERT_TRUE(
      Push(Header("S-1", v1::BATCH_MODE_SNAPSHOT, 3,
                  absl::CivilDay(2026, 11, 1)),
           {Job(a_, "E1", 300000), Job(b_, "E1", 250000), Job(c_, "E9", 90000)})
          .ok());
  auto second = Push(
      Header("S-2", v1::BATCH_MODE_SNAPSHOT, 1, absl::CivilDay(2026, 11, 20)),
      {Job(b_, "E1", 250000)});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->unchanged(), 1);
  EXPECT_EQ(second->retired(), 2);
  EXPECT_EQ(second->accepted(), 0);

  auto facts = Facts(a_);
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_FALSE(facts[0].retired());
  EXPECT_EQ(FormatDate(facts[0].as_of()), "2026-11-01");
  EXPECT_TRUE(facts[1].retired());  // kept, with the day it ended
  EXPECT_EQ(FormatDate(facts[1].as_of()), "2026-11-20");
  EXPECT_EQ(facts[1].batch_id(), "S-2");

  auto timeline = feeds_->PersonTimeline(a_);
  ASSERT_TRUE(timeline.ok());
  ASSERT_EQ(timeline->size(), 1u);
  EXPECT_EQ((*timeline)[0].agency(), v1::AGENCY_LABOUR);
  EXPECT_EQ(FormatDate((*timeline)[0].valid_from()), "2026-11-01");
  EXPECT_EQ(FormatDate((*timeline)[0].valid_to()), "2026-11-20");
  EXPECT_EQ((*timeline)[0].ended_by_batch(), "S-2");
  auto current = feeds_->PersonTimeline(b_);
  ASSERT_EQ(current->size(), 1u);
  EXPECT_FALSE((*current)[0].has_valid_to());

  // A later snapshot bringing it back starts a new version.
  auto third = Push(Header("S-3", v1::BATCH_MODE_SNAPSHOT, 2),
                    {Job(a_, "E1", 300000), Job(b_, "E1", 250000)});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->accepted(), 1);
  EXPECT_EQ(third->retired(), 0);
  EXPECT_EQ(Facts(a_).size(), 3u);
}

TEST_P(FeedStoreTest, ReplayReturnsTheOriginalReceiptAndChangesNothing) {
  const auto header = Header("L-1", v1::BATCH_MODE_DELTA, 2);
  const std::vector<v1::FeedRecord> records = {Job(a_, "E1", 300000),
                                               Job(b_, "E1", 250000)};
  auto first = Push(header, records);
  ASSERT_TRUE(first.ok());
  auto again = Push(header, records);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed());
  EXPECT_EQ(again->batch_seq(), first->batch_seq());
  EXPECT_EQ(again->digest(), first->digest());
  EXPECT_EQ(again->accepted(), 2);
  EXPECT_EQ(Facts(a_).size(), 1u);
  EXPECT_EQ(feeds_->ListBatches(v1::AGENCY_UNSPECIFIED, 10)->size(), 1u);
}

TEST_P(FeedStoreTest, SameBatchIdWithOtherContentIsRefused) {
  ASSERT_TRUE(
      Push(Header("L-1", v1::BATCH_MODE_DELTA, 1), {Job(a_, "E1", 300000)})
          .ok());
  auto changed =
      Push(Header("L-1", v1::BATCH_MODE_DELTA, 1), {Job(a_, "E1", 999999)});
  EXPECT_EQ(changed.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(changed.status().message(), HasSubstr("different content"));
  auto other_header =
      Push(Header("L-1", v1::BATCH_MODE_SNAPSHOT, 1), {Job(a_, "E1", 300000)});
  EXPECT_EQ(other_header.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Facts(a_)[0].record().employment().monthly_wage_fen(), 300000);
}

TEST_P(FeedStoreTest, AbandonedOrMiscountedUploadLeavesNoTrace) {
  {
    auto upload = feeds_->Begin(Header("L-1", v1::BATCH_MODE_DELTA, 3), "x");
    ASSERT_TRUE(upload.ok());
    ASSERT_TRUE((*upload)->Add(Job(a_, "E1", 300000)).ok());
    // The stream breaks: the upload is dropped without Commit().
  }
  auto short_count =
      Push(Header("L-2", v1::BATCH_MODE_DELTA, 3), {Job(a_, "E1", 300000)});
  EXPECT_EQ(short_count.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(short_count.status().message(),
              HasSubstr("announced 3 records but the stream carried 1"));
  auto upload = feeds_->Begin(Header("L-3", v1::BATCH_MODE_DELTA, 1), "x");
  ASSERT_TRUE((*upload)->Add(Job(a_, "E1", 1)).ok());
  EXPECT_EQ((*upload)->Add(Job(a_, "E1", 1)).code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_TRUE(Facts(a_).empty());
  EXPECT_TRUE(feeds_->ListBatches(v1::AGENCY_UNSPECIFIED, 10)->empty());
  EXPECT_FALSE(feeds_->FindBatch("L-1")->has_value());
}

TEST_P(FeedStoreTest, RejectsAreListedAndDirtyIdsNormalised) {
  v1::FeedRecord bad_id = Job("420102199003074514", "E1", 1);
  bad_id.set_source_line(3);
  v1::FeedRecord bad_wage = Job(b_, "E1", -1);
  v1::FeedRecord spaced = Job("420102 900307 451", "E1", 300000);  // a_
  auto receipt =
      Push(Header("L-1", v1::BATCH_MODE_DELTA, 3), {bad_id, bad_wage, spaced});
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->accepted(), 1);
  EXPECT_EQ(receipt->rejected(), 2);
  ASSERT_EQ(receipt->rejections_size(), 2);
  EXPECT_EQ(receipt->rejections(0).position(), 1);
  EXPECT_EQ(receipt->rejections(0).source_line(), 3);
  EXPECT_EQ(receipt->rejections(0).field(), "id_number");
  EXPECT_EQ(receipt->rejections(0).reason(),
            "check character is 4, expected 3");
  EXPECT_EQ(receipt->rejections(0).id_number_masked(), "420102********4514");
  EXPECT_EQ(receipt->rejections(1).position(), 2);
  EXPECT_EQ(receipt->rejections(1).field(), "monthly_wage_fen");

  std::vector<v1::RecordRejection> all;
  ASSERT_TRUE(feeds_
                  ->ForEachRejection("L-1",
                                     [&](const v1::RecordRejection& r) {
                                       all.push_back(r);
                                       return absl::OkStatus();
                                     })
                  .ok());
  EXPECT_EQ(all.size(), 2u);

  auto facts = Facts("420102900307451");
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].record().id_number(), a_);
  EXPECT_EQ(facts[0].record().id_number_original(), "420102 900307 451");
}

TEST_P(FeedStoreTest, DirtyMarksReachBeneficiaryHouseholds) {
  Registry registry(store_.get(), &clock_);
  v1::Household h;
  h.set_household_id("H1");
  h.set_district_code("420102");
  h.set_street("s");
  h.set_community("c");
  h.set_registered_address("a");
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  *h.mutable_benefit_start_date() = ToProto(absl::CivilDay(2020, 1, 1));
  auto* m = h.add_members();
  m->set_id_number(a_);
  m->set_name("某人");
  m->set_reported_status(v1::REPORTED_STATUS_UNEMPLOYED);
  ASSERT_TRUE(registry.Upsert(h, {"t", "t"}).ok());

  auto receipt = Push(Header("L-1", v1::BATCH_MODE_DELTA, 2),
                      {Job(a_, "E1", 300000), Job(c_, "E1", 1)});
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ(receipt->persons_marked(), 2);  // non-beneficiaries count too
  EXPECT_EQ(receipt->households_marked(), 1);
  EXPECT_TRUE(store_
                  ->Get(Cf::kDirtyHouseholds,
                        keys::DirtyHouseholdKey(receipt->batch_seq(), "H1"))
                  ->has_value());
  std::vector<std::string> dirty;
  ASSERT_TRUE(feeds_
                  ->ForEachDirtyPerson(0,
                                       [&](absl::string_view id, uint64_t seq) {
                                         EXPECT_EQ(seq, 1u);
                                         dirty.emplace_back(id);
                                         return absl::OkStatus();
                                       })
                  .ok());
  EXPECT_THAT(dirty, ::testing::ElementsAre(c_, a_));  // in ID order

  // A later batch: read from where the first left off.
  ASSERT_TRUE(
      Push(Header("L-2", v1::BATCH_MODE_DELTA, 1), {Job(b_, "E2", 5)}).ok());
  dirty.clear();
  ASSERT_TRUE(feeds_
                  ->ForEachDirtyPerson(1,
                                       [&](absl::string_view id, uint64_t seq) {
                                         EXPECT_EQ(seq, 2u);
                                         dirty.emplace_back(id);
                                         return absl::OkStatus();
                                       })
                  .ok());
  EXPECT_THAT(dirty, ::testing::ElementsAre(b_));
}

TEST_P(FeedStoreTest, DuplicateKeysInOneBatchKeepTheLast) {
  auto receipt = Push(Header("L-1", v1::BATCH_MODE_DELTA, 3),
                      {Job(a_, "E1", 1), Job(a_, "E1", 2), Job(a_, "E1", 3)});
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ(receipt->accepted(), 1);
  EXPECT_EQ(receipt->unchanged(), 2);
  EXPECT_EQ(Facts(a_)[0].record().employment().monthly_wage_fen(), 3);
}

TEST_P(FeedStoreTest, BadHeadersAreRefused) {
  auto h = Header("L-1", v1::BATCH_MODE_DELTA, 1);
  h.set_agency(v1::AGENCY_LAND);
  EXPECT_THAT(feeds_->Begin(h, "x").status().message(),
              HasSubstr("comes from agency labour"));
  h = Header("has space", v1::BATCH_MODE_DELTA, 1);
  EXPECT_EQ(feeds_->Begin(h, "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  h = Header("L-1", v1::BATCH_MODE_DELTA, 1, absl::CivilDay(2026, 12, 1));
  EXPECT_THAT(feeds_->Begin(h, "x").status().message(),
              HasSubstr("after today"));
  h = Header("L-1", v1::BATCH_MODE_UNSPECIFIED, 1);
  EXPECT_THAT(feeds_->Begin(h, "x").status().message(), HasSubstr("mode"));
  h = Header("L-1", v1::BATCH_MODE_DELTA, -1);
  EXPECT_THAT(feeds_->Begin(h, "x").status().message(),
              HasSubstr("record_count"));
}

TEST_P(FeedStoreTest, ManyRecordsAcrossManySortedRuns) {
  std::vector<v1::FeedRecord> records;
  for (int i = 0; i < 3000; ++i) {
    const absl::CivilDay born = absl::CivilDay(1970, 1, 1) + i;
    records.push_back(
        Job(Id(absl::StrFormat("420102%04d%02d%02d123", born.year(),
                               born.month(), born.day())),
            absl::StrCat("E", i % 7), 100000 + i));
  }
  auto first = Push(Header("S-1", v1::BATCH_MODE_SNAPSHOT, 3000), records);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->accepted(), 3000);
  records.resize(2000);
  records[5] = Job(records[5].id_number(), "E5", 1);
  auto second = Push(Header("S-2", v1::BATCH_MODE_SNAPSHOT, 2000), records);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->unchanged(), 1999);
  EXPECT_EQ(second->accepted(), 1);
  EXPECT_EQ(second->retired(), 1000);
}

TEST_P(FeedStoreTest, DirtyLogListsEveryChangedPersonOnceAcrossChunks) {
  std::vector<v1::FeedRecord> records;
  for (int i = 0; i < 9000; ++i) {
    const absl::CivilDay born = absl::CivilDay(1950, 1, 1) + i;
    const std::string id =
        Id(absl::StrFormat("420102%04d%02d%02d12%d", born.year(), born.month(),
                           born.day(), i % 10));
    records.push_back(Job(id, "E1", 100000));
    if (i % 3 == 0) records.push_back(Job(id, "E2", 100000));  // same person
  }
  auto receipt = Push(Header("D-1", v1::BATCH_MODE_SNAPSHOT,
                             static_cast<int64_t>(records.size())),
                      records);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->persons_marked(), 9000);
  std::string last;
  int64_t n = 0;
  ASSERT_TRUE(feeds_
                  ->ForEachDirtyPerson(0,
                                       [&](absl::string_view id, uint64_t) {
                                         EXPECT_LT(last, id);
                                         last = std::string(id);
                                         ++n;
                                         return absl::OkStatus();
                                       })
                  .ok());
  EXPECT_EQ(n, 9000);
}

TEST_P(FeedStoreTest, TruncatedSnapshotIsRefusedUnlessMassRetirementAllowed) {
  std::vector<v1::FeedRecord> records;
  for (int i = 0; i < 2400; ++i) {
    const absl::CivilDay born = absl::CivilDay(1960, 1, 1) + i;
    records.push_back(
        Job(Id(absl::StrFormat("420102%04d%02d%02d123", born.year(),
                               born.month(), born.day())),
            "E1", 100000));
  }
  ASSERT_TRUE(Push(Header("T-1", v1::BATCH_MODE_SNAPSHOT, 2400), records).ok());
  // The export broke after 1,000 records: 1,400 of 2,400 would be retired.
  const std::string dropped = records[1500].id_number();
  records.resize(1000);
  auto truncated = Push(Header("T-2", v1::BATCH_MODE_SNAPSHOT, 1000), records);
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(truncated.status().message(),
              HasSubstr("would retire 1400 of the 2400 current employment"));
  EXPECT_EQ(Facts(dropped).size(), 1u);  // still current, not retired
  EXPECT_FALSE(feeds_->FindBatch("T-2")->has_value());  // nothing stored

  // The agency confirms: the same batch, allowed, commits (the permission
  // is not content: a replay without it is the same batch).
  auto h = Header("T-2", v1::BATCH_MODE_SNAPSHOT, 1000);
  h.set_allow_mass_retirement(true);
  auto allowed = Push(h, records);
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ(allowed->retired(), 1400);
  auto replay = Push(Header("T-2", v1::BATCH_MODE_SNAPSHOT, 1000), records);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_TRUE(replay->replayed());
}

TEST_P(FeedStoreTest, ChunkingAndThreadsDoNotChangeTheBatch) {
  std::vector<v1::FeedRecord> records;
  for (int i = 0; i < 2000; ++i) {
    const absl::CivilDay born = absl::CivilDay(1970, 1, 1) + i;
    records.push_back(
        Job(Id(absl::StrFormat("420102%04d%02d%02d123", born.year(),
                               born.month(), born.day())),
            absl::StrCat("E", i % 7), 100000 + i));
  }
  records[10].set_id_number("not an id");
  records[1500].mutable_employment()->set_monthly_wage_fen(-1);
  // A spaced ID: accepted, normalised.
  records[700].set_id_number(absl::StrCat(" ", records[700].id_number(), " "));
  const auto header = Header("C-1", v1::BATCH_MODE_SNAPSHOT, 2000);
  auto chunked = PushChunked(header, records, 7);
  ASSERT_TRUE(chunked.ok()) << chunked.status();
  EXPECT_EQ(chunked->accepted(), 1998);
  EXPECT_EQ(chunked->rejected(), 2);
  ASSERT_EQ(chunked->rejections_size(), 2);
  EXPECT_EQ(chunked->rejections(0).position(), 11);
  EXPECT_EQ(chunked->rejections(1).position(), 1501);
  EXPECT_EQ(chunked->rejections(1).field(), "monthly_wage_fen");

  // The same records one by one, or in other chunks: the same batch.
  auto single = Push(header, records);
  ASSERT_TRUE(single.ok()) << single.status();
  EXPECT_TRUE(single->replayed());
  EXPECT_EQ(single->digest(), chunked->digest());
  auto other = PushChunked(header, records, 1000);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE(other->replayed());

  // Order is content: two records swapped make another batch.
  std::swap(records[3], records[4]);
  EXPECT_EQ(PushChunked(header, records, 7).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_P(FeedStoreTest, ChunksBeyondTheAnnouncedCountAreRefused) {
  auto upload = feeds_->Begin(Header("C-2", v1::BATCH_MODE_DELTA, 1), "x");
  ASSERT_TRUE(upload.ok());
  std::unique_ptr<FeedChunk> chunk = (*upload)->NewChunk();
  *chunk->message()->mutable_records()->add_records() = Job(a_, "E1", 1);
  *chunk->message()->mutable_records()->add_records() = Job(a_, "E2", 1);
  EXPECT_THAT((*upload)->AddChunk(std::move(chunk)).message(),
              HasSubstr("more records than the header's record_count of 1"));
}

// A line the client could not read, as dibaoctl sends it.
v1::FeedRecord Unreadable(int64_t line, const std::string& id,
                          const std::string& reason) {
  v1::FeedRecord r;
  r.set_source_line(line);
  r.set_id_number(id);
  r.mutable_unreadable()->set_field("name");
  r.mutable_unreadable()->set_reason(reason);
  return r;
}

TEST_P(FeedStoreTest, UnreadableLinesAreCountedKeptAndDigested) {
  const auto header = Header("U-1", v1::BATCH_MODE_DELTA, 2);
  const std::vector<v1::FeedRecord> records = {
      Job(a_, "E1", 300000), Unreadable(3, b_, "not valid UTF-8 (byte 1)")};
  auto receipt = Push(header, records);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->accepted(), 1);
  EXPECT_EQ(receipt->rejected(), 1);
  EXPECT_EQ(receipt->unreadable(), 1);
  ASSERT_EQ(receipt->rejections_size(), 1);
  const v1::RecordRejection& r = receipt->rejections(0);
  EXPECT_EQ(r.position(), 2);
  EXPECT_EQ(r.source_line(), 3);
  EXPECT_EQ(r.field(), "name");
  EXPECT_EQ(r.reason(), "the line could not be read: not valid UTF-8 (byte 1)");
  EXPECT_EQ(r.id_number_masked(), MaskId(b_));
  EXPECT_TRUE(Facts(b_).empty());  // never a fact

  // The same file again is the same batch.
  auto replay = Push(header, records);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed());
  EXPECT_EQ(replay->digest(), receipt->digest());
  // With another reason it is other content.
  auto other = Push(
      header, {Job(a_, "E1", 300000), Unreadable(3, b_, "another reason")});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_P(FeedStoreTest, SnapshotKeepsTheFactsOfPeopleWhoseLinesFailed) {
  std::vector<v1::FeedRecord> all;
  for (int i = 0; i < 40; ++i) {
    all.push_back(Job(Id(absl::StrFormat("420102197001%02d123", i % 28 + 1)),
                      absl::StrCat("E", i), 100000));
  }
  ASSERT_TRUE(Push(Header("K-1", v1::BATCH_MODE_SNAPSHOT, 40,
                          absl::CivilDay(2026, 11, 1)),
                   all)
                  .ok());
  // a_'s and b_'s jobs are current; tonight a_'s line cannot be read and
  // b_'s has a bad wage: neither is absent, so neither fact ends. c_ is
  // really gone.
  ASSERT_TRUE(
      Push(Header("K-2", v1::BATCH_MODE_DELTA, 3, absl::CivilDay(2026, 11, 1)),
           {Job(a_, "E1", 1), Job(b_, "E1", 1), Job(c_, "E1", 1)})
          .ok());
  std::vector<v1::FeedRecord> tonight = all;
  tonight.push_back(Unreadable(41, a_, "not valid UTF-8"));
  tonight.push_back(Job(b_, "E1", -5));
  auto receipt = Push(Header("K-3", v1::BATCH_MODE_SNAPSHOT, 42), tonight);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->rejected(), 2);
  EXPECT_EQ(receipt->rejected_without_person(), 0);
  EXPECT_EQ(receipt->retirements_held(), 2);
  EXPECT_EQ(receipt->retired(), 1);
  EXPECT_FALSE(Facts(a_).back().retired());
  EXPECT_FALSE(Facts(b_).back().retired());
  EXPECT_TRUE(Facts(c_).back().retired());
}

TEST_P(FeedStoreTest, ARejectedLineWithoutAPersonHoldsEveryRetirement) {
  std::vector<v1::FeedRecord> all;
  for (int i = 0; i < 40; ++i) {
    all.push_back(Job(Id(absl::StrFormat("420102197001%02d123", i % 28 + 1)),
                      absl::StrCat("E", i), 100000));
  }
  all.push_back(Job(c_, "E1", 1));
  ASSERT_TRUE(Push(Header("W-1", v1::BATCH_MODE_SNAPSHOT, 41,
                          absl::CivilDay(2026, 11, 1)),
                   all)
                  .ok());
  // c_ is missing tonight, but so is a line whose person cannot be read:
  // it may be c_'s.
  all.back() = Unreadable(42, "", "a quote inside an unquoted field");
  auto receipt = Push(Header("W-2", v1::BATCH_MODE_SNAPSHOT, 41), all);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->rejected_without_person(), 1);
  EXPECT_EQ(receipt->retired(), 0);
  EXPECT_EQ(receipt->retirements_held(), 1);
  EXPECT_FALSE(Facts(c_).back().retired());
}

TEST_P(FeedStoreTest, SnapshotWithTooManyRejectedLinesIsRefusedWholly) {
  ASSERT_TRUE(Push(Header("G-1", v1::BATCH_MODE_SNAPSHOT, 3,
                          absl::CivilDay(2026, 11, 1)),
                   {Job(a_, "E1", 1), Job(b_, "E1", 1), Job(c_, "E1", 1)})
                  .ok());
  // The file read in the wrong encoding: every line with a name fails.
  std::vector<v1::FeedRecord> garbled = {
      Unreadable(2, a_, "not valid UTF-8 (byte 1)"),
      Unreadable(3, b_, "not valid UTF-8 (byte 1)"), Job(c_, "E1", 1)};
  auto refused = Push(Header("G-2", v1::BATCH_MODE_SNAPSHOT, 3), garbled);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("2 of its 3 records were rejected (2 of them lines "
                        "that could not be read), more than the 20% a "
                        "snapshot may have"));
  EXPECT_THAT(refused.status().message(),
              HasSubstr("First: line 2 name: the line could not be read: not "
                        "valid UTF-8 (byte 1); line 3 name:"));
  EXPECT_FALSE(feeds_->FindBatch("G-2")->has_value());
  // The same batch ID, corrected, commits.
  auto fixed = Push(Header("G-2", v1::BATCH_MODE_SNAPSHOT, 3),
                    {Job(a_, "E1", 1), Job(b_, "E1", 1), Job(c_, "E1", 1)});
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(fixed->unchanged(), 3);
  // A DELTA is not a statement about what is absent: no threshold.
  auto delta = Push(Header("G-3", v1::BATCH_MODE_DELTA, 3), garbled);
  ASSERT_TRUE(delta.ok()) << delta.status();
  EXPECT_EQ(delta->rejected(), 2);
}

TEST_P(FeedStoreTest, EmptySnapshotOfASmallKindIsRefusedUnlessAllowed) {
  ASSERT_TRUE(Push(Header("E-1", v1::BATCH_MODE_SNAPSHOT, 2,
                          absl::CivilDay(2026, 11, 1)),
                   {Job(a_, "E1", 1), Job(b_, "E1", 1)})
                  .ok());
  auto empty = Push(Header("E-2", v1::BATCH_MODE_SNAPSHOT, 0), {});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(empty.status().message(),
              HasSubstr("holds no employment record but would retire all 2"));
  auto h = Header("E-2", v1::BATCH_MODE_SNAPSHOT, 0);
  h.set_allow_mass_retirement(true);
  auto allowed = Push(h, {});
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ(allowed->retired(), 2);
}

v1::FeedRecord Withdrawal(
    const std::string& id, const std::string& employer,
    v1::WithdrawalReason reason = v1::WITHDRAWAL_REASON_NEVER_HAPPENED,
    const std::string& note = "no such contract",
    absl::CivilDay start = absl::CivilDay(2026, 3, 1)) {
  v1::FeedRecord r;
  r.set_id_number(id);
  r.set_action(v1::RECORD_ACTION_WITHDRAW);
  r.set_withdrawal_reason(reason);
  r.set_withdrawal_note(note);
  auto* e = r.mutable_employment();  // the key fields only
  e->set_employer_code(employer);
  *e->mutable_start_date() = ToProto(start);
  return r;
}

std::vector<v1::RecordRejection> Rejections(const FeedStore& feeds,
                                            const std::string& batch_id) {
  std::vector<v1::RecordRejection> out;
  EXPECT_TRUE(feeds
                  .ForEachRejection(batch_id,
                                    [&](const v1::RecordRejection& r) {
                                      out.push_back(r);
                                      return absl::OkStatus();
                                    })
                  .ok());
  return out;
}

TEST_P(FeedStoreTest, AWithdrawalEndsTheFactAndKeepsItsHistory) {
  ASSERT_TRUE(
      Push(Header("L-1", v1::BATCH_MODE_DELTA, 2, absl::CivilDay(2026, 11, 1)),
           {Job(a_, "E1", 300000), Job(b_, "E1", 250000)})
          .ok());
  auto w =
      Push(Header("L-2", v1::BATCH_MODE_DELTA, 1, absl::CivilDay(2026, 11, 20)),
           {Withdrawal(a_, "E1", v1::WITHDRAWAL_REASON_WRONG_PERSON,
                       "payroll keyed to the wrong ID")});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->withdrawn(), 1);
  EXPECT_EQ(w->accepted(), 0);
  EXPECT_EQ(w->rejected(), 0);
  EXPECT_EQ(w->persons_marked(), 1);

  // Never erased: the version and the tombstone that says who and why.
  auto facts = Facts(a_);
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_EQ(facts[0].record().employment().monthly_wage_fen(), 300000);
  EXPECT_TRUE(facts[1].retired());
  ASSERT_TRUE(facts[1].has_withdrawal());
  EXPECT_EQ(facts[1].withdrawal().reason(), v1::WITHDRAWAL_REASON_WRONG_PERSON);
  EXPECT_EQ(facts[1].withdrawal().note(), "payroll keyed to the wrong ID");
  EXPECT_EQ(facts[1].withdrawal().agency(), v1::AGENCY_LABOUR);
  EXPECT_EQ(facts[1].withdrawal().batch_id(), "L-2");
  EXPECT_EQ(FormatDate(facts[1].withdrawal().as_of()), "2026-11-20");

  auto timeline = feeds_->PersonTimeline(a_);
  ASSERT_TRUE(timeline.ok());
  ASSERT_EQ(timeline->size(), 1u);
  EXPECT_EQ(FormatDate((*timeline)[0].valid_to()), "2026-11-20");
  EXPECT_EQ((*timeline)[0].ended_by_batch(), "L-2");
  EXPECT_EQ((*timeline)[0].withdrawal().batch_id(), "L-2");
  EXPECT_EQ(Facts(b_).size(), 1u);  // the other person's fact is untouched

  // Idempotent: withdrawing it again changes nothing.
  auto again = Push(Header("L-3", v1::BATCH_MODE_DELTA, 1),
                    {Withdrawal(a_, "E1", v1::WITHDRAWAL_REASON_WRONG_PERSON,
                                "payroll keyed to the wrong ID")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->withdrawn(), 0);
  EXPECT_EQ(again->unchanged(), 1);
  EXPECT_EQ(again->rejected(), 0);
  EXPECT_EQ(Facts(a_).size(), 2u);

  // A SNAPSHOT after it does not bring it back unless it holds it.
  auto snapshot =
      Push(Header("S-4", v1::BATCH_MODE_SNAPSHOT, 1), {Job(b_, "E1", 250000)});
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->retired(), 0);
  EXPECT_EQ(Facts(a_).size(), 2u);
}

TEST_P(FeedStoreTest, WithdrawingWhatWasNeverStoredIsARejectedRecord) {
  ASSERT_TRUE(
      Push(Header("L-1", v1::BATCH_MODE_DELTA, 1), {Job(a_, "E1", 300000)})
          .ok());
  v1::FeedRecord wrong_day = Withdrawal(a_, "E1");
  *wrong_day.mutable_employment()->mutable_start_date() =
      ToProto(absl::CivilDay(2026, 3, 2));
  wrong_day.set_source_line(7);
  auto w = Push(Header("L-2", v1::BATCH_MODE_DELTA, 2),
                {wrong_day, Withdrawal(b_, "E1")});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->withdrawn(), 0);
  EXPECT_EQ(w->rejected(), 2);
  ASSERT_EQ(w->rejections_size(), 2);
  EXPECT_EQ(w->rejections(0).position(), 1);
  EXPECT_EQ(w->rejections(0).source_line(), 7);
  EXPECT_THAT(w->rejections(0).reason(),
              HasSubstr("there is no employment fact of this person with "
                        "this key (employer_code E1, start_date 2026-03-02) "
                        "to withdraw"));
  EXPECT_EQ(w->rejections(0).id_number_masked(), MaskId(a_));
  EXPECT_EQ(w->rejections(1).position(), 2);
  auto stored = Rejections(*feeds_, "L-2");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].reason(), w->rejections(0).reason());
  EXPECT_EQ(Facts(a_).size(), 1u);  // the fact it did not name is current
}

TEST_P(FeedStoreTest, AWithdrawalAndAnUpsertOfOneFactInOneBatchAreBothRefused) {
  ASSERT_TRUE(
      Push(Header("L-1", v1::BATCH_MODE_DELTA, 1), {Job(a_, "E1", 300000)})
          .ok());
  v1::FeedRecord upsert = Job(a_, "E1", 310000);
  upsert.set_source_line(3);
  v1::FeedRecord withdraw = Withdrawal(a_, "E1");
  withdraw.set_source_line(9);
  auto w = Push(Header("L-2", v1::BATCH_MODE_DELTA, 3),
                {upsert, Job(b_, "E1", 1000), withdraw});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->rejected(), 2);
  EXPECT_EQ(w->accepted(), 1);  // b's fact
  ASSERT_EQ(w->rejections_size(), 2);
  for (const auto& r : w->rejections()) {
    EXPECT_EQ(r.field(), "action");
    EXPECT_THAT(r.reason(), HasSubstr("line 9 withdraws this fact and line 3 "
                                      "upserts it"));
  }
  auto facts = Facts(a_);
  ASSERT_EQ(facts.size(), 1u);  // as it was
  EXPECT_EQ(facts[0].record().employment().monthly_wage_fen(), 300000);

  // In a SNAPSHOT the fact is held, not retired as missing.
  auto snapshot = Push(Header("S-3", v1::BATCH_MODE_SNAPSHOT, 3),
                       {upsert, Job(b_, "E1", 1000), withdraw});
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->rejected(), 2);
  EXPECT_EQ(snapshot->retired(), 0);
  EXPECT_EQ(snapshot->retirements_held(), 1);
  EXPECT_EQ(Facts(a_).size(), 1u);
}

TEST_P(FeedStoreTest, WithdrawalsNeedAReasonAndOnlyTheKeyFields) {
  ASSERT_TRUE(
      Push(Header("L-1", v1::BATCH_MODE_DELTA, 1), {Job(a_, "E1", 300000)})
          .ok());
  v1::FeedRecord no_reason = Withdrawal(a_, "E1");
  no_reason.clear_withdrawal_reason();
  v1::FeedRecord other_without_note =
      Withdrawal(a_, "E1", v1::WITHDRAWAL_REASON_OTHER, "");
  v1::FeedRecord no_key = Withdrawal(a_, "E1");
  no_key.mutable_employment()->clear_start_date();
  v1::FeedRecord reason_on_upsert = Job(b_, "E1", 1);
  reason_on_upsert.set_withdrawal_reason(v1::WITHDRAWAL_REASON_DUPLICATE);
  auto w = Push(Header("L-2", v1::BATCH_MODE_DELTA, 4),
                {no_reason, other_without_note, no_key, reason_on_upsert});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->rejected(), 4);
  ASSERT_EQ(w->rejections_size(), 4);
  EXPECT_EQ(w->rejections(0).field(), "withdrawal_reason");
  EXPECT_THAT(w->rejections(0).reason(), HasSubstr("is required"));
  EXPECT_EQ(w->rejections(1).field(), "withdrawal_note");
  EXPECT_EQ(w->rejections(2).field(), "start_date");
  EXPECT_EQ(w->rejections(3).field(), "withdrawal_reason");
  EXPECT_THAT(w->rejections(3).reason(), HasSubstr("only for a record"));
  EXPECT_EQ(Facts(a_).size(), 1u);

  // The name and the wage are not needed to withdraw.
  auto ok = Push(Header("L-3", v1::BATCH_MODE_DELTA, 1),
                 {Withdrawal(a_, "E1", v1::WITHDRAWAL_REASON_DUPLICATE, "")});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->withdrawn(), 1);
}

TEST_P(FeedStoreTest, AFactEndedByASnapshotCanStillBeMarkedWithdrawn) {
  ASSERT_TRUE(Push(Header("S-1", v1::BATCH_MODE_SNAPSHOT, 2,
                          absl::CivilDay(2026, 11, 1)),
                   {Job(a_, "E1", 300000), Job(b_, "E1", 1000)})
                  .ok());
  ASSERT_TRUE(Push(Header("S-2", v1::BATCH_MODE_SNAPSHOT, 1,
                          absl::CivilDay(2026, 11, 10)),
                   {Job(b_, "E1", 1000)})
                  .ok());
  // In a SNAPSHOT too: a withdrawal line says why, where an omission would
  // not.
  auto w = Push(
      Header("S-3", v1::BATCH_MODE_SNAPSHOT, 2, absl::CivilDay(2026, 11, 20)),
      {Withdrawal(a_, "E1"), Job(b_, "E1", 1000)});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->withdrawn(), 1);
  EXPECT_EQ(w->retired(), 0);
  auto timeline = feeds_->PersonTimeline(a_);
  ASSERT_EQ(timeline->size(), 1u);
  EXPECT_EQ((*timeline)[0].ended_by_batch(), "S-2");         // ended then
  EXPECT_EQ((*timeline)[0].withdrawal().batch_id(), "S-3");  // wrong all along
}

INSTANTIATE_TEST_SUITE_P(CommitPaths, FeedStoreTest, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "SstIngestion" : "WriteBatch";
                         });

}  // namespace
}  // namespace dibao
