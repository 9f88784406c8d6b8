// HOUSEHOLD_INCOME_ABOVE_STANDARD
// (matcher/rules/household_income_above_standard.cc).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/rules/rule.h"
#include "tests/matcher/rules/rule_test_util.h"

namespace dibao {
namespace {

using testing::CaseBuilder;
using testing::Custody;
using testing::Day;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Hukou;
using ::testing::IsEmpty;
using testing::Job;
using ::testing::Pair;
using testing::Pension;
using ::testing::SizeIs;

std::string IncomeField(const CaseBuilder& b, int i) {
  return "members[" + b.id(i) + "].reported_monthly_income_fen";
}

TEST(HouseholdIncomeAboveStandardTest, UndeclaredWageMakesAnExitCandidate) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int job = b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
  const std::vector<Detection> out =
      b.RunAfterReassessment(CheckHouseholdIncomeAboveStandard);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, -1);
  // 2800 less the 100 yuan work-expense disregard.
  EXPECT_EQ(d.summary,
            "per-capita income 2700.00 is at or above the standard 205.00 (1 "
            "countable, household 2700.00)");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(job)));
  EXPECT_THAT(d.reported,
              ElementsAre(Pair(IncomeField(b, zhang), "0.00 yuan")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kReassessed);
  EXPECT_EQ(d.if_true.member, -1);
}

TEST(HouseholdIncomeAboveStandardTest, BelowTheStandardIsNoConflict) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  // (50000 - 10000) / 2 = 200 yuan per capita, below 205.
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 50000));
  EXPECT_THAT(b.RunAfterReassessment(CheckHouseholdIncomeAboveStandard),
              IsEmpty());
  EXPECT_TRUE(b.assessment().income_eligible());
  // 5 yuan below, within the 20-yuan resolution margin: an open flag of
  // the household stays open; nothing is raised.
  ASSERT_THAT(b.sustaining(), SizeIs(1));
  EXPECT_THAT(b.sustaining()[0].summary,
              HasSubstr("is below the standard 205.00 by no more than the "
                        "resolution margin 20.00"));
}

TEST(HouseholdIncomeAboveStandardTest, WellBelowTheStandardSustainsNothing) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  // (40000 - 10000) / 2 = 150 yuan per capita, far below 205.
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 40000));
  EXPECT_THAT(b.RunAfterReassessment(CheckHouseholdIncomeAboveStandard),
              IsEmpty());
  EXPECT_THAT(b.sustaining(), IsEmpty());
}

TEST(HouseholdIncomeAboveStandardTest, AtTheStandardIsAnExitCandidate) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟", Day(1955, 1, 1), v1::SEX_MALE);
  b.Report(zhang, v1::REPORTED_STATUS_RETIRED, 20500);
  // Reported as it is: no partner fact is evidence.
  b.AddFact(zhang, Pension(Day(2015, 1, 1), 20500));
  const std::vector<Detection> out =
      b.RunAfterReassessment(CheckHouseholdIncomeAboveStandard);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].facts, IsEmpty());
  EXPECT_EQ(out[0].summary,
            "per-capita income 205.00 is at or above the standard 205.00 (1 "
            "countable, household 205.00)");
}

TEST(HouseholdIncomeAboveStandardTest, EvidenceIsWhatExceedsTheReport) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1960, 3, 9), v1::SEX_FEMALE);
  b.Report(zhang, v1::REPORTED_STATUS_EMPLOYED, 300000);
  b.AddFact(zhang, Job("武汉钢铁", Day(2020, 1, 1), 300000));  // as reported
  const int pension = b.AddFact(li, Pension(Day(2020, 3, 9), 50000));
  const std::vector<Detection> out =
      b.RunAfterReassessment(CheckHouseholdIncomeAboveStandard);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(pension)));
  EXPECT_THAT(out[0].reported,
              ElementsAre(Pair(IncomeField(b, zhang), "3000.00 yuan"),
                          Pair(IncomeField(b, li), "0.00 yuan")));
  EXPECT_EQ(out[0].summary,
            "per-capita income 1700.00 is at or above the standard 205.00 (2 "
            "countable, household 3400.00)");
}

TEST(HouseholdIncomeAboveStandardTest, MembersWhoDoNotCountAreLeftOut) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1960, 3, 9), v1::SEX_FEMALE);
  const int wang = b.AddMember("王强", Day(1990, 1, 15), v1::SEX_MALE);
  b.AddFact(zhang, Job("武汉钢铁", Day(2020, 1, 1), 300000));
  b.AddFact(li, Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 10, 3)));
  b.AddFact(li, Pension(Day(2020, 3, 9), 50000));
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2026, 5, 12)));
  const std::vector<Detection> out =
      b.RunAfterReassessment(CheckHouseholdIncomeAboveStandard);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].reported,
              ElementsAre(Pair(IncomeField(b, zhang), "0.00 yuan")));
  EXPECT_THAT(out[0].facts, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "per-capita income 2900.00 is at or above the standard 205.00 (1 "
            "countable, household 2900.00)");
}

TEST(HouseholdIncomeAboveStandardTest, NoCountableMemberIsNoExitCandidate) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 10, 3)));
  b.AddFact(zhang, Pension(Day(2020, 3, 9), 500000));
  EXPECT_THAT(b.RunAfterReassessment(CheckHouseholdIncomeAboveStandard),
              IsEmpty());
  EXPECT_EQ(b.assessment().countable_members(), 0);
}

TEST(HouseholdIncomeAboveStandardTest, NeedsTheAssessment) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
  EXPECT_THAT(b.Run(CheckHouseholdIncomeAboveStandard), IsEmpty());
}

}  // namespace
}  // namespace dibao
