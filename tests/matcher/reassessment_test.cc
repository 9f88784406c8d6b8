#include "matcher/reassessment.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/matcher/rules/rule_test_util.h"

namespace dibao {
namespace {

using testing::CaseBuilder;
using ::testing::Contains;
using testing::Custody;
using testing::Day;
using ::testing::ElementsAre;
using testing::Hukou;
using testing::Job;
using testing::Pension;
using ::testing::SizeIs;

// "张伟 (4201...)" as the explanation names a member.
std::string Who(CaseBuilder& b, int i) {
  return b.member(i).name() + " (" + b.id(i) + ")";
}

v1::Assessment MustReassess(CaseBuilder& b, bool assets_pass = true) {
  b.Build();
  absl::StatusOr<v1::Assessment> a =
      Reassess(b.hc(), b.policy(), b.standing(), assets_pass);
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *a : v1::Assessment();
}

std::vector<std::string> Lines(const v1::Assessment& a) {
  return {a.explanation().begin(), a.explanation().end()};
}

// Three members: an employed one reporting 400.01 yuan, two without income.
class ReassessmentTest : public ::testing::Test {
 protected:
  ReassessmentTest() {
    zhang_ = b_.AddMember("张伟");
    li_ = b_.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
    ming_ = b_.AddMember("张小明", Day(2010, 8, 8), v1::SEX_MALE);
    b_.Report(zhang_, v1::REPORTED_STATUS_EMPLOYED, 40001);
    b_.Report(ming_, v1::REPORTED_STATUS_STUDENT, 0);
    b_.household().set_monthly_benefit_fen(31500);
  }

  CaseBuilder b_;
  int zhang_ = 0;
  int li_ = 0;
  int ming_ = 0;
};

TEST_F(ReassessmentTest, TopUpArithmetic) {
  const v1::Assessment a = MustReassess(b_);
  EXPECT_EQ(a.household_id(), "H-420102-0001");
  EXPECT_EQ(FormatDate(a.as_of()), "2026-11-20");
  EXPECT_EQ(a.policy_version(), "test-2026-11");
  EXPECT_EQ(a.standard_fen(), 20500);
  EXPECT_EQ(a.countable_members(), 3);
  // 400.01 less the 100 yuan disregard.
  EXPECT_EQ(a.household_income_fen(), 30001);
  // 300.01 / 3 = 100.0033...: rounded down to the fen.
  EXPECT_EQ(a.per_capita_income_fen(), 10000);
  EXPECT_TRUE(a.income_eligible());
  EXPECT_TRUE(a.assets_pass());
  EXPECT_EQ(a.supplements_fen(), 0);
  // (205 - 100) x 3.
  EXPECT_EQ(a.top_up_fen(), 31500);
  EXPECT_EQ(a.current_benefit_fen(), 31500);
  ASSERT_THAT(a.members(), SizeIs(3));
  EXPECT_EQ(a.members(0).id_number(), b_.id(zhang_));
  EXPECT_EQ(a.members(0).name(), "张伟");
  EXPECT_TRUE(a.members(0).countable());
  EXPECT_TRUE(a.members(0).employed());
  EXPECT_EQ(a.members(0).reported_income_fen(), 40001);
  EXPECT_EQ(a.members(0).verified_income_fen(), 0);
  EXPECT_EQ(a.members(0).countable_income_fen(), 30001);
  EXPECT_FALSE(a.members(1).employed());
  EXPECT_EQ(a.members(1).countable_income_fen(), 0);
}

TEST_F(ReassessmentTest, ExplanationLines) {
  b_.household().add_categories(v1::CATEGORY_DISABLED);
  b_.household().add_categories(v1::CATEGORY_ELDERLY);
  const v1::Assessment a = MustReassess(b_);
  EXPECT_EQ(a.supplements_fen(), 5000);
  EXPECT_EQ(a.top_up_fen(), 36500);
  EXPECT_THAT(
      Lines(a),
      ElementsAre(
          "standard for district 420102 on 2026-11-20: 205.00 yuan/month "
          "(policy test-2026-11)",
          Who(b_, zhang_) +
              ": reported 400.01, verified 0.00; employed, less 100.00 work "
              "expenses: counts 300.01",
          Who(b_, li_) + ": reported 0.00, verified 0.00: counts 0.00",
          Who(b_, ming_) + ": reported 0.00, verified 0.00: counts 0.00",
          "household income 300.01 over 3 countable members: 100.00 per "
          "capita",
          "(205.00 - 100.00) x 3 = 315.00",
          "supplement CATEGORY_DISABLED: 30.00",
          "supplement CATEGORY_ELDERLY: 20.00",
          "top-up: 365.00 yuan/month; paid now: 315.00"));
}

TEST_F(ReassessmentTest, VerifiedIncomeIsExplainedBySource) {
  b_.AddFact(li_, Job("汉口商场", Day(2026, 1, 5), 30000));
  b_.AddFact(li_, Pension(Day(2026, 1, 1), 5000));
  const v1::Assessment a = MustReassess(b_);
  EXPECT_THAT(Lines(a),
              Contains(Who(b_, li_) +
                       ": reported 0.00, verified 350.00 (wage at 汉口商场 "
                       "300.00, pension 50.00); employed, less 100.00 work "
                       "expenses: counts 250.00"));
  EXPECT_TRUE(a.members(li_).employed());
  EXPECT_EQ(a.members(li_).verified_income_fen(), 35000);
}

TEST_F(ReassessmentTest, AtOrAboveTheStandardPaysNothing) {
  // 615.00 + 100.00 disregard: exactly 205.00 per capita.
  b_.Report(zhang_, v1::REPORTED_STATUS_EMPLOYED, 71500);
  const v1::Assessment a = MustReassess(b_);
  EXPECT_EQ(a.per_capita_income_fen(), 20500);
  EXPECT_FALSE(a.income_eligible());
  EXPECT_EQ(a.top_up_fen(), 0);
  EXPECT_EQ(a.supplements_fen(), 0);
  EXPECT_THAT(Lines(a),
              Contains("205.00 per capita is at or above the standard 205.00: "
                       "not eligible, an exit candidate (gradual exit: the "
                       "benefit may continue 3 months)"));
  EXPECT_EQ(Lines(a).back(), "top-up: 0.00 yuan/month; paid now: 315.00");
  // One fen less is below the standard again.
  b_.Report(zhang_, v1::REPORTED_STATUS_EMPLOYED, 71499);
  const v1::Assessment below = MustReassess(b_);
  EXPECT_EQ(below.per_capita_income_fen(), 20499);
  EXPECT_EQ(below.top_up_fen(), 3);
}

TEST_F(ReassessmentTest, FailedAssetTestPaysNothing) {
  b_.household().add_categories(v1::CATEGORY_DISABLED);
  const v1::Assessment a = MustReassess(b_, /*assets_pass=*/false);
  EXPECT_TRUE(a.income_eligible());
  EXPECT_FALSE(a.assets_pass());
  EXPECT_EQ(a.top_up_fen(), 0);
  EXPECT_EQ(a.supplements_fen(), 0);
  EXPECT_THAT(Lines(a),
              Contains("the asset test fails (see the asset flags): not "
                       "eligible"));
}

TEST_F(ReassessmentTest, DeceasedAndInCustodyDoNotCount) {
  b_.AddFact(li_, Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 10, 3)),
             "police-2026-10");
  b_.AddFact(
      ming_,
      Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2026, 5, 12), "少管所"),
      "justice-2026-05");
  const v1::Assessment a = MustReassess(b_);
  EXPECT_EQ(a.countable_members(), 1);
  EXPECT_EQ(a.household_income_fen(), 30001);
  EXPECT_EQ(a.per_capita_income_fen(), 30001);
  EXPECT_FALSE(a.income_eligible());
  EXPECT_FALSE(a.members(li_).countable());
  EXPECT_EQ(a.members(li_).not_countable_reason(),
            "died on 2026-10-03 (public security, batch police-2026-10)");
  EXPECT_EQ(a.members(li_).countable_income_fen(), 0);
  EXPECT_FALSE(a.members(ming_).countable());
  EXPECT_EQ(a.members(ming_).not_countable_reason(),
            "in custody since 2026-05-12 (INCARCERATED, justice, batch "
            "justice-2026-05)");
  EXPECT_THAT(Lines(a), Contains(Who(b_, li_) +
                                 ": died on 2026-10-03 (public security, batch "
                                 "police-2026-10): not counted"));
  EXPECT_THAT(Lines(a),
              Contains("household income 300.01 over 1 countable member: "
                       "300.01 per capita"));
}

TEST_F(ReassessmentTest, ReleasedMemberCountsAgain) {
  b_.AddFact(ming_, Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2025, 5, 12)));
  b_.AddFact(ming_, Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 5, 12)));
  EXPECT_EQ(MustReassess(b_).countable_members(), 3);
}

TEST_F(ReassessmentTest, NoCountableMember) {
  for (int i : {zhang_, li_, ming_}) {
    b_.AddFact(i, Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 10, 3)));
  }
  const v1::Assessment a = MustReassess(b_);
  EXPECT_EQ(a.countable_members(), 0);
  EXPECT_EQ(a.per_capita_income_fen(), 0);
  EXPECT_FALSE(a.income_eligible());
  EXPECT_EQ(a.top_up_fen(), 0);
  EXPECT_THAT(Lines(a), Contains("no countable member: not eligible"));
}

TEST_F(ReassessmentTest, LargerOfReportedAndVerified) {
  // Reported 400.01 beats a verified wage of 300.
  const int low = b_.AddFact(zhang_, Job("武汉钢铁", Day(2026, 1, 5), 30000));
  EXPECT_EQ(MustReassess(b_).members(zhang_).countable_income_fen(), 30001);
  // A verified wage of 500 beats it.
  b_.record(low).mutable_employment()->set_monthly_wage_fen(50000);
  EXPECT_EQ(MustReassess(b_).members(zhang_).countable_income_fen(), 40000);
}

TEST_F(ReassessmentTest, DisregardOnlyForTheEmployed) {
  // A pension is not work: no disregard.
  b_.Report(li_, v1::REPORTED_STATUS_RETIRED, 30000);
  b_.AddFact(li_, Pension(Day(2020, 1, 1), 50000));
  // A job on record makes a member employed whatever was reported.
  b_.AddFact(ming_, Job("奶茶店", Day(2026, 7, 1), 20000));
  const v1::Assessment a = MustReassess(b_);
  EXPECT_FALSE(a.members(li_).employed());
  EXPECT_EQ(a.members(li_).countable_income_fen(), 50000);
  EXPECT_TRUE(a.members(ming_).employed());
  EXPECT_EQ(a.members(ming_).countable_income_fen(), 10000);
}

TEST_F(ReassessmentTest, DisregardNeverMakesIncomeNegative) {
  b_.Report(zhang_, v1::REPORTED_STATUS_EMPLOYED, 5000);
  const v1::Assessment a = MustReassess(b_);
  EXPECT_EQ(a.members(zhang_).countable_income_fen(), 0);
  EXPECT_EQ(a.household_income_fen(), 0);
  EXPECT_EQ(a.top_up_fen(), 61500);
}

TEST_F(ReassessmentTest, NoStandardForTheDistrictIsNotFound) {
  b_.policy().mutable_standards(0)->set_district_code("420106");
  b_.Build();
  const absl::StatusOr<v1::Assessment> a =
      Reassess(b_.hc(), b_.policy(), b_.standing(), true);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ReassessmentTest, TopUpIfNothingIsThePaidBenefit) {
  const v1::Assessment a = MustReassess(b_);
  const absl::StatusOr<TopUpEstimate> e =
      TopUpIf(b_.hc(), b_.policy(), b_.standing(), a, IfTrue{});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->top_up_fen, 31500);
  EXPECT_THAT(e->explanation, ElementsAre("no change to the benefit if true"));
}

TEST_F(ReassessmentTest, TopUpIfReassessedIsTheAssessments) {
  v1::Assessment a = MustReassess(b_);
  a.set_top_up_fen(12345);
  const absl::StatusOr<TopUpEstimate> e =
      TopUpIf(b_.hc(), b_.policy(), b_.standing(), a,
              IfTrue{IfTrue::Kind::kReassessed, -1});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->top_up_fen, 12345);
  EXPECT_THAT(e->explanation,
              ElementsAre("if true: the reassessment's top-up of 123.45 (see "
                          "the household's assessment)"));
}

TEST_F(ReassessmentTest, TopUpIfAssetsFailIsZero) {
  const v1::Assessment a = MustReassess(b_);
  const absl::StatusOr<TopUpEstimate> e =
      TopUpIf(b_.hc(), b_.policy(), b_.standing(), a,
              IfTrue{IfTrue::Kind::kAssetsFail, li_});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->top_up_fen, 0);
  EXPECT_THAT(e->explanation,
              ElementsAre("if true: the asset test fails, top-up 0.00"));
}

TEST_F(ReassessmentTest, TopUpIfVerifiedIncome) {
  // Li has an undeclared job of 300 yuan; everyone else as reported.
  b_.AddFact(li_, Job("汉口商场", Day(2026, 1, 5), 30000));
  const v1::Assessment a = MustReassess(b_);
  const absl::StatusOr<TopUpEstimate> e =
      TopUpIf(b_.hc(), b_.policy(), b_.standing(), a,
              IfTrue{IfTrue::Kind::kVerifiedIncome, li_});
  ASSERT_TRUE(e.ok()) << e.status();
  // (300.01 + 300 - 100) / 3 = 166.67; (205 - 166.67) x 3 = 114.99.
  EXPECT_EQ(e->top_up_fen, 11499);
  EXPECT_THAT(
      e->explanation,
      ElementsAre(
          "if true: as reported, but " + Who(b_, li_) +
              " has an income of 300.00 (less 100.00 work expenses)",
          "household income 500.01 over 3 countable members: 166.67 per "
          "capita",
          "(205.00 - 166.67) x 3 = 114.99"));
}

TEST_F(ReassessmentTest, TopUpIfVerifiedIncomeOfAMemberNotEmployed) {
  b_.AddFact(li_, Pension(Day(2020, 1, 1), 30000));
  const v1::Assessment a = MustReassess(b_);
  const absl::StatusOr<TopUpEstimate> e =
      TopUpIf(b_.hc(), b_.policy(), b_.standing(), a,
              IfTrue{IfTrue::Kind::kVerifiedIncome, li_});
  ASSERT_TRUE(e.ok()) << e.status();
  // (300.01 + 300) / 3 = 200.00; (205 - 200) x 3 = 15.
  EXPECT_EQ(e->top_up_fen, 1500);
  EXPECT_EQ(e->explanation[0], "if true: as reported, but " + Who(b_, li_) +
                                   " has an income of 300.00 (less 0.00 work "
                                   "expenses)");
}

TEST_F(ReassessmentTest, TopUpIfMemberLeaves) {
  // Li died; Zhang's undeclared wage is another conflict, not this one's.
  b_.AddFact(li_, Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 10, 3)));
  b_.AddFact(zhang_, Job("武汉钢铁", Day(2026, 1, 5), 90000));
  b_.household().add_categories(v1::CATEGORY_LAID_OFF);
  const v1::Assessment a = MustReassess(b_);
  const absl::StatusOr<TopUpEstimate> e =
      TopUpIf(b_.hc(), b_.policy(), b_.standing(), a,
              IfTrue{IfTrue::Kind::kMemberLeaves, li_});
  ASSERT_TRUE(e.ok()) << e.status();
  // 300.01 / 2 = 150.00; (205 - 150) x 2 + 10 supplement = 120.
  EXPECT_EQ(e->top_up_fen, 12000);
  EXPECT_THAT(e->explanation,
              ElementsAre("if true: as reported, but without " + Who(b_, li_),
                          "household income 300.01 over 2 countable members: "
                          "150.00 per capita",
                          "(205.00 - 150.00) x 2 = 110.00",
                          "supplement CATEGORY_LAID_OFF: 10.00"));
}

TEST_F(ReassessmentTest, TopUpIfNamesNoMemberIsAnInternalError) {
  const v1::Assessment a = MustReassess(b_);
  for (int member : {-1, 3}) {
    const absl::StatusOr<TopUpEstimate> e =
        TopUpIf(b_.hc(), b_.policy(), b_.standing(), a,
                IfTrue{IfTrue::Kind::kMemberLeaves, member});
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInternal) << member;
  }
}

}  // namespace
}  // namespace dibao
