// Where a principal may look: the casework roles see the households (and
// their flags, cases, recommendations and samples) of their communities,
// streets or districts, the auditor everything, everyone else none.
//
// An area is a district, a street in it, or a community in that street;
// an empty street (community) means the whole district (street).
#ifndef DIBAO_ACCESS_JURISDICTION_H_
#define DIBAO_ACCESS_JURISDICTION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/access.pb.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/recommendations.pb.h"
#include "dibao/v1/registry.pb.h"

namespace dibao {

struct Area {
  std::string district_code;
  std::string street;
  std::string community;
};

// Where a household, a flag or a recommendation is.
Area AreaOf(const v1::Household& household);
Area AreaOf(const v1::Flag& flag);
Area AreaOf(const v1::Recommendation& recommendation);

// True when `outer` contains all of `inner` ("420102" contains "420102
// 胜利街道"; an empty outer district is everywhere).
bool Contains(const Area& outer, const Area& inner);

// True when `principal` may see a household in `area`: an auditor always; a
// casework role when one of its jurisdictions contains it; nobody else.
bool Covers(const v1::Principal& principal, const Area& area);

// OK when Covers(); PERMISSION_DENIED naming `what`, its area and the
// principal's jurisdiction otherwise: "household 420102-0003 is in 420102
// 红旗街道 建设社区, outside the jurisdiction of cw-1 (420102 胜利街道
// 春晓社区)".
absl::Status CheckCovers(const v1::Principal& principal, const Area& area,
                         absl::string_view what);

// The area a list or report asked for, narrowed to what `principal` may
// see: unchanged when covered; the principal's one jurisdiction when the
// request asked for more (everything, or a district it covers only part
// of); PERMISSION_DENIED when the request lies outside every jurisdiction,
// and INVALID_ARGUMENT, listing them, when it spans several of them, or
// for an area that is not one (a street without its district, a district
// code not of 6 digits).
absl::Status NarrowToJurisdiction(const v1::Principal& principal, Area* area);

// "420102 胜利街道 春晓社区"; "everywhere" for an empty area.
std::string Describe(const Area& area);
// The principal's jurisdictions, "; "-separated, or "none".
std::string DescribeJurisdiction(const v1::Principal& principal);

}  // namespace dibao

#endif  // DIBAO_ACCESS_JURISDICTION_H_
