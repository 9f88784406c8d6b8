// UNEMPLOYMENT_BENEFIT_ENDING (signal): a member's unemployment benefit,
// paid this month, ends within the policy's notice months (at its end month
// or the legal maximum): a household about to need more help.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/money.h"
#include "matcher/fact_queries.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckUnemploymentBenefitEnding(const RuleInput& in,
                                    std::vector<Detection>* out) {
  const absl::CivilMonth month(in.day());
  const int notice = in.policy.signals().benefit_ending_months();
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    Detection d;
    in.hc.members()[i].ForKind(
        v1::FEED_KIND_UNEMPLOYMENT_BENEFIT, [&](const CurrentFact& f) {
          const v1::UnemploymentBenefitRecord& r =
              f.record().unemployment_benefit();
          const auto start = MonthOf(r.start_month());
          const absl::CivilMonth last = BenefitLastMonth(r, in.policy);
          if (!start || *start > month || last < month ||
              last - month >= notice) {
            return;
          }
          absl::StrAppend(
              &d.summary, d.facts.empty() ? "labour: " : "; ",
              "unemployment benefit of ", FormatYuan(r.monthly_amount_fen()),
              " yuan/month is paid for the last time in ",
              absl::StrFormat("%04d-%02d", last.year(), last.month()));
          d.facts.push_back(&f);
        });
    if (d.facts.empty()) continue;
    d.member = static_cast<int>(i);
    d.reported = {ReportedStatus(*in.hc.members()[i].member)};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
