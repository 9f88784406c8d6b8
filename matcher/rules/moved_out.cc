// MOVED_OUT: the member's hukou was moved out or cancelled (on or before the
// day), or is registered in another district than the household's.
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/dates.h"
#include "matcher/fact_queries.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckMovedOut(const RuleInput& in, std::vector<Detection>* out) {
  const v1::Household& h = in.hc.household();
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const CurrentFact* hukou = HukouOf(in.hc.members()[i]);
    if (hukou == nullptr || in.standing[i].death != nullptr) continue;
    const v1::HukouRecord& r = hukou->record().hukou();
    const auto since = DayOf(r.status_date());
    // A registration dated after the day (a move not yet made) does not
    // hold yet, whatever its status or address.
    if (since && *since > in.day()) continue;
    const bool gone = (r.status() == v1::HUKOU_STATUS_MOVED_OUT ||
                       r.status() == v1::HUKOU_STATUS_CANCELLED) &&
                      (!since || *since <= in.day());
    const absl::string_view district =
        absl::string_view(r.address_code()).substr(0, 6);
    const bool elsewhere =
        !gone && !district.empty() && district != h.district_code();
    if (!gone && !elsewhere) continue;
    Detection d;
    d.member = static_cast<int>(i);
    if (gone) {
      absl::string_view status = v1::HukouStatus_Name(r.status());
      absl::ConsumePrefix(&status, "HUKOU_STATUS_");
      d.summary =
          absl::StrCat("public security: hukou ", status,
                       since ? absl::StrCat(" on ", FormatDate(*since)) : "");
    } else {
      d.summary =
          absl::StrCat("public security: hukou registered in district ",
                       district, ", the household is in ", h.district_code());
    }
    d.facts = {hukou};
    d.reported = {{"district_code", h.district_code()},
                  {MemberField(*in.hc.members()[i].member, "id_number"),
                   "listed as a member"}};
    d.if_true = {IfTrue::Kind::kMemberLeaves, d.member};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
