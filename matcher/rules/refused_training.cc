// REFUSED_TRAINING (signal): a member refused a training offer within the
// policy's look-back. Shown to caseworkers; not a conflict.
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "matcher/fact_queries.h"
#include "matcher/policy.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckRefusedTraining(const RuleInput& in, std::vector<Detection>* out) {
  const int months = in.policy.signals().lookback_months();
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    Detection d;
    in.hc.members()[i].ForKind(
        v1::FEED_KIND_TRAINING, [&](const CurrentFact& f) {
          const v1::TrainingRecord& r = f.record().training();
          const auto offered = DayOf(r.offered_date());
          if (r.outcome() != v1::TRAINING_OUTCOME_REFUSED || !offered ||
              *offered > in.day() || AddMonths(*offered, months) <= in.day()) {
            return;
          }
          absl::StrAppend(&d.summary, d.facts.empty() ? "labour: " : "; ",
                          "refused the training offered on ",
                          FormatDate(*offered));
          d.facts.push_back(&f);
        });
    if (d.facts.empty()) continue;
    d.member = static_cast<int>(i);
    d.reported = {ReportedStatus(*in.hc.members()[i].member)};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
