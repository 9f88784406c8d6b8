// The benefit cliff (the report's "easy in, hard out"): what a household
// gains each month when one member takes a job of a given wage, under the
// current policy and under gradual exit (渐退).
//
// Both situations are assessed by the matching engine itself
// (AssessHousehold: the household's partner facts on the day, the
// work-expense disregard for the employed member, the standard, the
// supplements, the asset test), so the calculator cannot disagree with the
// nightly cycle:
// - without the job: the household as it is;
// - with the job: the member reports EMPLOYED with the wage as their
//   income (the wage replaces what they reported before).
// Household income = the countable members' incomes (the larger of reported
// and partner-verified) + the benefit. Net gain = income with the job -
// income without it - the cost of going to work, taken as the policy's
// work-expense disregard (the report: a 300 yuan job less about 100 yuan of
// transport).
// Gradual exit: for policy.gradual_exit_months after the job starts the
// benefit stays what it was; from the month after, the new top-up.
//
// The member: the one asked for, or the first member (in the household's
// order) who counts, is of working age on the day (men 18-59, women 18-54),
// reports no employment and has no job on record, preferring those able to
// work.
//
// Thread-safe: reads only, from thread-safe Store and Registry.
#ifndef DIBAO_REPORTS_BENEFIT_CLIFF_H_
#define DIBAO_REPORTS_BENEFIT_CLIFF_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/policy.pb.h"
#include "dibao/v1/reports.pb.h"
#include "registry/registry.h"
#include "storage/store.h"

namespace dibao {

// The largest wage accepted, fen (100,000 yuan a month).
inline constexpr int64_t kMaxCliffWageFen = 10'000'000;

// request.as_of is ignored: `as_of` is the day assessed. Errors:
// INVALID_ARGUMENT for a missing household ID, a wage outside
// 1..kMaxCliffWageFen or an unreadable member ID; NOT_FOUND for an unknown
// household or a member not in it; FAILED_PRECONDITION when no member can
// be chosen; NOT_FOUND when the policy has no standard for the district.
absl::StatusOr<v1::BenefitCliff> ComputeBenefitCliff(
    const Store& store, const Registry& registry, const v1::Policy& policy,
    const v1::CliffRequest& request, absl::CivilDay as_of);

}  // namespace dibao

#endif  // DIBAO_REPORTS_BENEFIT_CLIFF_H_
