// LAND_COMPENSATION (matcher/rules/land_compensation.cc).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/rules/rule.h"
#include "tests/matcher/rules/rule_test_util.h"

namespace dibao {
namespace {

using testing::CaseBuilder;
using testing::Conversion;
using testing::Day;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

TEST(LandCompensationTest, FlagsCompensationWithinTheLookBack) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  const int paid = b.AddFact(li, Conversion(Day(2025, 6, 1), 8000000));
  const std::vector<Detection> out = b.Run(CheckLandCompensation);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, li);
  EXPECT_EQ(d.summary,
            "land: compensation of 80000.00 yuan paid on 2025-06-01 (look-back "
            "24 months)");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(paid)));
  EXPECT_THAT(d.reported, ElementsAre(Pair("members[" + b.id(li) + "].assets",
                                           "no compensation declared")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kAssetsFail);
  EXPECT_EQ(d.if_true.member, li);
}

TEST(LandCompensationTest, CompensationOlderThanTheLookBackDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  // Paid exactly 24 months before the day: the look-back is over.
  const int paid = b.AddFact(zhang, Conversion(Day(2024, 11, 20), 8000000));
  EXPECT_THAT(b.Run(CheckLandCompensation), IsEmpty());
  *b.record(paid).mutable_conversion()->mutable_paid_date() =
      ToProto(Day(2024, 11, 21));
  EXPECT_THAT(b.Run(CheckLandCompensation), SizeIs(1));
}

TEST(LandCompensationTest, PaidAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Conversion(Day(2026, 11, 21), 8000000));
  EXPECT_THAT(b.Run(CheckLandCompensation), IsEmpty());
}

TEST(LandCompensationTest, ConversionWithoutCompensationDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Conversion(Day(2026, 6, 1), 0));
  EXPECT_THAT(b.Run(CheckLandCompensation), IsEmpty());
}

TEST(LandCompensationTest, SeveralPaymentsInOneDetection) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int first = b.AddFact(zhang, Conversion(Day(2025, 6, 1), 8000000));
  const int second = b.AddFact(zhang, Conversion(Day(2026, 2, 1), 1250050));
  const std::vector<Detection> out = b.Run(CheckLandCompensation);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(first), b.fact(second)));
  EXPECT_EQ(out[0].summary,
            "land: compensation of 80000.00 yuan paid on 2025-06-01; "
            "compensation of 12500.50 yuan paid on 2026-02-01 (look-back 24 "
            "months)");
}

TEST(LandCompensationTest, LookBackFollowsThePolicy) {
  CaseBuilder b;
  b.policy().mutable_assets()->set_land_compensation_lookback_months(12);
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Conversion(Day(2025, 6, 1), 8000000));
  EXPECT_THAT(b.Run(CheckLandCompensation), IsEmpty());
}

}  // namespace
}  // namespace dibao
