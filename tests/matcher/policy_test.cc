#include "matcher/policy.h"

#include <string>

#include "base/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/matcher/rules/rule_test_util.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using testing::Day;
using ::testing::HasSubstr;
using ::testing::Not;

std::string SamplePolicyPath() {
  return std::string(DIBAO_SOURCE_DIR) + "/deploy/policy.textproto";
}

// Writes `text` to a fresh file and returns its path.
std::string PolicyFile(const std::string& text) {
  const std::string path = testing::NewTempDir("policy") + "/policy.textproto";
  testing::WriteFile(path, text);
  return path;
}

// The valid rest of a policy, after its standards.
constexpr char kRest[] = R"pb(
  income { one_off_average_months: 3 unemployment_benefit_max_months: 24 }
)pb";

v1::DistrictStandard* AddStandard(v1::Policy& p, const std::string& district,
                                  absl::CivilDay from, int64_t fen) {
  v1::DistrictStandard* s = p.add_standards();
  s->set_district_code(district);
  *s->mutable_effective_from() = ToProto(from);
  s->set_monthly_standard_fen(fen);
  return s;
}

TEST(PolicyTest, SampleFileLoads) {
  absl::StatusOr<v1::Policy> p = LoadPolicy(SamplePolicyPath());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->version(), "2026-11 sample");
  EXPECT_EQ(p->standards_size(), 2);
  EXPECT_EQ(p->income().work_expense_disregard_fen(), 10000);
  EXPECT_EQ(p->income().tolerance_fen(), 2000);
  EXPECT_EQ(p->income().unemployment_benefit_max_months(), 24);
  EXPECT_EQ(p->assets().vehicle_value_threshold_fen(), 2000000);
  EXPECT_EQ(p->assets().exempt_vehicle_types(0), "残疾人专用机动轮椅车");
  EXPECT_EQ(p->gradual_exit_months(), 3);
  EXPECT_EQ(p->signals().lookback_months(), 6);
  EXPECT_EQ(SupplementFor(*p, v1::CATEGORY_THREE_NO), 5000);
  EXPECT_EQ(*StandardOn(*p, "420102", Day(2026, 11, 20)), 20500);
  EXPECT_EQ(*StandardOn(*p, "420102", Day(2007, 12, 31)), 18500);
}

TEST(PolicyTest, TheTestPolicyIsValid) {
  EXPECT_TRUE(ValidatePolicy(testing::SamplePolicy()).ok());
}

TEST(PolicyTest, EveryProblemAtItsLineAndColumn) {
  const std::string path = PolicyFile(
      "version: \"bad\"\n"
      "standards {\n"
      "  monthly_standard_fen: -100\n"
      "  district_code: \"4201\"\n"
      "  effective_from { year: 2008 month: 1 day: 1 }\n"
      "}\n"
      "income { one_off_average_months: 0 tolerance_fen: -1 "
      "unemployment_benefit_max_months: 24 }\n"
      "supplements { category: CATEGORY_DISABLED monthly_fen: -3 }\n");
  const absl::StatusOr<v1::Policy> p = LoadPolicy(path);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(p.status().message());
  EXPECT_THAT(message,
              HasSubstr(path + ":3:3: standards[0].monthly_standard_fen: must "
                               "be positive, is -100"));
  EXPECT_THAT(message,
              HasSubstr(path + ":4:3: standards[0].district_code: \"4201\" "
                               "is neither a 6-digit district code nor "
                               "\"*\""));
  EXPECT_THAT(message,
              HasSubstr(path + ":7:10: income.one_off_average_months: must be "
                               "at least 1, is 0"));
  EXPECT_THAT(message, HasSubstr(path + ":7:36: income.tolerance_fen: must "
                                        "not be negative, is -1"));
  EXPECT_THAT(message,
              HasSubstr(path + ":8:43: supplements[0].monthly_fen: must not "
                               "be negative, is -3"));
  // One problem a line.
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 4);
}

TEST(PolicyTest, MissingFieldIsReportedWhereItsParentIs) {
  const std::string path = PolicyFile(
      "version: \"v\"\n"
      "standards { district_code: \"*\" monthly_standard_fen: 20500 }\n"
      "income {\n"
      "  unemployment_benefit_max_months: 24\n"
      "}\n");
  const absl::StatusOr<v1::Policy> p = LoadPolicy(path);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(),
              HasSubstr(path + ":2:1: standards[0].effective_from: is "
                               "required"));
  EXPECT_THAT(p.status().message(),
              HasSubstr(path + ":3:1: income.one_off_average_months: must be "
                               "at least 1, is 0"));
}

TEST(PolicyTest, AnEmptyFileIsRefusedNotACrash) {
  // Found by tests/fuzz/config_text_fuzz: locating the missing repeated
  // field `standards` aborted inside protobuf.
  auto empty = ParsePolicy("", "policy.textproto");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("policy.textproto"));
  EXPECT_THAT(empty.status().message(),
              HasSubstr("at least one standard is required"));
}

TEST(PolicyTest, SyntaxErrorGivesFileLineAndColumn) {
  const std::string path = PolicyFile(
      "version: \"v\"\n"
      "standards {\n"
      "  monthly_standard_fen: lots\n"
      "}\n");
  const absl::StatusOr<v1::Policy> p = LoadPolicy(path);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr(path + ":3:25: "));
}

TEST(PolicyTest, UnknownFieldIsASyntaxError) {
  const std::string path = PolicyFile("version: \"v\"\nstandard_fen: 1\n");
  const absl::StatusOr<v1::Policy> p = LoadPolicy(path);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr(path + ":2:"));
}

TEST(PolicyTest, MissingFileIsNotFound) {
  const std::string path = testing::NewTempDir("policy") + "/absent.textproto";
  const absl::StatusOr<v1::Policy> p = LoadPolicy(path);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(p.status().message(), HasSubstr(path));
}

TEST(PolicyTest, TwoStandardsForTheSameDistrictAndDayAreRefused) {
  const std::string path = PolicyFile(
      std::string("version: \"v\"\n"
                  "standards { district_code: \"*\" effective_from { year: "
                  "2008 month: 1 day: 1 } monthly_standard_fen: 20500 }\n"
                  "standards { district_code: \"420102\" effective_from { "
                  "year: 2008 month: 1 day: 1 } monthly_standard_fen: 21000 }\n"
                  "standards { district_code: \"*\" effective_from { year: "
                  "2008 month: 1 day: 1 } monthly_standard_fen: 20600 }\n") +
      kRest);
  const absl::StatusOr<v1::Policy> p = LoadPolicy(path);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message(),
            path +
                ":4:1: standards[2]: a second standard for * from "
                "2008-01-01");
}

TEST(PolicyTest, TwoSupplementsForOneCategoryAreRefused) {
  v1::Policy p = testing::SamplePolicy();
  v1::CategorySupplement* again = p.add_supplements();
  again->set_category(v1::CATEGORY_DISABLED);
  again->set_monthly_fen(4000);
  const absl::Status s = ValidatePolicy(p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "supplements[6].category: CATEGORY_DISABLED appears twice");
}

TEST(PolicyTest, ValidateWithoutLocatorNamesTheField) {
  v1::Policy p = testing::SamplePolicy();
  p.clear_version();
  p.mutable_standards(0)->clear_effective_from();
  p.mutable_assets()->set_max_area_m2_per_member(-1);
  p.mutable_signals()->set_lookback_months(-6);
  const absl::Status s = ValidatePolicy(p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "version: is required: flags record the policy they used\n"
            "standards[0].effective_from: is required\n"
            "assets.max_area_m2_per_member: must not be negative\n"
            "signals.lookback_months: must not be negative, is -6");
}

TEST(PolicyTest, NoStandardAtAllIsRefused) {
  v1::Policy p = testing::SamplePolicy();
  p.clear_standards();
  const absl::Status s = ValidatePolicy(p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "standards: at least one standard is required");
}

TEST(PolicyTest, InvalidEffectiveDateIsRefused) {
  v1::Policy p = testing::SamplePolicy();
  p.mutable_standards(0)->mutable_effective_from()->set_day(31);
  p.mutable_standards(0)->mutable_effective_from()->set_month(2);
  const absl::Status s = ValidatePolicy(p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("standards[0].effective_from: "));
}

TEST(PolicyTest, StandardOnPrefersTheDistrictsOwnLine) {
  v1::Policy p = testing::SamplePolicy();            // "*" 205 from 2008
  AddStandard(p, "*", Day(2024, 1, 1), 25000);       // "*" 250 from 2024
  AddStandard(p, "420102", Day(2020, 1, 1), 30000);  // own 300 from 2020
  AddStandard(p, "420102", Day(2025, 7, 1), 32000);  // own 320 from 2025-07
  // The district's own line, even though "*" has a later one.
  EXPECT_EQ(*StandardOn(p, "420102", Day(2024, 6, 1)), 30000);
  // Its latest own line on or before the day.
  EXPECT_EQ(*StandardOn(p, "420102", Day(2025, 6, 30)), 30000);
  EXPECT_EQ(*StandardOn(p, "420102", Day(2025, 7, 1)), 32000);
  // Before its own first line: "*".
  EXPECT_EQ(*StandardOn(p, "420102", Day(2019, 12, 31)), 20500);
  // Another district: the latest "*" line.
  EXPECT_EQ(*StandardOn(p, "420106", Day(2023, 12, 31)), 20500);
  EXPECT_EQ(*StandardOn(p, "420106", Day(2024, 1, 1)), 25000);
}

TEST(PolicyTest, StandardOnBeforeAnyEffectiveDateIsNotFound) {
  const v1::Policy p = testing::SamplePolicy();
  const absl::StatusOr<int64_t> s = StandardOn(p, "420102", Day(2007, 12, 31));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.status().message(),
            "the policy has no standard for district 420102 on 2007-12-31");
}

TEST(PolicyTest, StandardOnWithoutALineForTheDistrictIsNotFound) {
  v1::Policy p;
  AddStandard(p, "420106", Day(2008, 1, 1), 20500);
  const absl::StatusOr<int64_t> s = StandardOn(p, "420102", Day(2026, 1, 1));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.status().message(), HasSubstr("420102"));
  EXPECT_THAT(s.status().message(), HasSubstr("2026-01-01"));
}

TEST(PolicyTest, StandardChangesBetween) {
  v1::Policy p = testing::SamplePolicy();  // from 2008-01-01
  AddStandard(p, "420102", Day(2026, 12, 1), 21500);
  // (after, through]: the day of the change is in, the day before is not.
  EXPECT_TRUE(StandardChangesBetween(p, Day(2026, 11, 30), Day(2026, 12, 1)));
  EXPECT_TRUE(StandardChangesBetween(p, Day(2026, 11, 20), Day(2027, 1, 1)));
  EXPECT_FALSE(StandardChangesBetween(p, Day(2026, 12, 1), Day(2027, 1, 1)));
  EXPECT_FALSE(StandardChangesBetween(p, Day(2026, 11, 1), Day(2026, 11, 30)));
  EXPECT_TRUE(StandardChangesBetween(p, Day(2007, 12, 31), Day(2008, 1, 1)));
  EXPECT_FALSE(StandardChangesBetween(p, Day(2008, 1, 1), Day(2026, 11, 30)));
}

TEST(PolicyTest, SupplementFor) {
  const v1::Policy p = testing::SamplePolicy();
  EXPECT_EQ(SupplementFor(p, v1::CATEGORY_DISABLED), 3000);
  EXPECT_EQ(SupplementFor(p, v1::CATEGORY_ELDERLY), 2000);
  EXPECT_EQ(SupplementFor(p, v1::CATEGORY_UNSPECIFIED), 0);
  EXPECT_EQ(SupplementFor(v1::Policy(), v1::CATEGORY_DISABLED), 0);
}

TEST(PolicyTest, AddMonthsClampsToTheEndOfShorterMonths) {
  EXPECT_EQ(AddMonths(Day(2026, 1, 31), 1), Day(2026, 2, 28));
  EXPECT_EQ(AddMonths(Day(2024, 1, 31), 1), Day(2024, 2, 29));
  EXPECT_EQ(AddMonths(Day(2026, 3, 31), -1), Day(2026, 2, 28));
  EXPECT_EQ(AddMonths(Day(2026, 8, 31), 1), Day(2026, 9, 30));
  EXPECT_EQ(AddMonths(Day(2024, 2, 29), 12), Day(2025, 2, 28));
  EXPECT_EQ(AddMonths(Day(2026, 5, 20), 6), Day(2026, 11, 20));
  EXPECT_EQ(AddMonths(Day(2026, 11, 20), 2), Day(2027, 1, 20));
  EXPECT_EQ(AddMonths(Day(2026, 11, 20), 0), Day(2026, 11, 20));
  EXPECT_EQ(AddMonths(Day(2024, 11, 20), 24), Day(2026, 11, 20));
}

}  // namespace
}  // namespace dibao
