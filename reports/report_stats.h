// The bureau's statistics over the beneficiary registry: households,
// persons and monthly outlay, persons by reported identity (the report's
// Table 1), by age band and sex (Table 2) and the disabled.
//
// Counts cover the members of ACTIVE households in an area, with ages taken
// on a given day. The registry is streamed household by household from one
// snapshot (Registry::ForEach): memory does not grow with its size.
//
// Table 2's working age depends on sex: men 18-59, women 18-54 (retirement
// at 60 and 55), as in the report.
//
// Thread-safe: pure functions over a thread-safe Registry.
#ifndef DIBAO_REPORTS_REPORT_STATS_H_
#define DIBAO_REPORTS_REPORT_STATS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/reports.pb.h"
#include "registry/registry.h"

namespace dibao {

// The registry filter of ACTIVE households in `area`. INVALID_ARGUMENT when
// a street is given without a district or a community without a street.
absl::StatusOr<ListFilter> ActiveHouseholdsIn(const v1::AreaFilter& area);

// part / whole in basis points of a percent (hundredths of a percent),
// rounded half up; 0 when whole is 0. PercentBp(55, 1013) == 543.
int64_t PercentBp(int64_t part, int64_t whole);
// "5.43" for 543.
std::string FormatPercentBp(int64_t bp);

// Table 2's band of someone of `sex` who is `age` on the day. A person of
// unspecified sex is banded by the men's ages.
v1::AgeBand AgeBandOf(v1::Sex sex, int age);

// The statistics of the ACTIVE households in `area` on `as_of`.
// INVALID_ARGUMENT for a bad area; DATA_LOSS when a stored household or a
// member's birth date cannot be read.
absl::StatusOr<v1::Statistics> ComputeStatistics(const Registry& registry,
                                                 const v1::AreaFilter& area,
                                                 absl::CivilDay as_of);

}  // namespace dibao

#endif  // DIBAO_REPORTS_REPORT_STATS_H_
