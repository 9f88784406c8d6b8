// UNDECLARED_EMPLOYMENT (matcher/rules/undeclared_employment.cc).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/rules/rule.h"
#include "tests/matcher/rules/rule_test_util.h"

namespace dibao {
namespace {

using testing::CaseBuilder;
using testing::Day;
using ::testing::ElementsAre;
using testing::Hardship;
using ::testing::IsEmpty;
using testing::Job;
using ::testing::Pair;
using ::testing::SizeIs;

TEST(UndeclaredEmploymentTest, FlagsJobOfMemberReportedUnemployed) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int job = b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
  const std::vector<Detection> out = b.Run(CheckUndeclaredEmployment);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, zhang);
  EXPECT_EQ(d.summary,
            "employed at 武汉钢铁 since 2026-07-02 at 2800.00 yuan/month");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(job)));
  EXPECT_THAT(d.identity, IsEmpty());
  EXPECT_THAT(
      d.reported,
      ElementsAre(
          Pair("members[" + b.id(zhang) + "].reported_status", "UNEMPLOYED"),
          Pair("members[" + b.id(zhang) + "].reported_monthly_income_fen",
               "0.00 yuan")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kVerifiedIncome);
  EXPECT_EQ(d.if_true.member, zhang);
}

TEST(UndeclaredEmploymentTest, NamesTheMemberWithTheJob) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  b.Report(li, v1::REPORTED_STATUS_LAID_OFF, 0);
  b.AddFact(li, Job("汉口商场", Day(2026, 1, 5), 150000));
  const std::vector<Detection> out = b.Run(CheckUndeclaredEmployment);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].member, li);
  EXPECT_EQ(out[0].if_true.member, li);
  EXPECT_EQ(out[0].reported[0].second, "LAID_OFF");
}

TEST(UndeclaredEmploymentTest, JobThatEndedBeforeTheDayDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 3, 1), 280000, Day(2026, 10, 31)));
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), IsEmpty());
}

TEST(UndeclaredEmploymentTest, JobEndingOnTheDayStillCounts) {
  // The end date is the last day worked.
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 3, 1), 280000, testing::kDay));
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), SizeIs(1));
}

TEST(UndeclaredEmploymentTest, JobStartingAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 12, 1), 280000));
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), IsEmpty());
  b.set_day(Day(2026, 12, 1));
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), SizeIs(1));
}

TEST(UndeclaredEmploymentTest, DeclaredJobMatchingReportedIncomeIsNoConflict) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.Report(zhang, v1::REPORTED_STATUS_EMPLOYED, 280000);
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), IsEmpty());
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
}

TEST(UndeclaredEmploymentTest, JobWithoutWageIsNotFlagged) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Job("社区公益岗", Day(2026, 7, 2), 0));
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), IsEmpty());
}

TEST(UndeclaredEmploymentTest, EmployerCodeWhenTheNameIsMissing) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Job("", Day(2026, 7, 2), 123456));
  const std::vector<Detection> out = b.Run(CheckUndeclaredEmployment);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "employed at E-0001 since 2026-07-02 at 1234.56 yuan/month");
}

TEST(UndeclaredEmploymentTest, ActiveHardshipRegistrationNamingEmployer) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int reg = b.AddFact(
      zhang, Hardship("E-0042", Day(2026, 3, 1), v1::HARDSHIP_STATUS_ACTIVE));
  const std::vector<Detection> out = b.Run(CheckUndeclaredEmployment);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].member, zhang);
  EXPECT_EQ(out[0].summary,
            "ACTIVE union hardship registration by employer E-0042 since "
            "2026-03-01");
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(reg)));
  EXPECT_EQ(out[0].if_true.kind, IfTrue::Kind::kVerifiedIncome);
}

TEST(UndeclaredEmploymentTest, ClosedHardshipRegistrationDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang,
            Hardship("E-0042", Day(2026, 3, 1), v1::HARDSHIP_STATUS_CLOSED));
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), IsEmpty());
}

TEST(UndeclaredEmploymentTest,
     HardshipRegistrationWithoutEmployerDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hardship("", Day(2026, 3, 1), v1::HARDSHIP_STATUS_ACTIVE));
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), IsEmpty());
}

TEST(UndeclaredEmploymentTest, HardshipRegisteredAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang,
            Hardship("E-0042", Day(2026, 11, 21), v1::HARDSHIP_STATUS_ACTIVE));
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), IsEmpty());
}

TEST(UndeclaredEmploymentTest, JobAndHardshipInOneDetection) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int reg = b.AddFact(
      zhang, Hardship("E-0042", Day(2026, 3, 1), v1::HARDSHIP_STATUS_ACTIVE));
  const int job = b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
  const std::vector<Detection> out = b.Run(CheckUndeclaredEmployment);
  ASSERT_THAT(out, SizeIs(1));
  // Jobs first, then registrations.
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(job), b.fact(reg)));
  EXPECT_EQ(out[0].summary,
            "employed at 武汉钢铁 since 2026-07-02 at 2800.00 yuan/month; "
            "ACTIVE union hardship registration by employer E-0042 since "
            "2026-03-01");
}

}  // namespace
}  // namespace dibao
