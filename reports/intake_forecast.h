// The intake-pressure forecast (the report's second problem, 应保尽保): the
// people not on the benefit who are likely to apply next, counted per street
// so the bureau can plan its staff and budget.
//
// Who counts: a person the partners know about who is not a member of an
// ACTIVE household (registry member index, then the household's status) and
// whom the hukou does not record as deceased, with, in the facts in effect
// on the day (as the matching engine reads them):
// - an unemployment benefit (capped at the policy's maximum months) still
//   paid this month whose first unpaid month is within the next 1, 3 or 6
//   months (cumulative counts: "within 3" includes "within 1");
// - a latest custody event that is a release within the policy's signal
//   look-back (两劳释放);
// - a rural-to-urban conversion (农转非) dated within the policy's
//   land-compensation look-back: compensation tends to be spent by then.
// A person with several signals counts in each.
//
// Where a person lives: partner feeds carry no street. The street is the
// longest registry street name (of the district, when one is asked for)
// found in the public-security residence address; otherwise the person goes
// in the unknown-street row (street ""), never dropped. With a district,
// people whose hukou address code is another district and whose residence
// names none of its streets are left out (they belong to another district's
// forecast); people with neither a hukou nor a residence record stay in,
// as unknown.
//
// Cost: streams the fact index of the three kinds (kind first, so each is
// one range) and reads the facts of each person found there, one seek per
// person and kind; memory holds the counts, the registry's street names and
// the status of the households looked up.
//
// Thread-safe: reads a snapshot of a thread-safe Store.
#ifndef DIBAO_REPORTS_INTAKE_FORECAST_H_
#define DIBAO_REPORTS_INTAKE_FORECAST_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/policy.pb.h"
#include "dibao/v1/reports.pb.h"
#include "storage/store.h"

namespace dibao {

// The rule above, for the reader of a forecast.
inline constexpr char kForecastStreetRule[] =
    "street: the longest registry street name found in the person's "
    "public-security residence address; otherwise unknown";

// INVALID_ARGUMENT for a district code that is not 6 digits.
absl::StatusOr<v1::IntakeForecast> ForecastIntake(
    const Store& store, const v1::Policy& policy,
    const std::string& district_code, absl::CivilDay as_of, bool list_people);

}  // namespace dibao

#endif  // DIBAO_REPORTS_INTAKE_FORECAST_H_
