#include "reports/benefit_cliff.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/money.h"
#include "base/resident_id.h"
#include "base/status_macros.h"
#include "matcher/household_assessor.h"
#include "matcher/household_case.h"
#include "matcher/reassessment.h"
#include "reports/report_stats.h"

namespace dibao {
namespace {

std::string Yuan(int64_t fen) { return absl::StrCat(FormatYuan(fen), " yuan"); }

// Countable members' incomes (the larger of reported and verified).
int64_t MembersIncome(const v1::Assessment& a) {
  int64_t sum = 0;
  for (const v1::MemberAssessment& m : a.members()) {
    if (m.countable()) {
      sum += std::max(m.reported_income_fen(), m.verified_income_fen());
    }
  }
  return sum;
}

// The member who takes the job; `reason` says why.
absl::StatusOr<int> ChooseMember(const HouseholdCase& hc,
                                 const v1::Policy& policy,
                                 const std::string& asked,
                                 std::string* reason) {
  const v1::Household& h = hc.household();
  if (!asked.empty()) {
    ASSIGN_OR_RETURN(ResidentId id, ParseResidentId(asked, hc.day()));
    for (int i = 0; i < h.members_size(); ++i) {
      if (h.members(i).id_number() == id.number()) {
        *reason = "the member asked for";
        return i;
      }
    }
    return absl::NotFoundError(absl::StrCat("member ", MaskId(id.number()),
                                            " is not in household ",
                                            h.household_id()));
  }
  const std::vector<MemberStanding> standing = StandingOf(hc, policy);
  int fallback = -1;
  for (int i = 0; i < h.members_size(); ++i) {
    const v1::Member& m = h.members(i);
    auto birth = FromProto(m.birth_date());
    if (!birth.ok() || !standing[i].countable() ||
        m.reported_status() == v1::REPORTED_STATUS_EMPLOYED ||
        !standing[i].jobs.empty() ||
        AgeBandOf(m.sex(), AgeOn(*birth, hc.day())) !=
            v1::AGE_BAND_WORKING_AGE) {
      continue;
    }
    if (m.able_to_work()) {
      *reason =
          "the first working-age member without a job who is able to work";
      return i;
    }
    if (fallback < 0) fallback = i;
  }
  if (fallback >= 0) {
    *reason =
        "the first working-age member without a job (none is recorded as "
        "able to work)";
    return fallback;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "household ", h.household_id(),
      " has no working-age member without a job: name the member"));
}

}  // namespace

absl::StatusOr<v1::BenefitCliff> ComputeBenefitCliff(
    const Store& store, const Registry& registry, const v1::Policy& policy,
    const v1::CliffRequest& request, absl::CivilDay as_of) {
  if (request.household_id().empty()) {
    return absl::InvalidArgumentError("household_id is required");
  }
  const int64_t wage = request.wage_fen();
  if (wage < 1 || wage > kMaxCliffWageFen) {
    return absl::InvalidArgumentError(
        absl::StrCat("wage_fen is ", wage, "; it must be 1 to ",
                     kMaxCliffWageFen, " fen a month"));
  }
  ASSIGN_OR_RETURN(const v1::Household without,
                   registry.Get(request.household_id()));
  FactReader reader(&store, nullptr);
  HouseholdCase hc0;
  RETURN_IF_ERROR(reader.Load(without, as_of, &hc0));
  std::string reason;
  ASSIGN_OR_RETURN(
      const int member,
      ChooseMember(hc0, policy, request.member_id_number(), &reason));
  v1::Household with = without;
  v1::Member& worker = *with.mutable_members(member);
  const int64_t reported_before = worker.reported_monthly_income_fen();
  worker.set_reported_status(v1::REPORTED_STATUS_EMPLOYED);
  worker.set_reported_monthly_income_fen(wage);
  HouseholdCase hc1;
  RETURN_IF_ERROR(reader.Load(with, as_of, &hc1));

  ASSIGN_OR_RETURN(HouseholdResult r0, AssessHousehold(hc0, policy, true));
  ASSIGN_OR_RETURN(HouseholdResult r1, AssessHousehold(hc1, policy, true));
  const v1::Assessment& a0 = r0.assessment;
  const v1::Assessment& a1 = r1.assessment;
  const int64_t expense = policy.income().work_expense_disregard_fen();

  v1::BenefitCliff out;
  out.set_household_id(without.household_id());
  *out.mutable_as_of() = ToProto(as_of);
  out.set_policy_version(policy.version());
  out.set_member_id_number(worker.id_number());
  out.set_member_name(worker.name());
  out.set_member_reason(reason);
  out.set_wage_fen(wage);
  out.set_work_expense_fen(expense);
  out.set_current_benefit_fen(without.monthly_benefit_fen());

  const int64_t others0 = MembersIncome(a0);
  const int64_t income0 = others0 + a0.top_up_fen();
  v1::CliffScenario* s0 = out.mutable_without_job();
  s0->set_name("without the job");
  s0->set_benefit_fen(a0.top_up_fen());
  s0->set_household_income_fen(income0);
  s0->add_explanation(
      absl::StrCat("benefit (the reassessed top-up): ", Yuan(a0.top_up_fen())));
  for (const std::string& line : a0.explanation()) s0->add_explanation(line);
  s0->add_explanation(absl::StrCat("household income: members ", Yuan(others0),
                                   " + benefit ", Yuan(a0.top_up_fen()), " = ",
                                   Yuan(income0)));

  const int64_t members1 = MembersIncome(a1);
  const int64_t income1 = members1 + a1.top_up_fen();
  const int64_t gain1 = income1 - income0 - expense;
  v1::CliffScenario* s1 = out.mutable_with_job();
  s1->set_name("with the job, current policy");
  s1->set_benefit_fen(a1.top_up_fen());
  s1->set_wage_fen(wage);
  s1->set_household_income_fen(income1);
  s1->set_net_gain_fen(gain1);
  s1->add_explanation(
      absl::StrCat(worker.name(), " reports EMPLOYED with a wage of ",
                   Yuan(wage), " (instead of ", Yuan(reported_before),
                   "); the work-expense disregard of ", Yuan(expense),
                   " is deducted from it in the means test"));
  for (const std::string& line : a1.explanation()) s1->add_explanation(line);
  s1->add_explanation(
      absl::StrCat("household income: members (with the wage) ", Yuan(members1),
                   " + benefit ", Yuan(a1.top_up_fen()), " = ", Yuan(income1)));
  s1->add_explanation(absl::StrCat("net gain: ", Yuan(income1), " - ",
                                   Yuan(income0), " - cost of going to work ",
                                   Yuan(expense), " = ", Yuan(gain1),
                                   " a month"));

  const int months = std::max(0, policy.gradual_exit_months());
  out.set_gradual_exit_months(months);
  for (int month = 1; month <= months + 1; ++month) {
    v1::CliffMonth* row = out.add_gradual_exit();
    row->set_month(month);
    row->set_wage_fen(wage);
    const bool continues = month <= months;
    const int64_t benefit = continues ? a0.top_up_fen() : a1.top_up_fen();
    const int64_t income = members1 + benefit;
    row->set_benefit_fen(benefit);
    row->set_household_income_fen(income);
    row->set_net_gain_fen(income - income0 - expense);
    row->set_explanation(
        continues ? absl::StrCat("gradual exit month ", month, " of ", months,
                                 ": the benefit continues at ", Yuan(benefit))
                  : absl::StrCat(months == 0 ? "no gradual exit in the policy"
                                             : "gradual exit over",
                                 ": the new top-up ", Yuan(benefit),
                                 " from this month on"));
  }

  out.add_explanation(absl::StrCat(
      "job of ", Yuan(wage), " for ", MaskName(worker.name()), " (", reason,
      "): benefit ", Yuan(a0.top_up_fen()), " -> ", Yuan(a1.top_up_fen()),
      ", household income ", Yuan(income0), " -> ", Yuan(income1)));
  out.add_explanation(
      absl::StrCat("current policy: net gain ", Yuan(gain1), " a month after ",
                   Yuan(expense), " of work costs (the benefit falls by ",
                   Yuan(a0.top_up_fen() - a1.top_up_fen()), ")"));
  if (months > 0) {
    out.add_explanation(absl::StrCat(
        "gradual exit: net gain ",
        Yuan(members1 + a0.top_up_fen() - income0 - expense),
        " a month for the first ", months, " months, then ", Yuan(gain1)));
  }
  if (a0.top_up_fen() != without.monthly_benefit_fen()) {
    out.add_explanation(absl::StrCat(
        "note: the benefit paid now is ", Yuan(without.monthly_benefit_fen()),
        "; the figures use the reassessed top-up"));
  }
  return out;
}

}  // namespace dibao
