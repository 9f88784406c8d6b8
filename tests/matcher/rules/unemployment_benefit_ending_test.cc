// UNEMPLOYMENT_BENEFIT_ENDING (matcher/rules/unemployment_benefit_ending.cc).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/rules/rule.h"
#include "tests/matcher/rules/rule_test_util.h"

namespace dibao {
namespace {

using testing::Benefit;
using testing::CaseBuilder;
using testing::Day;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Month;
using ::testing::Pair;
using ::testing::SizeIs;

TEST(UnemploymentBenefitEndingTest, SignalsBenefitEndingNextMonth) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  const int benefit =
      b.AddFact(li, Benefit(Month(2026, 1), Month(2026, 12), 150000));
  const std::vector<Detection> out = b.Run(CheckUnemploymentBenefitEnding);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, li);
  EXPECT_EQ(d.summary,
            "labour: unemployment benefit of 1500.00 yuan/month is paid for "
            "the last time in 2026-12");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(benefit)));
  EXPECT_THAT(d.reported,
              ElementsAre(Pair("members[" + b.id(li) + "].reported_status",
                               "UNEMPLOYED")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kNothing);
}

TEST(UnemploymentBenefitEndingTest, EndingThisMonthIsSignalled) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Benefit(Month(2026, 1), Month(2026, 11), 150000));
  EXPECT_THAT(b.Run(CheckUnemploymentBenefitEnding), SizeIs(1));
}

TEST(UnemploymentBenefitEndingTest, EndingLaterIsNotYetSignalled) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  // Two months on: outside the 2-month notice.
  b.AddFact(zhang, Benefit(Month(2026, 1), Month(2027, 1), 150000));
  EXPECT_THAT(b.Run(CheckUnemploymentBenefitEnding), IsEmpty());
  b.set_day(Day(2026, 12, 1));
  EXPECT_THAT(b.Run(CheckUnemploymentBenefitEnding), SizeIs(1));
}

TEST(UnemploymentBenefitEndingTest, BenefitAlreadyEndedIsNotSignalled) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Benefit(Month(2025, 11), Month(2026, 10), 150000));
  EXPECT_THAT(b.Run(CheckUnemploymentBenefitEnding), IsEmpty());
}

TEST(UnemploymentBenefitEndingTest, BenefitNotStartedIsNotSignalled) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Benefit(Month(2026, 12), Month(2026, 12), 150000));
  EXPECT_THAT(b.Run(CheckUnemploymentBenefitEnding), IsEmpty());
}

TEST(UnemploymentBenefitEndingTest, CappedAtTwentyFourMonths) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  // Claimed through 2027-06, but 24 months from 2025-01 end in 2026-12.
  const int benefit =
      b.AddFact(zhang, Benefit(Month(2025, 1), Month(2027, 6), 150000));
  const std::vector<Detection> out = b.Run(CheckUnemploymentBenefitEnding);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "labour: unemployment benefit of 1500.00 yuan/month is paid for "
            "the last time in 2026-12");
  // Starting two months later, the cap is 2027-02: not yet.
  *b.record(benefit).mutable_unemployment_benefit()->mutable_start_month() =
      testing::MonthProto(Month(2025, 3));
  EXPECT_THAT(b.Run(CheckUnemploymentBenefitEnding), IsEmpty());
}

TEST(UnemploymentBenefitEndingTest, OpenEndedBenefitEndsAtTheCap) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Benefit(Month(2024, 12), std::nullopt, 150000));
  const std::vector<Detection> out = b.Run(CheckUnemploymentBenefitEnding);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "labour: unemployment benefit of 1500.00 yuan/month is paid for "
            "the last time in 2026-11");
}

}  // namespace
}  // namespace dibao
