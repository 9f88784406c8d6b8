#include "formats/recommendation_rows.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/dates.h"
#include "base/money.h"
#include "base/resident_id.h"
#include "formats/names.h"

namespace dibao {
namespace {

// Removed members' IDs masked: the list goes round a meeting.
std::string MaskedMembers(const v1::Recommendation& r) {
  std::vector<std::string> ids;
  for (const std::string& id : r.remove_members()) ids.push_back(MaskId(id));
  return absl::StrJoin(ids, " ");
}

}  // namespace

const std::vector<std::string>& RecommendationColumns() {
  static const auto* columns = new std::vector<std::string>{
      "recommendation",  "state",     "kind",         "household",
      "street",          "community", "current_yuan", "new_yuan",
      "change_yuan",     "effective", "notice_days",  "paid_through",
      "members_leaving", "flags",     "evidence",     "decided_by",
      "decision_note"};
  return *columns;
}

std::vector<std::string> RecommendationRow(const v1::Recommendation& r) {
  return {r.recommendation_id(),
          RecommendationStateName(r.state()),
          RecommendationKindName(r.kind()),
          r.household_id(),
          r.street(),
          r.community(),
          FormatYuan(r.current_benefit_fen()),
          FormatYuan(r.new_benefit_fen()),
          FormatYuan(r.new_benefit_fen() - r.current_benefit_fen()),
          FormatDate(r.effective()),
          absl::StrCat(r.notice_days()),
          r.has_gradual_exit_until() ? FormatDate(r.gradual_exit_until()) : "",
          MaskedMembers(r),
          absl::StrJoin(r.flag_ids(), " "),
          absl::StrJoin(r.evidence(), " | "),
          r.decided_by(),
          r.decision_note()};
}

}  // namespace dibao
