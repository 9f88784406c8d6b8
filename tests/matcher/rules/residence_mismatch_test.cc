// RESIDENCE_MISMATCH (matcher/rules/residence_mismatch.cc).
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
using testing::Residence;
using ::testing::SizeIs;

constexpr char kElsewhere[] = "武汉市江汉区新华路8号";

TEST(ResidenceMismatchTest, FlagsResidenceElsewhere) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  const int res = b.AddFact(li, Residence(kElsewhere, Day(2025, 4, 1)));
  const std::vector<Detection> out = b.Run(CheckResidenceMismatch);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, li);
  EXPECT_EQ(d.summary,
            "public security: lives at 武汉市江汉区新华路8号 since 2025-04-01; "
            "the household's address is 武汉市江岸区胜利街12号");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(res)));
  EXPECT_THAT(d.reported, ElementsAre(Pair("registered_address",
                                           "武汉市江岸区胜利街12号")));
  // A visit, not an exit.
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kNothing);
}

TEST(ResidenceMismatchTest, ComparesWithTheResidenceAddressWhenGiven) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.household().set_residence_address(kElsewhere);
  b.AddFact(zhang, Residence(kElsewhere, Day(2025, 4, 1)));
  EXPECT_THAT(b.Run(CheckResidenceMismatch), IsEmpty());

  b.household().set_residence_address("武汉市江岸区解放大道100号");
  const std::vector<Detection> out = b.Run(CheckResidenceMismatch);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_THAT(out[0].reported, ElementsAre(Pair("residence_address",
                                                "武汉市江岸区解放大道100号")));
}

TEST(ResidenceMismatchTest, SameAddressUpToWhiteSpaceIsNoMismatch) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  // Padded and wrapped as exports do.
  b.AddFact(zhang,
            Residence("  武汉市江岸区 胜利街\t12号\r\n", Day(2020, 1, 1)));
  EXPECT_THAT(b.Run(CheckResidenceMismatch), IsEmpty());
}

TEST(ResidenceMismatchTest, UndatedResidenceCounts) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Residence(kElsewhere));
  const std::vector<Detection> out = b.Run(CheckResidenceMismatch);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "public security: lives at 武汉市江汉区新华路8号; the household's "
            "address is 武汉市江岸区胜利街12号");
}

TEST(ResidenceMismatchTest, ResidenceDatedAfterTheDayDoesNotCountYet) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Residence(kElsewhere, Day(2026, 11, 21)));
  EXPECT_THAT(b.Run(CheckResidenceMismatch), IsEmpty());
}

TEST(ResidenceMismatchTest, EmptyResidenceAddressIsNoMismatch) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Residence("", Day(2025, 4, 1)));
  EXPECT_THAT(b.Run(CheckResidenceMismatch), IsEmpty());
}

TEST(ResidenceMismatchTest, DeceasedMemberIsNotVisited) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_DECEASED, Day(2026, 10, 3)));
  b.AddFact(zhang, Residence(kElsewhere, Day(2025, 4, 1)));
  EXPECT_THAT(b.Run(CheckResidenceMismatch), IsEmpty());
}

// An address padded with the ideographic space U+3000, common in Chinese
// exports, is the same address.
TEST(ResidenceMismatchTest, IdeographicSpaceIsWhiteSpace) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Residence("武汉市江岸区\u3000胜利街12号", Day(2020, 1, 1)));
  EXPECT_THAT(b.Run(CheckResidenceMismatch), IsEmpty());
}

}  // namespace
}  // namespace dibao
