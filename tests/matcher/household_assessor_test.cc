#include "matcher/household_assessor.h"

#include <algorithm>
#include <string>
#include <vector>

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
using testing::Hukou;
using ::testing::IsEmpty;
using testing::Job;
using ::testing::SizeIs;
using testing::Training;
using testing::Vehicle;

HouseholdResult MustAssess(CaseBuilder& b) {
  b.Build();
  absl::StatusOr<HouseholdResult> r = AssessHousehold(b.hc(), b.policy());
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : HouseholdResult();
}

std::vector<std::string> Rules(const HouseholdResult& r) {
  std::vector<std::string> out;
  for (const v1::Finding& f : r.findings) out.push_back(f.rule());
  return out;
}

const v1::Finding* FindingOf(const HouseholdResult& r, absl::string_view rule) {
  for (const v1::Finding& f : r.findings) {
    if (f.rule() == rule) return &f;
  }
  return nullptr;
}

// Two members paid 410 yuan; Zhang has a job he did not report.
void TwoMembersWithUndeclaredJob(CaseBuilder& b, int64_t wage,
                                 absl::string_view batch = "labour-2026-11",
                                 absl::CivilDay as_of = Day(2026, 11, 15)) {
  const int zhang = b.AddMember("张伟");
  b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  b.household().set_monthly_benefit_fen(41000);
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), wage), batch, as_of);
}

TEST(HouseholdAssessorTest, SameCaseGivesByteIdenticalResults) {
  CaseBuilder b;
  TwoMembersWithUndeclaredJob(b, 30000);
  b.AddFact(1, Training(Day(2026, 9, 1), v1::TRAINING_OUTCOME_REFUSED));
  b.AddFact(1, Vehicle("鄂A12345", "小型轿车", Day(2025, 3, 1), 5000000));
  const HouseholdResult first = MustAssess(b);
  const HouseholdResult second = MustAssess(b);
  ASSERT_THAT(first.findings, SizeIs(4));
  EXPECT_EQ(first.assessment.SerializeAsString(),
            second.assessment.SerializeAsString());
  ASSERT_EQ(first.findings.size(), second.findings.size());
  for (size_t i = 0; i < first.findings.size(); ++i) {
    EXPECT_EQ(first.findings[i].SerializeAsString(),
              second.findings[i].SerializeAsString())
        << first.findings[i].rule();
  }
}

TEST(HouseholdAssessorTest, FindingCarriesRuleMemberEvidenceAndSeverity) {
  CaseBuilder b;
  TwoMembersWithUndeclaredJob(b, 30000);
  const HouseholdResult r = MustAssess(b);
  EXPECT_THAT(Rules(r),
              ElementsAre("UNDECLARED_EMPLOYMENT", "INCOME_UNDERREPORTED"));
  const v1::Finding& f = r.findings[0];
  EXPECT_EQ(f.id_number(), b.id(0));
  EXPECT_EQ(f.severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(f.summary(),
            "employed at 武汉钢铁 since 2026-07-02 at 300.00 yuan/month");
  ASSERT_THAT(f.facts(), SizeIs(1));
  EXPECT_EQ(f.facts(0).agency(), v1::AGENCY_LABOUR);
  EXPECT_EQ(f.facts(0).kind(), v1::FEED_KIND_EMPLOYMENT);
  EXPECT_EQ(f.facts(0).batch_id(), "labour-2026-11");
  EXPECT_EQ(FormatDate(f.facts(0).valid_from()), "2026-11-15");
  EXPECT_EQ(f.facts(0).record().employment().monthly_wage_fen(), 30000);
  ASSERT_THAT(f.reported(), SizeIs(2));
  EXPECT_EQ(f.reported(0).field(), "members[" + b.id(0) + "].reported_status");
  EXPECT_EQ(f.reported(0).value(), "UNEMPLOYED");
  EXPECT_EQ(f.fingerprint().size(), 64u);
  EXPECT_EQ(r.findings[1].severity(), v1::SEVERITY_MEDIUM);
}

TEST(HouseholdAssessorTest, FingerprintIgnoresTheBatchThatRestatedAFact) {
  CaseBuilder october;
  TwoMembersWithUndeclaredJob(october, 30000, "labour-2026-10",
                              Day(2026, 10, 31));
  CaseBuilder november;
  TwoMembersWithUndeclaredJob(november, 30000, "labour-2026-11",
                              Day(2026, 11, 15));
  // Where the record was in the agency's file is not content either.
  november.record(0).set_source_line(4711);
  const HouseholdResult a = MustAssess(october);
  const HouseholdResult b = MustAssess(november);
  ASSERT_THAT(a.findings, SizeIs(2));
  ASSERT_THAT(b.findings, SizeIs(2));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(a.findings[i].fingerprint(), b.findings[i].fingerprint())
        << a.findings[i].rule();
    EXPECT_NE(a.findings[i].facts(0).batch_id(),
              b.findings[i].facts(0).batch_id());
  }
}

TEST(HouseholdAssessorTest, FingerprintChangesWithTheEvidence) {
  CaseBuilder before;
  TwoMembersWithUndeclaredJob(before, 30000);
  CaseBuilder after;
  TwoMembersWithUndeclaredJob(after, 32000);
  const HouseholdResult a = MustAssess(before);
  const HouseholdResult b = MustAssess(after);
  ASSERT_THAT(a.findings, SizeIs(2));
  ASSERT_THAT(b.findings, SizeIs(2));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(a.findings[i].rule(), b.findings[i].rule());
    EXPECT_NE(a.findings[i].fingerprint(), b.findings[i].fingerprint())
        << a.findings[i].rule();
  }
}

TEST(HouseholdAssessorTest, FingerprintDiffersByRuleAndMember) {
  CaseBuilder b;
  TwoMembersWithUndeclaredJob(b, 30000);
  b.AddFact(1, Job("武汉钢铁", Day(2026, 7, 2), 30000));
  const HouseholdResult r = MustAssess(b);
  ASSERT_THAT(r.findings, SizeIs(4));
  std::vector<std::string> prints;
  for (const v1::Finding& f : r.findings) prints.push_back(f.fingerprint());
  std::sort(prints.begin(), prints.end());
  EXPECT_EQ(std::unique(prints.begin(), prints.end()), prints.end());
}

TEST(HouseholdAssessorTest, CustodyEpisodeKeepsItsFingerprint) {
  // Sentenced, later incarcerated: the same conflict, the same flag.
  CaseBuilder sentenced;
  const int wang = sentenced.AddMember("王强");
  sentenced.AddFact(wang,
                    Custody(v1::CUSTODY_EVENT_SENTENCED, Day(2026, 4, 2)));
  CaseBuilder incarcerated;
  incarcerated.AddMember("王强");
  incarcerated.AddFact(wang,
                       Custody(v1::CUSTODY_EVENT_SENTENCED, Day(2026, 4, 2)));
  incarcerated.AddFact(
      wang, Custody(v1::CUSTODY_EVENT_INCARCERATED, Day(2026, 5, 12)));
  const HouseholdResult earlier = MustAssess(sentenced);
  const HouseholdResult later = MustAssess(incarcerated);
  const v1::Finding* a = FindingOf(earlier, "INCARCERATED_MEMBER");
  const v1::Finding* b = FindingOf(later, "INCARCERATED_MEMBER");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->fingerprint(), b->fingerprint());
  EXPECT_THAT(b->facts(), SizeIs(2));
}

TEST(HouseholdAssessorTest, OverpaymentIsPaidNowLessTheTopUpIfTrue) {
  CaseBuilder b;
  TwoMembersWithUndeclaredJob(b, 30000);
  const HouseholdResult r = MustAssess(b);
  ASSERT_THAT(r.findings, SizeIs(2));
  // If true: (300 - 100) / 2 = 100 per capita, (205 - 100) x 2 = 210 a
  // month instead of the 410 paid.
  for (const v1::Finding& f : r.findings) {
    EXPECT_EQ(f.est_monthly_overpayment_fen(), 20000) << f.rule();
    ASSERT_THAT(f.overpayment_explanation(), SizeIs(4)) << f.rule();
    EXPECT_EQ(f.overpayment_explanation(3),
              "paid now 410.00 - 210.00 if true = 200.00 yuan/month");
  }
  EXPECT_EQ(r.assessment.top_up_fen(), 21000);
  EXPECT_EQ(r.assessment.current_benefit_fen(), 41000);
}

TEST(HouseholdAssessorTest, OverpaymentIsNeverNegative) {
  CaseBuilder b;
  TwoMembersWithUndeclaredJob(b, 30000);
  // Paid less than the 210 the household would get even if the job is real.
  b.household().set_monthly_benefit_fen(10000);
  const HouseholdResult r = MustAssess(b);
  ASSERT_THAT(r.findings, SizeIs(2));
  for (const v1::Finding& f : r.findings) {
    EXPECT_EQ(f.est_monthly_overpayment_fen(), 0) << f.rule();
    EXPECT_EQ(f.overpayment_explanation(f.overpayment_explanation_size() - 1),
              "paid now 100.00 - 210.00 if true = 0.00 yuan/month");
  }
}

TEST(HouseholdAssessorTest, AssetConflictPutsTheWholeBenefitAtStake) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.household().set_monthly_benefit_fen(20500);
  b.AddFact(zhang, Vehicle("鄂A12345", "小型轿车", Day(2025, 3, 1), 5000000));
  const HouseholdResult r = MustAssess(b);
  ASSERT_THAT(Rules(r), ElementsAre("VEHICLE_OWNED"));
  EXPECT_EQ(r.findings[0].est_monthly_overpayment_fen(), 20500);
  EXPECT_FALSE(r.assessment.assets_pass());
  EXPECT_EQ(r.assessment.top_up_fen(), 0);
}

TEST(HouseholdAssessorTest, SignalsPutNoMoneyAtStake) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Training(Day(2026, 9, 1), v1::TRAINING_OUTCOME_REFUSED));
  const HouseholdResult r = MustAssess(b);
  ASSERT_THAT(Rules(r), ElementsAre("REFUSED_TRAINING"));
  EXPECT_EQ(r.findings[0].severity(), v1::SEVERITY_INFO);
  EXPECT_EQ(r.findings[0].est_monthly_overpayment_fen(), 0);
}

TEST(HouseholdAssessorTest, FindingsComeInRuleOrderThenMemberOrder) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  const int li = b.AddMember("李娜", Day(1978, 2, 3), v1::SEX_FEMALE);
  const int wang = b.AddMember("王强", Day(1990, 1, 15), v1::SEX_MALE);
  // Added in no particular order.
  b.AddFact(wang, Custody(v1::CUSTODY_EVENT_RELEASED, Day(2026, 8, 1)));
  b.AddFact(li, Training(Day(2026, 9, 1), v1::TRAINING_OUTCOME_REFUSED));
  b.AddFact(li, Vehicle("鄂A12345", "小型轿车", Day(2025, 3, 1), 5000000));
  b.AddFact(li, Job("汉口商场", Day(2026, 1, 5), 400000));
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 300000));
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_NORMAL, std::nullopt, "420106005"));
  const HouseholdResult r = MustAssess(b);
  // HOUSEHOLD_INCOME_ABOVE_STANDARD runs after the reassessment, yet comes
  // in its place in AllRules().
  EXPECT_THAT(
      Rules(r),
      ElementsAre("UNDECLARED_EMPLOYMENT", "UNDECLARED_EMPLOYMENT",
                  "INCOME_UNDERREPORTED", "INCOME_UNDERREPORTED", "MOVED_OUT",
                  "VEHICLE_OWNED", "HOUSEHOLD_INCOME_ABOVE_STANDARD",
                  "REFUSED_TRAINING", "RELEASED_FROM_CUSTODY"));
  EXPECT_EQ(r.findings[0].id_number(), b.id(zhang));
  EXPECT_EQ(r.findings[1].id_number(), b.id(li));
  EXPECT_EQ(r.findings[2].id_number(), b.id(zhang));
  EXPECT_EQ(r.findings[3].id_number(), b.id(li));
  // The household rule is about no one member.
  EXPECT_EQ(r.findings[6].id_number(), "");
}

TEST(HouseholdAssessorTest, NoFindingsForAQuietHousehold) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Hukou(v1::HUKOU_STATUS_NORMAL));
  const HouseholdResult r = MustAssess(b);
  EXPECT_THAT(r.findings, IsEmpty());
  EXPECT_EQ(r.assessment.top_up_fen(), 20500);
}

TEST(HouseholdAssessorTest, NoStandardIsNotFound) {
  CaseBuilder b;
  b.AddMember("张伟");
  b.policy().mutable_standards(0)->set_district_code("420106");
  b.Build();
  EXPECT_EQ(AssessHousehold(b.hc(), b.policy()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(HouseholdAssessorTest, NextChangeIsTheFirstDayAFactChangesOnItsOwn) {
  CaseBuilder b;
  const int zhang = b.AddMember("张伟");
  b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 30000, Day(2027, 1, 31)));
  b.AddFact(zhang, Training(Day(2026, 9, 1), v1::TRAINING_OUTCOME_REFUSED));
  const HouseholdResult r = MustAssess(b);
  // The refusal leaves the 6-month look-back on 2027-03-01; the job ends
  // first (it counts through 2027-01-31).
  EXPECT_EQ(FormatDate(r.assessment.next_change()), "2027-02-01");
}

}  // namespace
}  // namespace dibao
