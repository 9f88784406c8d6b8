// LAND_COMPENSATION: rural-to-urban conversion compensation paid to a member
// within the policy's look-back: a lump sum that fails the asset test until
// the look-back has passed.
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/money.h"
#include "matcher/fact_queries.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckLandCompensation(const RuleInput& in, std::vector<Detection>* out) {
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const auto paid =
        RecentCompensation(in.hc.members()[i], in.policy, in.day());
    if (paid.empty()) continue;
    Detection d;
    d.member = static_cast<int>(i);
    d.summary = "land:";
    for (const CurrentFact* f : paid) {
      const v1::ConversionRecord& r = f->record().conversion();
      absl::StrAppend(&d.summary, d.facts.empty() ? " " : "; ",
                      "compensation of ", FormatYuan(r.compensation_fen()),
                      " yuan paid on ", FormatDate(r.paid_date()));
      d.facts.push_back(f);
    }
    absl::StrAppend(&d.summary, " (look-back ",
                    in.policy.assets().land_compensation_lookback_months(),
                    " months)");
    d.reported = {{MemberField(*in.hc.members()[i].member, "assets"),
                   "no compensation declared"}};
    d.if_true = {IfTrue::Kind::kAssetsFail, d.member};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
