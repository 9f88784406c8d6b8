// UNDECLARED_EMPLOYMENT: a member not reported EMPLOYED who, on the day,
// has a job with a wage on record (labour) or an ACTIVE union hardship
// registration, which names an employer (union).
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/money.h"
#include "matcher/fact_queries.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckUndeclaredEmployment(const RuleInput& in,
                               std::vector<Detection>* out) {
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const MemberCase& m = in.hc.members()[i];
    if (m.member->reported_status() == v1::REPORTED_STATUS_EMPLOYED) continue;
    Detection d;
    for (const CurrentFact* job : in.standing[i].jobs) {
      const v1::EmploymentRecord& r = job->record().employment();
      d.facts.push_back(job);
      absl::StrAppend(
          &d.summary, d.summary.empty() ? "" : "; ", "employed at ",
          r.employer_name().empty() ? r.employer_code() : r.employer_name(),
          " since ", FormatDate(r.start_date()), " at ",
          FormatYuan(r.monthly_wage_fen()), " yuan/month");
    }
    m.ForKind(v1::FEED_KIND_HARDSHIP, [&](const CurrentFact& f) {
      const v1::HardshipRecord& r = f.record().hardship();
      const auto since = DayOf(r.registered_date());
      if (r.status() != v1::HARDSHIP_STATUS_ACTIVE ||
          r.employer_code().empty() || (since && *since > in.day())) {
        return;
      }
      d.facts.push_back(&f);
      absl::StrAppend(&d.summary, d.summary.empty() ? "" : "; ",
                      "ACTIVE union hardship registration by employer ",
                      r.employer_code(), " since ",
                      FormatDate(r.registered_date()));
    });
    if (d.facts.empty()) continue;
    d.member = static_cast<int>(i);
    d.reported = {ReportedStatus(*m.member), ReportedIncome(*m.member)};
    d.if_true = {IfTrue::Kind::kVerifiedIncome, d.member};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
