// HOUSEHOLD_INCOME_ABOVE_STANDARD: the reassessment's per-capita income is
// at or above the standard: the household is an exit candidate. Evidence:
// the partner facts that put a member's income above what was reported.
// Just below the standard (within the policy's resolution margin) the
// detection only keeps an open flag open: a wage that moves by a few yuan
// around the line does not resolve and raise the flag month after month.
#include "absl/strings/str_cat.h"
#include "base/money.h"
#include "matcher/policy.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckHouseholdIncomeAboveStandard(const RuleInput& in,
                                       std::vector<Detection>* out) {
  const v1::Assessment* a = in.assessment;
  if (a == nullptr || a->countable_members() == 0) return;
  Detection d;
  if (a->income_eligible()) {
    const int64_t margin = ResolveMarginFen(in.policy);
    if (a->per_capita_income_fen() < a->standard_fen() - margin) return;
    d.sustain_only = true;
    d.summary = absl::StrCat(
        "per-capita income ", FormatYuan(a->per_capita_income_fen()),
        " is below the standard ", FormatYuan(a->standard_fen()),
        " by no more than the resolution margin ", FormatYuan(margin), " (",
        a->countable_members(), " countable, household ",
        FormatYuan(a->household_income_fen()), ")");
  } else {
    d.summary = absl::StrCat(
        "per-capita income ", FormatYuan(a->per_capita_income_fen()),
        " is at or above the standard ", FormatYuan(a->standard_fen()), " (",
        a->countable_members(), " countable, household ",
        FormatYuan(a->household_income_fen()), ")");
  }
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const v1::Member& m = *in.hc.members()[i].member;
    const MemberStanding& s = in.standing[i];
    if (!s.countable()) continue;
    d.reported.push_back(ReportedIncome(m));
    if (s.income.monthly_fen <= m.reported_monthly_income_fen()) continue;
    for (const IncomeSource& src : s.income.sources)
      d.facts.push_back(src.fact);
  }
  d.if_true = {IfTrue::Kind::kReassessed, -1};
  out->push_back(std::move(d));
}

}  // namespace dibao
