// The posting lists of the three stages (三榜): after the community's
// evaluation, the street's review and the district's approval, each
// stage's results are posted in the community, as masked as the standing
// list (reports/posting_list.h): the head's name and ID masked, the number
// of members, what changes (kind and monthly amounts) and when. No
// household ID, address, evidence or note.
//
// A result is posted while it stands: a recommendation that passed the
// stage and is now further on or approved; one a later stage rejected, or
// that a newer one replaced, is off the list.
//
// Thread-safe: a pure function over a thread-safe Registry.
#ifndef DIBAO_REPORTS_STAGE_POSTING_H_
#define DIBAO_REPORTS_STAGE_POSTING_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/recommendations.pb.h"
#include "dibao/v1/reports.pb.h"
#include "registry/registry.h"

namespace dibao {

// The day `stage` passed `r`, if it did and `r` still stands (see above).
std::optional<absl::CivilDay> StagePassed(const v1::Recommendation& r,
                                          v1::RecommendationStage stage);

// One list per community of `area` (empty parts: any) with the
// `recommendations` whose `stage` passed on or after `since` (unset: any
// day), ordered by district, street and community, each list in the order
// the stage decided. INVALID_ARGUMENT for a bad area or stage.
absl::StatusOr<v1::PostingListResponse> BuildStagePostingList(
    const Registry& registry, const v1::AreaFilter& area,
    v1::RecommendationStage stage, std::optional<absl::CivilDay> since,
    const std::vector<v1::Recommendation>& recommendations);

}  // namespace dibao

#endif  // DIBAO_REPORTS_STAGE_POSTING_H_
