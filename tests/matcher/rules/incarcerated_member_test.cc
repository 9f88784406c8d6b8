// INCARCERATED_MEMBER (matcher/rules/incarcerated_member.cc).
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

TEST(IncarceratedMemberTest, FlagsMemberInCustody) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int wang = b.AddMember("王强", Day(1990, 1, 15), v1::SEX_MALE);
  const int event = b.AddFact(
      wang, Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2026, 5, 12), kPrison));
  const std::vector<Detection> out = b.Run(CheckIncarceratedMember);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, wang);
  EXPECT_EQ(d.summary,
            "justice: INCARCERATED on 2026-05-12 (湖北省武汉监狱), no release "
            "since; still counted as a member");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(event)));
  EXPECT_THAT(d.identity, ElementsAre(b.fact(event)));
  EXPECT_THAT(d.reported,
              ElementsAre(Pair("members[" + b.id(wang) + "].id_number",
                               "listed as a member")));
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kMemberLeaves);
  EXPECT_EQ(d.if_true.member, wang);
}

TEST(IncarceratedMemberTest, SentencedWithoutInstitution) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_SENTENCED, Day(2026, 9, 30)));
  const std::vector<Detection> out = b.Run(CheckIncarceratedMember);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "justice: SENTENCED on 2026-09-30, no release since; still counted "
            "as a member");
}

TEST(IncarceratedMemberTest, EpisodeIsIdentifiedByItsFirstEvent) {
  // Sentenced, then incarcerated: the summary names the latest stage, the
  // identity stays the first event so that the flag is the same one.
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  const int sentenced =
      b.AddFact(wang, Custody(v1::CUSTODY_EVENT_SENTENCED, Day(2026, 4, 2)));
  const int jailed = b.AddFact(
      wang, Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2026, 5, 12), kPrison));
  const std::vector<Detection> out = b.Run(CheckIncarceratedMember);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(sentenced), b.fact(jailed)));
  EXPECT_THAT(out[0].identity, ElementsAre(b.fact(sentenced)));
  EXPECT_THAT(out[0].summary,
              ::testing::StartsWith("justice: INCARCERATED on 2026-05-12"));
}

TEST(IncarceratedMemberTest, ReleasedPrisonerIsNotInCustody) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2024, 5, 12), kPrison));
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 8, 1), kPrison));
  EXPECT_THAT(b.Run(CheckIncarceratedMember), IsEmpty());
}

TEST(IncarceratedMemberTest, ReleaseDatedAfterTheDayHasNotHappenedYet) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  const int jailed = b.AddFact(
      wang, Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2024, 5, 12), kPrison));
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 12, 1), kPrison));
  const std::vector<Detection> out = b.Run(CheckIncarceratedMember);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(jailed)));
  b.set_day(Day(2026, 12, 1));
  EXPECT_THAT(b.Run(CheckIncarceratedMember), IsEmpty());
}

TEST(IncarceratedMemberTest, CustodyDatedAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2026, 11, 21),
                          kPrison));
  EXPECT_THAT(b.Run(CheckIncarceratedMember), IsEmpty());
}

TEST(IncarceratedMemberTest, CommunityCorrectionIsNotCustody) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_COMMUNITY_CORRECTION_START,
                          Day(2026, 6, 1), "江岸区司法局"));
  EXPECT_THAT(b.Run(CheckIncarceratedMember), IsEmpty());
  EXPECT_TRUE(b.standing()[wang].countable());
}

TEST(IncarceratedMemberTest, NewEpisodeAfterAnEarlierRelease) {
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2020, 3, 1), kPrison));
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_RELEASED, Day(2023, 3, 1), kPrison));
  const int again = b.AddFact(wang, Custody(v1::CUSTODY_EVENT_SENTENCED,
                                            Day(2026, 7, 7), "江岸区法院"));
  const std::vector<Detection> out = b.Run(CheckIncarceratedMember);
  ASSERT_THAT(out, SizeIs(1));
  // Only the events since the last release are evidence.
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(again)));
  EXPECT_THAT(out[0].identity, ElementsAre(b.fact(again)));
  EXPECT_EQ(out[0].summary,
            "justice: SENTENCED on 2026-07-07 (江岸区法院), no release since; "
            "still counted as a member");
}

TEST(IncarceratedMemberTest, ReleaseOnTheSameDayAsIncarcerationWins) {
  // On one day, later stages win: released.
  CaseBuilder b;
  const int wang = b.AddMember("王强");
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2026, 6, 1), kPrison));
  b.AddFact(wang,
            Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 6, 1), kPrison));
  EXPECT_THAT(b.Run(CheckIncarceratedMember), IsEmpty());
}

}  // namespace
}  // namespace dibao
