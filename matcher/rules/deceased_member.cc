// DECEASED_MEMBER: public security records a member of the household as
// deceased (hukou status DECEASED, dated on or before the day).
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckDeceasedMember(const RuleInput& in, std::vector<Detection>* out) {
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const CurrentFact* death = in.standing[i].death;
    if (death == nullptr) continue;
    const v1::Member& m = *in.hc.members()[i].member;
    Detection d;
    d.member = static_cast<int>(i);
    const std::string when = FormatDate(death->record().hukou().status_date());
    d.summary = absl::StrCat("public security: died",
                             when.empty() ? "" : absl::StrCat(" on ", when),
                             "; still listed as a member");
    d.facts = {death};
    d.reported = {{MemberField(m, "id_number"), "listed as a member"}};
    d.if_true = {IfTrue::Kind::kMemberLeaves, d.member};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
