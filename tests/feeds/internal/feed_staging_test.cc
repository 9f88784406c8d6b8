#include "feeds/internal/feed_staging.h"

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "gtest/gtest.h"
#include "storage/keys.h"

namespace dibao {
namespace {

const absl::CivilDay kToday(2026, 11, 26);

v1::FeedRecord Job(const std::string& id) {
  v1::FeedRecord r;
  r.set_id_number(id);
  r.set_name("某人");
  auto* e = r.mutable_employment();
  e->set_employer_code("E1");
  *e->mutable_start_date() = ToProto(absl::CivilDay(2026, 3, 1));
  e->set_monthly_wage_fen(250000);
  return r;
}

const FeedKindSpec& Employment() {
  return *FindFeedKind(v1::FEED_KIND_EMPLOYMENT);
}

std::string Valid() {
  return std::string("42010219900307451") +
         ResidentIdCheckCharacter("42010219900307451");
}

TEST(FeedStagingTest, AcceptedRecordIsKeyedByPersonNaturalKeyAndPosition) {
  StagedRecords staged;
  v1::FeedRecord r = Job(Valid());
  r.set_source_line(12);
  staged.Stage(Employment(), kToday, 3, r);
  ASSERT_EQ(staged.size(), 1u);
  absl::string_view key = staged.key(0);
  absl::string_view id, natural;
  uint64_t position;
  ASSERT_TRUE(keys::GetString(&key, &id));
  ASSERT_TRUE(keys::GetString(&key, &natural));
  ASSERT_TRUE(keys::GetFixed64(&key, &position));
  EXPECT_EQ(id, Valid());
  EXPECT_EQ(position, 3u);
  // Value: fingerprint, then the record without its file line.
  v1::FeedRecord stored;
  ASSERT_TRUE(stored.ParseFromString(
      std::string(staged.value(0).substr(kStagedHeaderBytes))));
  EXPECT_EQ(stored.source_line(), 0);
  EXPECT_EQ(stored.employment().monthly_wage_fen(), 250000);
  EXPECT_EQ(staged.digest_pieces().size(), kDigestPieceBytes);
}

TEST(FeedStagingTest, SpellingOfTheIdKeepsTheFingerprintButNotTheDigest) {
  StagedRecords plain, spaced;
  v1::FeedRecord a = Job(Valid());
  const std::string spelled =
      absl::StrCat(" ", Valid().substr(0, 6), " ", Valid().substr(6));
  v1::FeedRecord b = Job(spelled);
  plain.Stage(Employment(), kToday, 1, a);
  spaced.Stage(Employment(), kToday, 1, b);
  ASSERT_EQ(spaced.size(), 1u);
  EXPECT_EQ(plain.key(0), spaced.key(0));
  EXPECT_EQ(plain.value(0).substr(0, kFingerprintBytes),
            spaced.value(0).substr(0, kFingerprintBytes));
  EXPECT_NE(plain.digest_pieces(), spaced.digest_pieces());
  // The stored bytes keep the spelling that arrived.
  v1::FeedRecord stored;
  ASSERT_TRUE(stored.ParseFromString(
      std::string(spaced.value(0).substr(kStagedHeaderBytes))));
  EXPECT_EQ(stored.id_number(), Valid());
  EXPECT_EQ(stored.id_number_original(), spelled);
}

TEST(FeedStagingTest, RefusedRecordLeavesRejectionsAndADigestPiece) {
  StagedRecords staged;
  v1::FeedRecord r = Job("12345");
  r.mutable_employment()->set_monthly_wage_fen(-5);
  r.set_source_line(40);
  staged.Stage(Employment(), kToday, 9, r);
  EXPECT_EQ(staged.size(), 0u);
  EXPECT_EQ(staged.rejected_records(), 1);
  ASSERT_EQ(staged.rejections().size(), 2u);
  EXPECT_EQ(staged.rejections()[0].field(), "id_number");
  EXPECT_EQ(staged.rejections()[0].position(), 9);
  EXPECT_EQ(staged.rejections()[0].source_line(), 40);
  EXPECT_EQ(staged.rejections()[1].field(), "monthly_wage_fen");
  EXPECT_EQ(staged.digest_pieces().size(), kDigestPieceBytes);
  staged.Clear();
  EXPECT_EQ(staged.rejections().size(), 0u);
  EXPECT_TRUE(staged.digest_pieces().empty());
}

}  // namespace
}  // namespace dibao
