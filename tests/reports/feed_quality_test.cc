#include "reports/feed_quality.h"

#include <memory>

#include "base/dates.h"
#include "gtest/gtest.h"
#include "matcher/cycle.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

const v1::FeedQualityRow& Row(const v1::FeedQualityReport& r,
                              v1::FeedKind kind) {
  for (const auto& row : r.rows()) {
    if (row.kind() == kind) return row;
  }
  static const v1::FeedQualityRow none;
  ADD_FAILURE() << "no row for kind " << kind;
  return none;
}

TEST(FeedQualityTest, ReceiptsAndDecisionsPerAgencyAndKind) {
  testing::TestStore db("feed-quality");
  ASSERT_TRUE(db.LoadSample().ok());
  CycleRunner cycles(
      db.store(), db.flags(), db.clock(),
      std::make_shared<const v1::Policy>(testing::SamplePolicy()),
      CycleOptions());
  ASSERT_TRUE(cycles.Run(testing::kSampleDay, false, "test").ok());

  auto report = ComputeFeedQuality(*db.feeds(), *db.flags(), std::nullopt);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->rows_size(), 13);  // every kind, decided or not
  const v1::FeedQualityRow& vehicles = Row(*report, v1::FEED_KIND_VEHICLE);
  EXPECT_EQ(vehicles.agency(), v1::AGENCY_PUBLIC_SECURITY);
  EXPECT_EQ(vehicles.batches(), 1);
  EXPECT_GT(vehicles.records(), 0);
  EXPECT_EQ(vehicles.flags_decided(), 0);

  // One vehicle flag confirmed, one dismissed as the partner's mistake.
  int decided = 0;
  FlagFilter filter;
  filter.rule = "VEHICLE_OWNED";
  std::vector<v1::Flag> flags;
  ASSERT_TRUE(db.flags()
                  ->ForEach(filter,
                            [&](const v1::Flag& f) {
                              flags.push_back(*db.flags()->Get(f.flag_id()));
                              return absl::OkStatus();
                            })
                  .ok());
  ASSERT_FALSE(flags.empty());
  for (v1::Flag& f : flags) {
    const bool wrong = decided++ % 2 == 1;
    v1::ReviewDecision* d = f.add_decisions();
    d->set_state(wrong ? v1::FLAG_STATE_DISMISSED : v1::FLAG_STATE_CONFIRMED);
    if (wrong) d->set_reason(v1::DISMISS_REASON_PARTNER_DATA_WRONG);
    *d->mutable_at() = ToProto(db.clock()->Now());
    f.set_state(d->state());
    ASSERT_TRUE(db.flags()->Put(f).ok());
  }
  report = ComputeFeedQuality(*db.feeds(), *db.flags(), std::nullopt);
  ASSERT_TRUE(report.ok());
  const v1::FeedQualityRow& after = Row(*report, v1::FEED_KIND_VEHICLE);
  EXPECT_EQ(after.flags_decided(), decided);
  EXPECT_EQ(after.flags_partner_wrong(), decided / 2);
  EXPECT_DOUBLE_EQ(after.partner_wrong_percent(),
                   100.0 * (decided / 2) / decided);

  // Nothing since a later day.
  report =
      ComputeFeedQuality(*db.feeds(), *db.flags(), testing::kSampleDay + 400);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(Row(*report, v1::FEED_KIND_VEHICLE).batches(), 0);
  EXPECT_EQ(Row(*report, v1::FEED_KIND_VEHICLE).flags_decided(), 0);
}

}  // namespace
}  // namespace dibao
