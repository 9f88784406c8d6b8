// PROPERTY_HOLDING (matcher/rules/property_holding.cc).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/rules/rule.h"
#include "tests/matcher/rules/rule_test_util.h"

namespace dibao {
namespace {

using testing::CaseBuilder;
using testing::Day;
using ::testing::ElementsAre;
using testing::Hukou;
using ::testing::IsEmpty;
using ::testing::Pair;
using testing::Property;
using ::testing::SizeIs;

TEST(PropertyHoldingTest, TheHomeAloneIsAllowed) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Property("P-1", 48.5, Day(2001, 5, 1)));
  EXPECT_THAT(b.Run(CheckPropertyHolding), IsEmpty());
}

TEST(PropertyHoldingTest, SecondPropertyOfOneMember) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  const int home = b.AddFact(li, Property("P-1", 48.5, Day(2001, 5, 1)));
  const int flat = b.AddFact(li, Property("P-2", 102.0, Day(2025, 9, 1)));
  const std::vector<Detection> out = b.Run(CheckPropertyHolding);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, li);
  EXPECT_EQ(d.summary,
            "land: 2 properties held, 150.5 m2 in all (policy: at most 1)");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(home), b.fact(flat)));
  EXPECT_THAT(d.reported, ElementsAre(Pair("assets",
                                           "no property beyond the home "
                                           "declared")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kAssetsFail);
  EXPECT_EQ(d.if_true.member, li);
}

TEST(PropertyHoldingTest, PropertiesOfSeveralMembersAreTheHouseholds) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  b.AddFact(zhang, Property("P-1", 48.5, Day(2001, 5, 1)));
  b.AddFact(li, Property("P-2", 60.0, Day(2025, 9, 1)));
  const std::vector<Detection> out = b.Run(CheckPropertyHolding);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].member, -1);
  EXPECT_EQ(out[0].if_true.kind, IfTrue::Kind::kAssetsFail);
  EXPECT_EQ(out[0].if_true.member, -1);
  EXPECT_THAT(out[0].facts, SizeIs(2));
}

TEST(PropertyHoldingTest, SoldPropertyDoesNotCount) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Property("P-1", 48.5, Day(2001, 5, 1)));
  const int sold = b.AddFact(
      zhang, Property("P-2", 60.0, Day(2015, 9, 1), Day(2026, 11, 20)));
  EXPECT_THAT(b.Run(CheckPropertyHolding), IsEmpty());
  // Sold after the day: still held on it.
  *b.record(sold).mutable_property()->mutable_disposed_date() =
      ToProto(Day(2026, 11, 21));
  EXPECT_THAT(b.Run(CheckPropertyHolding), SizeIs(1));
}

TEST(PropertyHoldingTest, AcquiredAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Property("P-1", 48.5, Day(2001, 5, 1)));
  b.AddFact(zhang, Property("P-2", 60.0, Day(2026, 11, 21)));
  EXPECT_THAT(b.Run(CheckPropertyHolding), IsEmpty());
}

TEST(PropertyHoldingTest, FloorAreaPerCountableMember) {
  CaseBuilder b;
  b.policy().mutable_assets()->set_max_area_m2_per_member(40);
  const int zhang = b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  b.AddMember("张小明", Day(2010, 8, 8), v1::SEX_MALE);
  b.AddFact(zhang, Property("P-1", 120.0, Day(2001, 5, 1)));
  // 40 m2 each for three: at the limit, not above it.
  EXPECT_THAT(b.Run(CheckPropertyHolding), IsEmpty());
  // One of them died: 60 m2 each for the two who count.
  b.AddFact(li, Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 10, 3)));
  const std::vector<Detection> out = b.Run(CheckPropertyHolding);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].member, zhang);
  EXPECT_EQ(out[0].summary,
            "land: 1 property held, 120.0 m2 in all (policy: at most 1, 40.0 "
            "m2 per member)");
}

TEST(PropertyHoldingTest, NoPropertyNoFlag) {
  CaseBuilder b;
  b.AddMember("张伟");
  EXPECT_THAT(b.Run(CheckPropertyHolding), IsEmpty());
}

}  // namespace
}  // namespace dibao
