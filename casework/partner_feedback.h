// What caseworkers found wrong in partner agencies' facts, for the agencies
// that sent them: every flag dismissed as PARTNER_DATA_WRONG or WRONG_PERSON
// (at the desk or after a home visit) names the partner facts it rested on,
// and each of those is a line of its agency's feedback. Read off the flags
// as they are, so the list is never out of step with the decisions.
//
// Thread-safe as FlagStore is; a WithdrawalFinder is used by one call at a
// time.
#ifndef DIBAO_CASEWORK_PARTNER_FEEDBACK_H_
#define DIBAO_CASEWORK_PARTNER_FEEDBACK_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/feeds.pb.h"
#include "dibao/v1/matching.pb.h"
#include "feeds/fact_reader.h"
#include "matcher/flag_store.h"

namespace dibao {

// The feedback for `agency` decided on or after `since` (the bureau's
// day), oldest decision first. With `withdrawals`, each line says whether
// the agency has withdrawn the fact since (as of `today`).
absl::StatusOr<std::vector<v1::PartnerFeedback>> PartnerFeedbackOf(
    const FlagStore& flags, v1::Agency agency,
    std::optional<absl::CivilDay> since, WithdrawalFinder* withdrawals,
    absl::CivilDay today);

}  // namespace dibao

#endif  // DIBAO_CASEWORK_PARTNER_FEEDBACK_H_
