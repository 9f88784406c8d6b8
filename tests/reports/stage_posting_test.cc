// The three stages' posting lists (reports/stage_posting): which results
// are posted, grouped and ordered how, masked like the standing list, and
// nothing of the case (household ID, evidence, notes) on them.
#include "reports/stage_posting.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reports/posting_list.h"
#include "sample/sample_district.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

absl::Time At(absl::CivilDay day) {
  return absl::FromCivil(absl::CivilSecond(day) + 10 * 3600, BureauTimeZone());
}

// A recommendation for `h` that passed the stages up to `passed` (0-3)
// on consecutive days from `first`, in `state`.
v1::Recommendation Passed(const v1::Household& h, const std::string& id,
                          int passed, absl::CivilDay first,
                          v1::RecommendationState state) {
  v1::Recommendation r;
  r.set_recommendation_id(id);
  r.set_household_id(h.household_id());
  r.set_district_code(h.district_code());
  r.set_street(h.street());
  r.set_community(h.community());
  r.set_kind(v1::RECOMMENDATION_KIND_EXIT);
  r.set_state(state);
  r.set_current_benefit_fen(h.monthly_benefit_fen());
  r.set_new_benefit_fen(0);
  *r.mutable_effective() = ToProto(absl::CivilDay(2027, 1, 1));
  r.add_evidence("工资 3,000.00 元 (secret evidence)");
  for (int i = 1; i <= passed; ++i) {
    v1::StageDecision* d = r.add_stages();
    d->set_stage(static_cast<v1::RecommendationStage>(i));
    d->set_passed(true);
    d->set_by(absl::StrCat("person-", i));
    d->set_note("internal note");
    *d->mutable_at() = ToProto(At(first + (i - 1)));
  }
  return r;
}

class StagePostingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SampleDistrictOptions o;
    o.as_of = testing::kSampleDay;
    auto generated = GenerateSampleDistrict(o);
    ASSERT_TRUE(generated.ok());
    households_ = *generated;
    ASSERT_TRUE(store_.Upsert(households_).ok());
  }
  const v1::Household& H(int i) const { return households_[i]; }

  testing::TestStore store_{"stage-posting"};
  std::vector<v1::Household> households_;
};

TEST_F(StagePostingTest, EachStageListsWhatPassedItAndStillStands) {
  const absl::CivilDay day(2026, 11, 20);
  std::vector<v1::Recommendation> recs = {
      // Evaluated only.
      Passed(H(0), "R0000001", 1, day, v1::RECOMMENDATION_STATE_EVALUATED),
      // Through all three.
      Passed(H(1), "R0000002", 3, day, v1::RECOMMENDATION_STATE_APPROVED),
      // Evaluated, then the street rejected it: off every list.
      Passed(H(2), "R0000003", 1, day, v1::RECOMMENDATION_STATE_REJECTED),
      // Replaced by a newer one: off every list.
      Passed(H(3), "R0000004", 2, day, v1::RECOMMENDATION_STATE_SUPERSEDED),
      // Proposed, not evaluated yet: on no list.
      Passed(H(4), "R0000005", 0, day, v1::RECOMMENDATION_STATE_PROPOSED),
  };
  auto count = [&](v1::RecommendationStage stage,
                   std::optional<absl::CivilDay> since = std::nullopt) {
    auto lists =
        BuildStagePostingList(*store_.registry(), {}, stage, since, recs);
    EXPECT_TRUE(lists.ok()) << lists.status();
    int n = 0;
    for (const auto& c : lists->communities()) n += c.results_size();
    return n;
  };
  EXPECT_EQ(count(v1::RECOMMENDATION_STAGE_EVALUATION), 2);
  EXPECT_EQ(count(v1::RECOMMENDATION_STAGE_STREET_REVIEW), 1);
  EXPECT_EQ(count(v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL), 1);
  // The posting period: the approval passed on day + 2.
  EXPECT_EQ(count(v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL, day + 2), 1);
  EXPECT_EQ(count(v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL, day + 3), 0);

  auto lists = BuildStagePostingList(*store_.registry(), {},
                                     v1::RECOMMENDATION_STAGE_EVALUATION,
                                     std::nullopt, recs);
  ASSERT_TRUE(lists.ok());
  std::set<std::string> heads;
  for (int i : {0, 1}) {
    const v1::Member& head = H(i).members(HeadOfHousehold(H(i)));
    heads.insert(absl::StrCat(MaskNameForPosting(head.name()), " ",
                              MaskIdForPosting(head.id_number()), " ",
                              H(i).members_size()));
  }
  for (const auto& c : lists->communities()) {
    for (const auto& e : c.results()) {
      EXPECT_TRUE(heads.count(absl::StrCat(
          e.head_name_masked(), " ", e.head_id_masked(), " ", e.members())))
          << e.DebugString();
      EXPECT_EQ(e.kind(), v1::RECOMMENDATION_KIND_EXIT);
      EXPECT_EQ(FormatDate(e.decided()), FormatDate(day));
    }
    // Nothing of the case itself.
    const std::string shown = c.DebugString();
    EXPECT_THAT(shown, Not(HasSubstr("secret evidence")));
    EXPECT_THAT(shown, Not(HasSubstr("internal note")));
    EXPECT_THAT(shown, Not(HasSubstr("person-1")));
    EXPECT_THAT(shown, Not(HasSubstr(H(0).household_id())));
    EXPECT_THAT(shown, Not(HasSubstr(H(0).members(0).id_number())));
  }
}

TEST_F(StagePostingTest, AreaNarrowsAndBadRequestsAreRefused) {
  const absl::CivilDay day(2026, 11, 20);
  std::vector<v1::Recommendation> recs;
  for (int i = 0; i < 40; ++i) {
    recs.push_back(Passed(H(i), absl::StrCat("R", 1000000 + i), 1, day,
                          v1::RECOMMENDATION_STATE_EVALUATED));
  }
  v1::AreaFilter area;
  area.set_district_code(H(0).district_code());
  area.set_street(H(0).street());
  area.set_community(H(0).community());
  auto one = BuildStagePostingList(*store_.registry(), area,
                                   v1::RECOMMENDATION_STAGE_EVALUATION,
                                   std::nullopt, recs);
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->communities_size(), 1);
  EXPECT_EQ(one->communities(0).community(), H(0).community());
  int expected = 0;
  for (int i = 0; i < 40; ++i) {
    expected +=
        H(i).community() == H(0).community() && H(i).street() == H(0).street();
  }
  EXPECT_EQ(one->communities(0).results_size(), expected);
  EXPECT_EQ(one->communities(0).households(), expected);

  v1::AreaFilter bad;
  bad.set_community("春晓社区");  // a community needs its street
  EXPECT_EQ(BuildStagePostingList(*store_.registry(), bad,
                                  v1::RECOMMENDATION_STAGE_EVALUATION,
                                  std::nullopt, recs)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildStagePostingList(*store_.registry(), {},
                                  v1::RECOMMENDATION_STAGE_UNSPECIFIED,
                                  std::nullopt, recs)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dibao
