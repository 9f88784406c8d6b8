// RELEASED_FROM_CUSTODY (signal): a member's latest custody event is a
// release within the policy's look-back (两劳释放): a person who may need
// help finding their feet, and who counts in the household again.
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "matcher/fact_queries.h"
#include "matcher/policy.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckReleasedFromCustody(const RuleInput& in,
                              std::vector<Detection>* out) {
  const int months = in.policy.signals().lookback_months();
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const CurrentFact* e = LatestCustodyEvent(in.hc.members()[i], in.day());
    if (e == nullptr) continue;
    const v1::CustodyRecord& r = e->record().custody();
    const auto when = DayOf(r.event_date());
    if (r.event() != v1::CUSTODY_EVENT_RELEASED || !when ||
        AddMonths(*when, months) <= in.day()) {
      continue;
    }
    Detection d;
    d.member = static_cast<int>(i);
    d.summary =
        absl::StrCat("justice: released on ", FormatDate(*when),
                     r.institution().empty() ? "" : " from ", r.institution());
    d.facts = {e};
    d.reported = {ReportedStatus(*in.hc.members()[i].member)};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
