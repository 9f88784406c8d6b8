// DECEASED_MEMBER (matcher/rules/deceased_member.cc).
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

TEST(DeceasedMemberTest, FlagsMemberRecordedAsDeceased) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李秀英", Day(1941, 4, 2), v1::SEX_FEMALE);
  const int hukou =
      b.AddFact(li, Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 10, 3)));
  const std::vector<Detection> out = b.Run(CheckDeceasedMember);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, li);
  EXPECT_EQ(d.summary,
            "public security: died on 2026-10-03; still listed as a member");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(hukou)));
  EXPECT_THAT(d.reported,
              ElementsAre(Pair("members[" + b.id(li) + "].id_number",
                               "listed as a member")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kMemberLeaves);
  EXPECT_EQ(d.if_true.member, li);
}

TEST(DeceasedMemberTest, DeathOnTheDayCounts) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_DECEASED, testing::kDay));
  EXPECT_THAT(b.Run(CheckDeceasedMember), SizeIs(1));
}

TEST(DeceasedMemberTest, DeathDatedAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 11, 21)));
  EXPECT_THAT(b.Run(CheckDeceasedMember), IsEmpty());
  b.set_day(Day(2026, 11, 21));
  EXPECT_THAT(b.Run(CheckDeceasedMember), SizeIs(1));
}

TEST(DeceasedMemberTest, UndatedDeathCounts) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_DECEASED));
  const std::vector<Detection> out = b.Run(CheckDeceasedMember);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary, "public security: died; still listed as a member");
}

TEST(DeceasedMemberTest, OtherHukouStatusesAreNotDeath) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  const int wang = b.AddMember("王强", Day(1999, 9, 9), v1::SEX_MALE);
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_NORMAL));
  b.AddFact(li, Hukou(v1::HUKOU_STATUS_MOVED_OUT, Day(2026, 10, 1)));
  b.AddFact(wang, Hukou(v1::HUKOU_STATUS_CANCELLED, Day(2026, 10, 1)));
  EXPECT_THAT(b.Run(CheckDeceasedMember), IsEmpty());
}

TEST(DeceasedMemberTest, NoHukouRecordNoFlag) {
  CaseBuilder b;
  b.AddMember("张伟");
  EXPECT_THAT(b.Run(CheckDeceasedMember), IsEmpty());
}

}  // namespace
}  // namespace dibao
