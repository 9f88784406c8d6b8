// The intake check: the cycle's rules and reassessment run on a household
// that applies (not in the registry yet), against everything the partners
// already said about its members. Stores nothing.
//
// This is how "cover everyone eligible and nobody who is not" is enforced at
// the door: the caseworker sees the same findings the nightly cycle would
// raise, the top-up the household would get, and whether anyone in it is
// already counted in another ACTIVE household.
//
// Thread-safe.
#ifndef DIBAO_MATCHER_INTAKE_CHECK_H_
#define DIBAO_MATCHER_INTAKE_CHECK_H_

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/policy.pb.h"
#include "storage/store.h"

namespace dibao {

// `household` as a registry upsert would take it (an empty household_id and
// benefit_start_date are allowed: an applicant has neither yet).
// INVALID_ARGUMENT naming every bad field; NOT_FOUND when the policy has no
// standard for the district on `as_of`. `today` bounds the members' birth
// dates.
absl::StatusOr<v1::CheckApplicantResponse> CheckApplicant(
    const Store& store, const v1::Policy& policy, v1::Household household,
    absl::CivilDay as_of, absl::CivilDay today);

}  // namespace dibao

#endif  // DIBAO_MATCHER_INTAKE_CHECK_H_
