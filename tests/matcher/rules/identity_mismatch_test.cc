// IDENTITY_MISMATCH (matcher/rules/identity_mismatch.cc).
#include "base/resident_id.h"
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

// A hukou record that agrees with the member on everything but the name.
v1::FeedRecord HukouOf(const v1::Member& m, absl::string_view name) {
  v1::FeedRecord r = Hukou(v1::HUKOU_STATUS_NORMAL);
  r.set_name(std::string(name));
  r.mutable_hukou()->set_sex(m.sex());
  *r.mutable_hukou()->mutable_birth_date() = m.birth_date();
  return r;
}

TEST(IdentityMismatchTest, TestIdsAreValidAndAgreeWithTheMember) {
  EXPECT_EQ(testing::IdCheckCharacter("11010519491231002"), 'X');
  CaseBuilder b;
  const int zhang = b.AddMember("张伟", Day(1975, 6, 18), v1::SEX_MALE);
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  for (int i : {zhang, li}) {
    absl::StatusOr<ResidentId> id = ParseResidentId(b.id(i), testing::kDay);
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(ToProto(id->birth_date()).SerializeAsString(),
              b.member(i).birth_date().SerializeAsString());
    EXPECT_EQ(id->sex() == Sex::kMale, b.member(i).sex() == v1::SEX_MALE);
  }
  b.AddFact(zhang, HukouOf(b.member(zhang), "张伟"));
  b.AddFact(li, HukouOf(b.member(li), "李娜"));
  EXPECT_THAT(b.Run(CheckIdentityMismatch), IsEmpty());
}

TEST(IdentityMismatchTest, NameDiffersFromTheHukou) {
  CaseBuilder b;
  b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  const int hukou = b.AddFact(li, HukouOf(b.member(li), "李芳"));
  const std::vector<Detection> out = b.Run(CheckIdentityMismatch);
  ASSERT_THAT(out, SizeIs(1));
  const Detection& d = out[0];
  EXPECT_EQ(d.member, li);
  EXPECT_EQ(d.summary, "name: registry 李娜, public security 李芳");
  EXPECT_THAT(d.facts, ElementsAre(b.fact(hukou)));
  EXPECT_THAT(d.reported,
              ElementsAre(Pair("members[" + b.id(li) + "].name", "李娜")));
  // A caseworker checks the papers: no money at stake yet.
  EXPECT_EQ(d.if_true.kind, IfTrue::Kind::kNothing);
}

TEST(IdentityMismatchTest, SexDiffersFromTheId) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟", Day(1975, 6, 18), v1::SEX_MALE);
  b.member(zhang).set_sex(v1::SEX_FEMALE);
  const std::vector<Detection> out = b.Run(CheckIdentityMismatch);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary, "sex: registry FEMALE, ID number MALE");
  // The ID is no partner fact.
  EXPECT_THAT(out[0].facts, IsEmpty());
  EXPECT_THAT(out[0].reported,
              ElementsAre(Pair("members[" + b.id(zhang) + "].sex", "FEMALE")));
}

TEST(IdentityMismatchTest, UnspecifiedSexIsNotCompared) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.member(zhang).set_sex(v1::SEX_UNSPECIFIED);
  EXPECT_THAT(b.Run(CheckIdentityMismatch), IsEmpty());
}

TEST(IdentityMismatchTest, BirthDateDiffersFromTheId) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟", Day(1975, 6, 18), v1::SEX_MALE);
  *b.member(zhang).mutable_birth_date() = ToProto(Day(1975, 6, 19));
  const std::vector<Detection> out = b.Run(CheckIdentityMismatch);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "birth_date: registry 1975-06-19, ID number 1975-06-18");
  EXPECT_THAT(out[0].reported,
              ElementsAre(Pair("members[" + b.id(zhang) + "].birth_date",
                               "1975-06-19")));
}

TEST(IdentityMismatchTest, SexAndBirthDateDifferFromTheHukou) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟", Day(1975, 6, 18), v1::SEX_MALE);
  v1::FeedRecord r = HukouOf(b.member(zhang), "张伟");
  r.mutable_hukou()->set_sex(v1::SEX_FEMALE);
  *r.mutable_hukou()->mutable_birth_date() = ToProto(Day(1957, 6, 18));
  const int hukou = b.AddFact(zhang, r);
  const std::vector<Detection> out = b.Run(CheckIdentityMismatch);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "sex: registry MALE, public security FEMALE; birth_date: registry "
            "1975-06-18, public security 1957-06-18");
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(hukou)));
  EXPECT_THAT(out[0].reported,
              ElementsAre(Pair("members[" + b.id(zhang) + "].sex", "MALE"),
                          Pair("members[" + b.id(zhang) + "].birth_date",
                               "1975-06-18")));
}

TEST(IdentityMismatchTest, HukouWithoutSexOrBirthDateComparesTheName) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_NORMAL));  // name from the member
  EXPECT_THAT(b.Run(CheckIdentityMismatch), IsEmpty());
}

TEST(IdentityMismatchTest, IdAndHukouDifferencesInOneDetection) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟", Day(1975, 6, 18), v1::SEX_MALE);
  const int hukou = b.AddFact(zhang, HukouOf(b.member(zhang), "张玮"));
  b.member(zhang).set_sex(v1::SEX_FEMALE);
  const std::vector<Detection> out = b.Run(CheckIdentityMismatch);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].summary,
            "sex: registry FEMALE, ID number MALE; name: registry 张伟, public "
            "security 张玮; sex: registry FEMALE, public security MALE");
  EXPECT_THAT(out[0].facts, ElementsAre(b.fact(hukou)));
}

TEST(IdentityMismatchTest, OnlyTheMemberWhoDiffers) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  b.AddFact(zhang, HukouOf(b.member(zhang), "张伟"));
  b.AddFact(li, HukouOf(b.member(li), "李芳"));
  const std::vector<Detection> out = b.Run(CheckIdentityMismatch);
  ASSERT_THAT(out, SizeIs(1));
  EXPECT_EQ(out[0].member, li);
}

}  // namespace
}  // namespace dibao
