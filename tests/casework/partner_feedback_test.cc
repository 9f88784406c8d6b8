#include "casework/partner_feedback.h"

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/cycle.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PartnerFeedbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.LoadSample().ok());
    CycleRunner cycles(
        db_.store(), db_.flags(), db_.clock(),
        std::make_shared<const v1::Policy>(testing::SamplePolicy()),
        CycleOptions());
    ASSERT_TRUE(cycles.Run(testing::kSampleDay, false, "test").ok());
  }

  // The first flag of `rule`, dismissed with `reason` at `at`.
  v1::Flag Dismiss(const std::string& rule, v1::DismissReason reason,
                   absl::CivilDay at, bool visit = false) {
    FlagFilter filter;
    filter.rule = rule;
    v1::Flag flag;
    EXPECT_TRUE(db_.flags()
                    ->ForEach(filter,
                              [&](const v1::Flag& f) {
                                if (flag.flag_id().empty()) flag = f;
                                return absl::OkStatus();
                              })
                    .ok());
    flag = *db_.flags()->Get(flag.flag_id());
    flag.set_state(v1::FLAG_STATE_DISMISSED);
    v1::ReviewDecision* d = flag.add_decisions();
    d->set_state(v1::FLAG_STATE_DISMISSED);
    d->set_reason(reason);
    d->set_visit_result(visit);
    d->set_by("cw-1");
    d->set_note(absl::StrCat("the record is about ",
                             flag.finding().facts(0).record().id_number(),
                             "'s namesake"));
    *d->mutable_at() = ToProto(
        absl::FromCivil(absl::CivilSecond(at) + 36000, BureauTimeZone()));
    EXPECT_TRUE(db_.flags()->Put(flag).ok());
    return flag;
  }

  std::vector<v1::PartnerFeedback> Of(
      v1::Agency agency, std::optional<absl::CivilDay> since = {}) {
    auto f = PartnerFeedbackOf(*db_.flags(), agency, since, nullptr,
                               testing::kSampleDay + 30);
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : std::vector<v1::PartnerFeedback>{};
  }

  testing::TestStore db_{"partner-feedback"};
};

TEST_F(PartnerFeedbackTest, ADismissalAsPartnerDataWrongIsALineForItsAgency) {
  EXPECT_TRUE(Of(v1::AGENCY_PUBLIC_SECURITY).empty());
  const v1::Flag car =
      Dismiss("VEHICLE_OWNED", v1::DISMISS_REASON_PARTNER_DATA_WRONG,
              testing::kSampleDay + 3, /*visit=*/true);
  const v1::Fact& fact = car.finding().facts(0);
  const auto lines = Of(v1::AGENCY_PUBLIC_SECURITY);
  ASSERT_EQ(lines.size(), 1u);
  const v1::PartnerFeedback& f = lines[0];
  EXPECT_EQ(f.kind(), v1::FEED_KIND_VEHICLE);
  EXPECT_EQ(f.id_number_masked(), MaskId(fact.record().id_number()));
  EXPECT_THAT(f.natural_key(),
              HasSubstr(absl::StrCat("plate ", fact.record().vehicle().plate(),
                                     ", registered_date ")));
  EXPECT_EQ(f.batch_id(), fact.batch_id());
  EXPECT_EQ(f.reason(), "PARTNER_DATA_WRONG");
  EXPECT_TRUE(f.visit());
  EXPECT_EQ(f.flag_id(), car.flag_id());
  // The note goes to another body: the person's ID is masked in it.
  EXPECT_THAT(f.note(), Not(HasSubstr(fact.record().id_number())));
  EXPECT_THAT(f.note(), HasSubstr(MaskId(fact.record().id_number())));
  // Other agencies get nothing of it.
  EXPECT_TRUE(Of(v1::AGENCY_LABOUR).empty());
}

TEST_F(PartnerFeedbackTest, OnlyPartnerFaultsCountAndSinceFilters) {
  Dismiss("UNDECLARED_EMPLOYMENT", v1::DISMISS_REASON_ALREADY_DECLARED,
          testing::kSampleDay + 1);
  EXPECT_TRUE(Of(v1::AGENCY_LABOUR).empty());
  Dismiss("VEHICLE_OWNED", v1::DISMISS_REASON_WRONG_PERSON,
          testing::kSampleDay + 5);
  EXPECT_EQ(Of(v1::AGENCY_PUBLIC_SECURITY).size(), 1u);
  EXPECT_EQ(Of(v1::AGENCY_PUBLIC_SECURITY, testing::kSampleDay + 5).size(), 1u);
  EXPECT_TRUE(Of(v1::AGENCY_PUBLIC_SECURITY, testing::kSampleDay + 6).empty());
}

}  // namespace
}  // namespace dibao
