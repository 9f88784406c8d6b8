// INCARCERATED_MEMBER: the member's latest custody event on or before the
// day is SENTENCED or INCARCERATED, with no later RELEASED. A member in
// custody does not count in the household.
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/dates.h"
#include "matcher/fact_queries.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckIncarceratedMember(const RuleInput& in, std::vector<Detection>* out) {
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const CurrentFact* latest = in.standing[i].custody;
    if (latest == nullptr) continue;
    const MemberCase& m = in.hc.members()[i];
    Detection d;
    d.member = static_cast<int>(i);
    // The episode: every custody event after the last release. Its first
    // event identifies it, whatever stages are reported later.
    const CurrentFact* release = nullptr;
    m.ForKind(v1::FEED_KIND_CUSTODY, [&](const CurrentFact& f) {
      const v1::CustodyRecord& r = f.record().custody();
      if (r.event() != v1::CUSTODY_EVENT_RELEASED) return;
      const auto when = DayOf(r.event_date());
      if (when && *when <= in.day() &&
          (release == nullptr ||
           *when > *DayOf(release->record().custody().event_date()))) {
        release = &f;
      }
    });
    const auto released_on =
        release == nullptr ? std::nullopt
                           : DayOf(release->record().custody().event_date());
    const CurrentFact* first = nullptr;
    m.ForKind(v1::FEED_KIND_CUSTODY, [&](const CurrentFact& f) {
      const v1::CustodyRecord& r = f.record().custody();
      const auto when = DayOf(r.event_date());
      if (!when || *when > in.day() ||
          (r.event() != v1::CUSTODY_EVENT_SENTENCED &&
           r.event() != v1::CUSTODY_EVENT_INCARCERATED) ||
          (released_on && *when <= *released_on)) {
        return;
      }
      d.facts.push_back(&f);
      if (first == nullptr ||
          *when < *DayOf(first->record().custody().event_date())) {
        first = &f;
      }
    });
    const v1::CustodyRecord& r = latest->record().custody();
    absl::string_view event = v1::CustodyEvent_Name(r.event());
    absl::ConsumePrefix(&event, "CUSTODY_EVENT_");
    d.summary =
        absl::StrCat("justice: ", event, " on ", FormatDate(r.event_date()),
                     r.institution().empty() ? "" : " (", r.institution(),
                     r.institution().empty() ? "" : ")",
                     ", no release since; still counted as a member");
    d.identity = {first != nullptr ? first : latest};
    d.reported = {{MemberField(*m.member, "id_number"), "listed as a member"}};
    d.if_true = {IfTrue::Kind::kMemberLeaves, d.member};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
