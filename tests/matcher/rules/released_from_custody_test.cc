// RELEASED_FROM_CUSTODY (matcher/rules/released_from_custody.cc).
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
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

constexpr char kPrison[] = "湖北省武汉监狱";

TEST(ReleasedFromCustodyTest, SignalsReleaseWithinSixMonths) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int wang = b.AddMember("王强", Day(1990, 1, 15), v1::SEX_MALE);
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2024, 5, 12), kPrison));
  const int release = b.AddFact(
      wang, Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 6, 1), kPrison));
  const std::vector<Detection> out = b.Run(CheckReleasedFromCustody);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, wang);
  EXPECT_EQ(d.summary, "justice: released on 2026-06-01 from 湖北省武汉监狱");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(release)));
  EXPECT_THAT(d.reported,
              ElementsAre(Pair("members[" + b.id(wang) + "].reported_status",
                               "UNEMPLOYED")));
  // A signal: no money at stake.
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kNothing);
  // And no longer in custody.
  EXPECT_THAT(b.Run(CheckIncarceratedMember), IsEmpty());
}

TEST(ReleasedFromCustodyTest, NotAfterSixMonths) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 5, 21)));
  EXPECT_THAT(b.Run(CheckReleasedFromCustody), SizeIs(1));
  // 2026-05-21 + 6 months = 2026-11-21: the last day of the window is the
  // 20th.
  b.set_day(Day(2026, 11, 21));
  EXPECT_THAT(b.Run(CheckReleasedFromCustody), IsEmpty());
  b.set_day(Day(2027, 3, 1));
  EXPECT_THAT(b.Run(CheckReleasedFromCustody), IsEmpty());
}

TEST(ReleasedFromCustodyTest, SummaryWithoutInstitution) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 9, 1)));
  const std::vector<Detection> out = b.Run(CheckReleasedFromCustody);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary, "justice: released on 2026-09-01");
}

TEST(ReleasedFromCustodyTest, ReleaseDatedAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2024, 5, 12), kPrison));
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 12, 1), kPrison));
  EXPECT_THAT(b.Run(CheckReleasedFromCustody), IsEmpty());
}

TEST(ReleasedFromCustodyTest, BackInCustodyAfterTheRelease) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 7, 1), kPrison));
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2026, 10, 1), kPrison));
  EXPECT_THAT(b.Run(CheckReleasedFromCustody), IsEmpty());
}

TEST(ReleasedFromCustodyTest, EndOfCommunityCorrectionIsNotARelease) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_COMMUNITY_CORRECTION_START,
                          Day(2026, 1, 1), "江岸区司法局"));
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_COMMUNITY_CORRECTION_END,
                          Day(2026, 10, 1), "江岸区司法局"));
  EXPECT_THAT(b.Run(CheckReleasedFromCustody), IsEmpty());
}

TEST(ReleasedFromCustodyTest, CommunityCorrectionAfterReleaseKeepsTheSignal) {
  // Community correction is not a custody event: the release is still the
  // latest one.
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  const int release = b.AddFact(
      wang, Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 7, 1), kPrison));
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_COMMUNITY_CORRECTION_START,
                          Day(2026, 7, 2), "江岸区司法局"));
  const std::vector<Detection> out = b.Run(CheckReleasedFromCustody);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(release)));
}

}  // namespace
}  // namespace dibao
