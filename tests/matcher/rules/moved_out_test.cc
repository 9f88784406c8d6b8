// MOVED_OUT (matcher/rules/moved_out.cc).
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
using ::testing::SizeIs;

TEST(MovedOutTest, FlagsHukouMovedOut) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  const int hukou =
      b.AddFact(li, Hukou(v1::HUKOU_STATUS_MOVED_OUT, Day(2026, 9, 1)));
  const std::vector<Detection> out = b.Run(CheckMovedOut);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, li);
  EXPECT_EQ(d.summary, "public security: hukou MOVED_OUT on 2026-09-01");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(hukou)));
  EXPECT_THAT(d.reported,
              ElementsAre(Pair("district_code", "420102"),
                          Pair("members[" + b.id(li) + "].id_number",
                               "listed as a member")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kMemberLeaves);
  EXPECT_EQ(d.if_true.member, li);
}

TEST(MovedOutTest, FlagsHukouCancelled) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_CANCELLED, Day(2026, 8, 15)));
  const std::vector<Detection> out = b.Run(CheckMovedOut);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary, "public security: hukou CANCELLED on 2026-08-15");
}

TEST(MovedOutTest, MoveDatedAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_MOVED_OUT, Day(2026, 12, 1)));
  EXPECT_THAT(b.Run(CheckMovedOut), IsEmpty());
  b.set_day(Day(2026, 12, 1));
  EXPECT_THAT(b.Run(CheckMovedOut), SizeIs(1));
}

TEST(MovedOutTest, HukouInAnotherDistrictIsMovedOut) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int hukou = b.AddFact(
      zhang, Hukou(v1::HUKOU_STATUS_NORMAL, std::nullopt, "420106005"));
  const std::vector<Detection> out = b.Run(CheckMovedOut);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].member, zhang);
  EXPECT_EQ(out[0].summary,
            "public security: hukou registered in district 420106, the "
            "household is in 420102");
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(hukou)));
  EXPECT_EQ(out[0].if_true.kind, IfTrue::Kind::kMemberLeaves);
}

TEST(MovedOutTest, HukouInTheHouseholdsDistrictIsNoConflict) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_NORMAL, std::nullopt, "420102003"));
  // A longer address code of the same district.
  b.AddFact(li, Hukou(v1::HUKOU_STATUS_NORMAL, std::nullopt, "420102003012"));
  EXPECT_THAT(b.Run(CheckMovedOut), IsEmpty());
}

TEST(MovedOutTest, DeceasedMemberIsLeftToDeceasedMember) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang,
            Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 10, 3), "420106005"));
  EXPECT_THAT(b.Run(CheckMovedOut), IsEmpty());
}

TEST(MovedOutTest, NoHukouRecordNoFlag) {
  CaseBuilder b;
  b.AddMember("张伟");
  EXPECT_THAT(b.Run(CheckMovedOut), IsEmpty());
}

// The police report that the member's hukou moves out to district 420106
// on 2026-12-01: on 2026-11-20 it is still registered in the household's
// district (a hukou record holds from its status_date, its address too).
TEST(MovedOutTest, MoveToAnotherDistrictDatedAfterTheDay) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang,
            Hukou(v1::HUKOU_STATUS_MOVED_OUT, Day(2026, 12, 1), "420106005"));
  EXPECT_THAT(b.Run(CheckMovedOut), IsEmpty());
}

}  // namespace
}  // namespace dibao
