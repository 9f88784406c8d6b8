// Statistics (matcher/report_stats): the report's Table 1 and Table 2 on the
// sample district, areas, and the arithmetic of percentages.
#include "reports/report_stats.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

TEST(PercentBpTest, RoundsHalfUp) {
  EXPECT_EQ(PercentBp(55, 1013), 543);
  EXPECT_EQ(PercentBp(546, 1013), 5390);
  EXPECT_EQ(PercentBp(1, 8), 1250);
  EXPECT_EQ(PercentBp(1, 3), 3333);
  EXPECT_EQ(PercentBp(2, 3), 6667);
  EXPECT_EQ(PercentBp(5, 0), 0);
  EXPECT_EQ(FormatPercentBp(543), "5.43");
  EXPECT_EQ(FormatPercentBp(10000), "100.00");
  EXPECT_EQ(FormatPercentBp(7), "0.07");
}

TEST(AgeBandTest, WorkingAgeDependsOnSex) {
  EXPECT_EQ(AgeBandOf(v1::SEX_MALE, 17), v1::AGE_BAND_UNDER_18);
  EXPECT_EQ(AgeBandOf(v1::SEX_FEMALE, 18), v1::AGE_BAND_WORKING_AGE);
  EXPECT_EQ(AgeBandOf(v1::SEX_FEMALE, 54), v1::AGE_BAND_WORKING_AGE);
  EXPECT_EQ(AgeBandOf(v1::SEX_FEMALE, 55), v1::AGE_BAND_ABOVE_WORKING_AGE);
  EXPECT_EQ(AgeBandOf(v1::SEX_MALE, 55), v1::AGE_BAND_WORKING_AGE);
  EXPECT_EQ(AgeBandOf(v1::SEX_MALE, 59), v1::AGE_BAND_WORKING_AGE);
  EXPECT_EQ(AgeBandOf(v1::SEX_MALE, 60), v1::AGE_BAND_ABOVE_WORKING_AGE);
}

class ReportStatsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = new testing::TestStore("report-stats");
    ASSERT_TRUE(store_->LoadSample(&households_).ok());
  }
  static void TearDownTestSuite() { delete store_; }

  static testing::TestStore* store_;
  static std::vector<v1::Household> households_;
};

testing::TestStore* ReportStatsTest::store_ = nullptr;
std::vector<v1::Household> ReportStatsTest::households_;

TEST_F(ReportStatsTest, SampleDistrictReproducesTheReportsTables) {
  auto st = ComputeStatistics(*store_->registry(), {}, testing::kSampleDay);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->households(), 465);
  EXPECT_EQ(st->persons(), 1013);
  int64_t outlay = 0;
  for (const auto& h : households_) outlay += h.monthly_benefit_fen();
  EXPECT_EQ(st->monthly_outlay_fen(), outlay);

  // Table 1: identity, persons, percent (the report's own figures).
  const std::vector<std::tuple<v1::ReportedStatus, int64_t, int64_t>> table1 = {
      {v1::REPORTED_STATUS_EMPLOYED, 55, 543},
      {v1::REPORTED_STATUS_LAID_OFF, 47, 464},
      {v1::REPORTED_STATUS_UNEMPLOYED, 56, 553},
      {v1::REPORTED_STATUS_RETIRED, 22, 217},
      {v1::REPORTED_STATUS_CIVIL_AFFAIRS, 64, 632},
      {v1::REPORTED_STATUS_STUDENT, 223, 2201},
      {v1::REPORTED_STATUS_OTHER, 546, 5390}};
  ASSERT_EQ(st->by_reported_status_size(), 7);
  for (int i = 0; i < 7; ++i) {
    const auto& row = st->by_reported_status(i);
    EXPECT_EQ(row.reported_status(), std::get<0>(table1[i]));
    EXPECT_EQ(row.persons(), std::get<1>(table1[i]));
    EXPECT_EQ(row.percent_bp(), std::get<2>(table1[i]));
  }
  EXPECT_EQ(st->unspecified_status(), 0);

  // Table 2: band, male, female, total, percent.
  const std::vector<std::tuple<v1::AgeBand, int64_t, int64_t, int64_t, int64_t>>
      table2 = {{v1::AGE_BAND_UNDER_18, 127, 128, 255, 2517},
                {v1::AGE_BAND_WORKING_AGE, 284, 302, 586, 5785},
                {v1::AGE_BAND_ABOVE_WORKING_AGE, 82, 90, 172, 1698}};
  ASSERT_EQ(st->by_age_band_size(), 3);
  for (int i = 0; i < 3; ++i) {
    const auto& row = st->by_age_band(i);
    EXPECT_EQ(row.band(), std::get<0>(table2[i]));
    EXPECT_EQ(row.male(), std::get<1>(table2[i]));
    EXPECT_EQ(row.female(), std::get<2>(table2[i]));
    EXPECT_EQ(row.total(), std::get<3>(table2[i]));
    EXPECT_EQ(row.percent_bp(), std::get<4>(table2[i]));
  }
  EXPECT_EQ(st->disabled(), 69);
  EXPECT_EQ(st->disabled_male(), 46);
  EXPECT_EQ(st->disabled_female(), 23);
  EXPECT_EQ(st->disabled_percent_bp(), 681);
}

TEST_F(ReportStatsTest, AreaFilterAddsUpAndSkipsOtherStatuses) {
  // The streets' figures add up to the district's.
  std::map<std::string, int64_t> persons_by_street;
  for (const auto& h : households_) {
    persons_by_street[h.street()] += h.members_size();
  }
  int64_t sum = 0;
  for (const auto& [street, persons] : persons_by_street) {
    v1::AreaFilter area;
    area.set_district_code("420102");
    area.set_street(street);
    auto st = ComputeStatistics(*store_->registry(), area, testing::kSampleDay);
    ASSERT_TRUE(st.ok()) << st.status();
    EXPECT_EQ(st->persons(), persons) << street;
    EXPECT_EQ(st->area().street(), street);
    sum += st->persons();
  }
  EXPECT_EQ(sum, 1013);

  v1::AreaFilter nowhere;
  nowhere.set_district_code("110105");
  auto empty =
      ComputeStatistics(*store_->registry(), nowhere, testing::kSampleDay);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->households(), 0);
  EXPECT_EQ(empty->by_reported_status(0).percent_bp(), 0);
}

TEST_F(ReportStatsTest, AgesAreTakenOnTheDayAsked) {
  // Twenty years on, every child of the sample is an adult.
  auto later = ComputeStatistics(*store_->registry(), {},
                                 testing::kSampleDay + 365 * 20 + 5);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->by_age_band(0).total(), 0);
  EXPECT_EQ(later->persons(), 1013);
}

TEST_F(ReportStatsTest, BadAreaIsInvalidArgument) {
  v1::AreaFilter street_only;
  street_only.set_street("解放街道");
  EXPECT_EQ(
      ComputeStatistics(*store_->registry(), street_only, testing::kSampleDay)
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  v1::AreaFilter community_only;
  community_only.set_district_code("420102");
  community_only.set_community("花园社区");
  EXPECT_EQ(ComputeStatistics(*store_->registry(), community_only,
                              testing::kSampleDay)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dibao
