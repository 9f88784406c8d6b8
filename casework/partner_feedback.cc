#include "casework/partner_feedback.h"

#include <algorithm>

#include "absl/strings/strip.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "base/status_macros.h"
#include "formats/feed_format.h"
#include "formats/feed_kinds.h"

namespace dibao {

absl::StatusOr<std::vector<v1::PartnerFeedback>> PartnerFeedbackOf(
    const FlagStore& flags, v1::Agency agency,
    std::optional<absl::CivilDay> since, WithdrawalFinder* withdrawals,
    absl::CivilDay today) {
  std::vector<v1::PartnerFeedback> out;
  RETURN_IF_ERROR(
      flags.ForEach(FlagFilter(), [&](const v1::Flag& flag) -> absl::Status {
        for (const v1::ReviewDecision& d : flag.decisions()) {
          if (!FaultsPartnerData(d)) continue;
          if (since &&
              absl::ToCivilDay(FromProto(d.at()), BureauTimeZone()) < *since) {
            continue;
          }
          for (const v1::Fact& fact : flag.finding().facts()) {
            if (fact.agency() != agency) continue;
            const FeedKindSpec* spec = FindFeedKind(fact.kind());
            if (spec == nullptr) continue;
            v1::PartnerFeedback& f = out.emplace_back();
            *f.mutable_decided_at() = d.at();
            f.set_agency(agency);
            f.set_kind(fact.kind());
            f.set_id_number_masked(MaskId(fact.record().id_number()));
            f.set_natural_key(NaturalKeyLabel(*spec, fact.record()));
            f.set_batch_id(fact.batch_id());
            absl::string_view reason = v1::DismissReason_Name(d.reason());
            absl::ConsumePrefix(&reason, "DISMISS_REASON_");
            f.set_reason(std::string(reason));
            // Notes are typed by people and may hold an ID; the agency gets
            // the finding, not the person.
            f.set_note(MaskIdsInText(d.note()));
            f.set_visit(d.visit_result());
            f.set_flag_id(flag.flag_id());
            if (withdrawals != nullptr) {
              ASSIGN_OR_RETURN(std::optional<v1::Withdrawal> w,
                               withdrawals->Find(fact, today));
              if (w) f.set_withdrawn_by_batch(w->batch_id());
            }
          }
        }
        return absl::OkStatus();
      }));
  std::stable_sort(
      out.begin(), out.end(),
      [](const v1::PartnerFeedback& a, const v1::PartnerFeedback& b) {
        return FromProto(a.decided_at()) < FromProto(b.decided_at());
      });
  return out;
}

}  // namespace dibao
