// Runs every rule and the reassessment on one household case: the single
// place where a case becomes findings, so the nightly cycle and the intake
// check cannot disagree.
//
// Each finding carries its evidence (partner facts beside the reported
// values), a fingerprint of the rule, member and evidence content (the same
// conflict gives the same fingerprint night after night; other evidence,
// another fingerprint) and the estimated monthly overpayment: the benefit
// paid now minus the benefit if the conflict is true (never negative).
//
// Pure: the same case and policy give the same result, byte for byte.
#ifndef DIBAO_MATCHER_HOUSEHOLD_ASSESSOR_H_
#define DIBAO_MATCHER_HOUSEHOLD_ASSESSOR_H_

#include <vector>

#include "absl/status/statusor.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/policy.pb.h"
#include "matcher/household_case.h"

namespace dibao {

struct HouseholdResult {
  v1::Assessment assessment;
  // In rule order (AllRules()), then member order.
  std::vector<v1::Finding> findings;
  // Conflicts the household passes, but by no more than the policy's
  // resolution margin (flags.resolve_margin_fen): they keep an open flag of
  // the same conflict open, and raise none.
  std::vector<v1::Finding> sustaining;
};

// NOT_FOUND when the policy has no standard for the household's district
// on the day. The assessment carries its members and explanation when there
// are findings or `always_explain`; otherwise only its figures (the many
// households without findings cost no text).
absl::StatusOr<HouseholdResult> AssessHousehold(const HouseholdCase& hc,
                                                const v1::Policy& policy,
                                                bool always_explain = true);

}  // namespace dibao

#endif  // DIBAO_MATCHER_HOUSEHOLD_ASSESSOR_H_
