// What a member's partner facts say on the case's day: the questions more
// than one rule (and the reassessment) ask, answered in one place so they
// always agree.
//
// A fact's own dates decide whether it holds on the day: a job holds from
// its start_date through its end_date, a vehicle until it is deregistered,
// a hukou status from its status_date. Facts dated after the day do not
// hold yet.
#ifndef DIBAO_MATCHER_FACT_QUERIES_H_
#define DIBAO_MATCHER_FACT_QUERIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "dibao/v1/policy.pb.h"
#include "matcher/household_case.h"

namespace dibao {

// A Date field of a record as a day; nullopt when unset or invalid (stored
// facts passed validation, so only unset happens in practice).
std::optional<absl::CivilDay> DayOf(const v1::Date& d);
std::optional<absl::CivilMonth> MonthOf(const v1::Month& m);

// The member's hukou record, if the police sent one.
const CurrentFact* HukouOf(const MemberCase& m);
// The hukou record when it says the member died on or before the day.
const CurrentFact* DeathOf(const MemberCase& m, absl::CivilDay day);

// The latest custody event on or before the day among SENTENCED,
// INCARCERATED and RELEASED (community correction is not custody); on one
// day, later stages win (sentenced, then incarcerated, then released).
const CurrentFact* LatestCustodyEvent(const MemberCase& m, absl::CivilDay day);
// The event that puts the member in custody on the day, or nullptr.
const CurrentFact* CustodyOf(const MemberCase& m, absl::CivilDay day);

// Jobs that hold on the day and pay a wage.
std::vector<const CurrentFact*> ActiveJobs(const MemberCase& m,
                                           absl::CivilDay day);

// The months an unemployment benefit is paid: start_month through the
// earlier of end_month and the policy's maximum.
absl::CivilMonth BenefitLastMonth(const v1::UnemploymentBenefitRecord& r,
                                  const v1::Policy& policy);

// One partner-verified monthly income.
struct IncomeSource {
  const CurrentFact* fact = nullptr;
  int64_t monthly_fen = 0;
  // e.g. "wage at 武汉钢铁", "pension", "union assistance of 1000.00 over 3
  // months".
  std::string what;
};

struct VerifiedIncome {
  int64_t monthly_fen = 0;
  std::vector<IncomeSource> sources;
};

// The member's partner-verified monthly income on the day under the
// policy's income rules: wages of active jobs, unemployment benefit paid
// that month, pensions started, union assistance averaged over the policy's
// months.
VerifiedIncome VerifiedIncomeOf(const MemberCase& m, const v1::Policy& policy,
                                absl::CivilDay day);

// Asset facts that fail the policy's asset test on the day.
std::vector<const CurrentFact*> FailingVehicles(const MemberCase& m,
                                                const v1::Policy& policy,
                                                absl::CivilDay day);
// Properties held on the day (acquired, not disposed of).
std::vector<const CurrentFact*> HeldProperties(const MemberCase& m,
                                               absl::CivilDay day);
// Land compensation paid within the policy's look-back.
std::vector<const CurrentFact*> RecentCompensation(const MemberCase& m,
                                                   const v1::Policy& policy,
                                                   absl::CivilDay day);

// The first day after `day` on which some answer above (or a rule's) could
// change on its own: a job or benefit starting or ending, a look-back or
// notice window opening or closing, a dated event coming into effect.
std::optional<absl::CivilDay> NextChange(const MemberCase& m,
                                         const v1::Policy& policy,
                                         absl::CivilDay day);

}  // namespace dibao

#endif  // DIBAO_MATCHER_FACT_QUERIES_H_
