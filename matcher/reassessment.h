// Household reassessment: what the household should receive on a day,
// given what it reported and what the partners say.
//
// - Countable members: all but the deceased and those in custody.
// - Each countable member's income: the larger of reported and
//   partner-verified, less the work-expense disregard when employed
//   (reported EMPLOYED or a job on record), never below zero.
// - Per-capita income: household income / countable members, rounded down
//   to the fen.
// - Top-up: (standard - per-capita) x countable members + the supplements of
//   the household's categories, when per-capita is below the standard and
//   the asset test passes; otherwise 0 (an exit candidate).
// Every step is written into Assessment.explanation for the caseworker.
//
// The same arithmetic answers "what would the household receive if this
// one conflict were true" (TopUpIf), starting from what it reported: that
// difference with the benefit paid now is a flag's estimated overpayment.
#ifndef DIBAO_MATCHER_REASSESSMENT_H_
#define DIBAO_MATCHER_REASSESSMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/policy.pb.h"
#include "matcher/fact_queries.h"
#include "matcher/household_case.h"

namespace dibao {

// A member's standing on the day, from the partner facts.
struct MemberStanding {
  const CurrentFact* death = nullptr;    // hukou DECEASED
  const CurrentFact* custody = nullptr;  // in custody
  VerifiedIncome income;
  std::vector<const CurrentFact*> jobs;  // active jobs
  bool countable() const { return death == nullptr && custody == nullptr; }
};

std::vector<MemberStanding> StandingOf(const HouseholdCase& hc,
                                       const v1::Policy& policy);

// The full reassessment. `assets_pass`: no asset rule fired. Without
// `explain`, only the figures are set (no members, no explanation): the
// cycle's path for the many households without findings. NOT_FOUND when the
// policy has no standard for the district on the day.
absl::StatusOr<v1::Assessment> Reassess(
    const HouseholdCase& hc, const v1::Policy& policy,
    const std::vector<MemberStanding>& standing, bool assets_pass,
    bool explain = true);

// What a conflict changes if it is true.
struct IfTrue {
  enum class Kind {
    kNothing,         // no money at stake (a visit, a signal)
    kVerifiedIncome,  // the member's income is the verified one
    kMemberLeaves,    // the member no longer counts (died, custody, moved)
    kAssetsFail,      // the household fails the asset test
    kReassessed,      // the full reassessment holds
  };
  Kind kind = Kind::kNothing;
  int member = -1;
};

struct TopUpEstimate {
  int64_t top_up_fen = 0;
  std::vector<std::string> explanation;
};

// The top-up if `if_true` holds and everything else is as reported.
// kNothing: the benefit paid now. kReassessed: `assessment`'s top-up.
absl::StatusOr<TopUpEstimate> TopUpIf(
    const HouseholdCase& hc, const v1::Policy& policy,
    const std::vector<MemberStanding>& standing,
    const v1::Assessment& assessment, const IfTrue& if_true);

}  // namespace dibao

#endif  // DIBAO_MATCHER_REASSESSMENT_H_
