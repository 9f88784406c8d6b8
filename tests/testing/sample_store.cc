#include "tests/testing/sample_store.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/status_macros.h"
#include "formats/feed_format.h"
#include "gtest/gtest.h"
#include "matcher/policy.h"
#include "sample/sample_district.h"
#include "tests/testing/test_util.h"

namespace dibao::testing {

v1::Policy SamplePolicy() {
  auto policy =
      LoadPolicy(std::string(DIBAO_SOURCE_DIR) + "/deploy/policy.textproto");
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.ok() ? *policy : v1::Policy();
}

TestStore::TestStore(absl::string_view name) : dir_(NewTempDir(name)) {
  Open();
}

void TestStore::Open() {
  StoreOptions so;
  so.sync_writes = false;
  store_ = *Store::Open(dir_ + "/data", so);
  registry_ = std::make_unique<Registry>(store_.get(), &clock_);
  FeedStoreOptions fo;
  fo.scratch_dir = dir_ + "/scratch";
  feeds_ = *FeedStore::Create(store_.get(), &clock_, fo);
  flags_ = std::make_unique<FlagStore>(store_.get());
}

void TestStore::Reopen() {
  flags_.reset();
  feeds_.reset();
  registry_.reset();
  store_.reset();
  Open();
}

absl::Status TestStore::Upsert(const std::vector<v1::Household>& households) {
  for (const v1::Household& h : households) {
    RETURN_IF_ERROR(registry_->Upsert(h, {"test", "test"}).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Receipt> TestStore::Push(
    const v1::BatchHeader& header, const std::vector<v1::FeedRecord>& records) {
  v1::BatchHeader h = header;
  h.set_record_count(static_cast<int64_t>(records.size()));
  ASSIGN_OR_RETURN(auto upload, feeds_->Begin(h, "test"));
  for (const v1::FeedRecord& r : records) {
    RETURN_IF_ERROR(upload->Add(v1::FeedRecord(r)));
  }
  return upload->Commit();
}

absl::StatusOr<v1::Receipt> TestStore::PushFile(const SampleFeedFile& file) {
  std::vector<v1::FeedRecord> records;
  std::istringstream in(file.csv);
  RETURN_IF_ERROR(ReadFeedRecords(
      in, FileFormat::kCsv, *file.spec,
      [&](int64_t, v1::FeedRecord r) { records.push_back(std::move(r)); },
      [](RowError) {}));
  v1::BatchHeader h;
  h.set_agency(file.spec->agency);
  h.set_kind(file.spec->kind);
  h.set_batch_id(file.batch_id);
  *h.mutable_as_of() = ToProto(kSampleDay);
  h.set_mode(file.snapshot ? v1::BATCH_MODE_SNAPSHOT : v1::BATCH_MODE_DELTA);
  return Push(h, records);
}

absl::Status TestStore::LoadSample(std::vector<v1::Household>* households,
                                   SampleFeeds* feeds) {
  SampleDistrictOptions d;
  d.as_of = kSampleDay;
  ASSIGN_OR_RETURN(std::vector<v1::Household> hs, GenerateSampleDistrict(d));
  RETURN_IF_ERROR(Upsert(hs));
  SampleFeedsOptions f;
  f.as_of = kSampleDay;
  ASSIGN_OR_RETURN(SampleFeeds sf, GenerateSampleFeeds(hs, f));
  for (const SampleFeedFile& file : sf.files) {
    RETURN_IF_ERROR(PushFile(file).status());
  }
  if (households != nullptr) *households = std::move(hs);
  if (feeds != nullptr) *feeds = std::move(sf);
  return absl::OkStatus();
}

}  // namespace dibao::testing
