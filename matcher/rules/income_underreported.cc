// INCOME_UNDERREPORTED: a member's partner-verified monthly income (wages,
// unemployment benefit, pension, union assistance, as the policy counts
// them) above the reported income by more than the policy's tolerance.
// Above it by less, but by more than the tolerance minus the resolution
// margin, the detection only keeps an open flag open.
#include "absl/strings/str_cat.h"
#include "base/money.h"
#include "matcher/policy.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckIncomeUnderreported(const RuleInput& in,
                              std::vector<Detection>* out) {
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const v1::Member& m = *in.hc.members()[i].member;
    const VerifiedIncome& income = in.standing[i].income;
    const int64_t above = income.monthly_fen - m.reported_monthly_income_fen();
    const int64_t tolerance = in.policy.income().tolerance_fen();
    const bool sustain_only = above <= tolerance;
    if (sustain_only &&
        (above <= 0 || above <= tolerance - ResolveMarginFen(in.policy))) {
      continue;
    }
    Detection d;
    d.sustain_only = sustain_only;
    d.member = static_cast<int>(i);
    d.summary = absl::StrCat("verified income ", FormatYuan(income.monthly_fen),
                             " yuan/month, reported ",
                             FormatYuan(m.reported_monthly_income_fen()), ":");
    for (const IncomeSource& s : income.sources) {
      d.facts.push_back(s.fact);
      absl::StrAppend(&d.summary, " ", s.what, " ", FormatYuan(s.monthly_fen),
                      ";");
    }
    d.summary.pop_back();
    d.reported = {ReportedIncome(m)};
    d.if_true = {IfTrue::Kind::kVerifiedIncome, d.member};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
