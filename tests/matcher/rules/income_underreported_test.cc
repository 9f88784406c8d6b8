// INCOME_UNDERREPORTED (matcher/rules/income_underreported.cc).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/rules/rule.h"
#include "tests/matcher/rules/rule_test_util.h"

namespace dibao {
namespace {

using testing::Assistance;
using testing::Benefit;
using testing::CaseBuilder;
using testing::Day;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Job;
using testing::Month;
using ::testing::Pair;
using testing::Pension;
using ::testing::SizeIs;

TEST(IncomeUnderreportedTest, WageAboveReportedIncomeIsFlagged) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.Report(zhang, v1::REPORTED_STATUS_EMPLOYED, 100000);
  const int job = b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
  const std::vector<Detection> out = b.Run(CheckIncomeUnderreported);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, zhang);
  EXPECT_EQ(d.summary,
            "verified income 2800.00 yuan/month, reported 1000.00: wage at "
            "武汉钢铁 2800.00");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(job)));
  EXPECT_THAT(d.reported, ElementsAre(Pair("members[" + b.id(zhang) +
                                               "].reported_monthly_income_fen",
                                           "1000.00 yuan")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kVerifiedIncome);
  EXPECT_EQ(d.if_true.member, zhang);
}

TEST(IncomeUnderreportedTest, DifferenceWithinToleranceIsNotFlagged) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
  // Exactly the tolerance (20 yuan) above: noise. Still above what was
  // reported, it keeps an open flag of the conflict open (the resolution
  // margin is the tolerance by default).
  b.Report(zhang, v1::REPORTED_STATUS_EMPLOYED, 278000);
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
  ASSERT_THAT(b.sustaining(), SizeIs(1));
  EXPECT_EQ(b.sustaining()[0].member, zhang);
  // Reported as verified: nothing at all.
  b.Report(zhang, v1::REPORTED_STATUS_EMPLOYED, 280000);
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
  EXPECT_THAT(b.sustaining(), IsEmpty());
  // One fen more is not.
  b.Report(zhang, v1::REPORTED_STATUS_EMPLOYED, 277999);
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), SizeIs(1));
}

TEST(IncomeUnderreportedTest, ReportedAboveVerifiedIsNotFlagged) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.Report(zhang, v1::REPORTED_STATUS_EMPLOYED, 300000);
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
}

TEST(IncomeUnderreportedTest, DeclaredJobMatchingReportedIncomeIsNoConflict) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.Report(zhang, v1::REPORTED_STATUS_EMPLOYED, 280000);
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
  EXPECT_THAT(b.Run(CheckUndeclaredEmployment), IsEmpty());
}

TEST(IncomeUnderreportedTest, JobThatEndedBeforeTheDayDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 3, 1), 280000, Day(2026, 11, 19)));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
}

TEST(IncomeUnderreportedTest, UnionAssistanceIsAveragedOverThreeMonths) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  // 60 yuan counts as 20 a month: within the tolerance, although the
  // payment itself is above it.
  const int small = b.AddFact(zhang, Assistance(Day(2026, 10, 1), 6000));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
  b.record(small).mutable_assistance()->set_amount_fen(9000);
  const std::vector<Detection> out = b.Run(CheckIncomeUnderreported);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "verified income 30.00 yuan/month, reported 0.00: union "
            "assistance of 90.00 over 3 months 30.00");
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(small)));
}

TEST(IncomeUnderreportedTest, UnionAssistanceCountsForThreeMonthsOnly) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  // Paid three months before the day: its months are over.
  const int paid = b.AddFact(zhang, Assistance(Day(2026, 8, 20), 300000));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
  *b.record(paid).mutable_assistance()->mutable_paid_date() =
      ToProto(Day(2026, 8, 21));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), SizeIs(1));
}

TEST(IncomeUnderreportedTest, AssistancePaidAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Assistance(Day(2026, 11, 21), 300000));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
}

TEST(IncomeUnderreportedTest, UnemploymentBenefitCountsWhilePaid) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Benefit(Month(2026, 1), Month(2026, 12), 150000));
  const std::vector<Detection> out = b.Run(CheckIncomeUnderreported);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "verified income 1500.00 yuan/month, reported 0.00: unemployment "
            "benefit 1500.00");
}

TEST(IncomeUnderreportedTest, UnemploymentBenefitEndsAtTheLegalMaximum) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  // Claimed through 2026-12, but paid 24 months at most: through 2025-12.
  b.AddFact(zhang, Benefit(Month(2024, 1), Month(2026, 12), 150000));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
  b.set_day(Day(2025, 12, 31));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), SizeIs(1));
}

TEST(IncomeUnderreportedTest, PensionCountsFromItsStartDate) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.Report(zhang, v1::REPORTED_STATUS_RETIRED, 0);
  b.AddFact(zhang, Pension(Day(2026, 12, 1), 180000));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), IsEmpty());
  b.set_day(Day(2026, 12, 1));
  EXPECT_THAT(b.Run(CheckIncomeUnderreported), SizeIs(1));
}

TEST(IncomeUnderreportedTest, SeveralSourcesAddUp) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1960, 3, 9), v1::SEX_FEMALE);
  b.Report(li, v1::REPORTED_STATUS_RETIRED, 100000);
  // Neither alone is more than 20 yuan above what she reported.
  const int job = b.AddFact(li, Job("社区超市", Day(2026, 9, 1), 2500));
  const int pension = b.AddFact(li, Pension(Day(2020, 3, 9), 100000));
  const std::vector<Detection> out = b.Run(CheckIncomeUnderreported);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].member, li);
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(job), b.fact(pension)));
  EXPECT_EQ(out[0].summary,
            "verified income 1025.00 yuan/month, reported 1000.00: wage at "
            "社区超市 25.00; pension 1000.00");
}

}  // namespace
}  // namespace dibao
