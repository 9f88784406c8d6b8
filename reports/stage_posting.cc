#include "reports/stage_posting.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "base/clock.h"
#include "base/dates.h"
#include "base/status_macros.h"
#include "reports/posting_list.h"
#include "reports/report_stats.h"

namespace dibao {
namespace {

bool InArea(const v1::Recommendation& r, const v1::AreaFilter& area) {
  return (area.district_code().empty() ||
          r.district_code() == area.district_code()) &&
         (area.street().empty() || r.street() == area.street()) &&
         (area.community().empty() || r.community() == area.community());
}

}  // namespace

std::optional<absl::CivilDay> StagePassed(const v1::Recommendation& r,
                                          v1::RecommendationStage stage) {
  if (r.state() == v1::RECOMMENDATION_STATE_REJECTED ||
      r.state() == v1::RECOMMENDATION_STATE_SUPERSEDED) {
    return std::nullopt;
  }
  for (const v1::StageDecision& d : r.stages()) {
    if (d.stage() == stage && d.passed()) {
      return absl::ToCivilDay(FromProto(d.at()), BureauTimeZone());
    }
  }
  return std::nullopt;
}

absl::StatusOr<v1::PostingListResponse> BuildStagePostingList(
    const Registry& registry, const v1::AreaFilter& area,
    v1::RecommendationStage stage, std::optional<absl::CivilDay> since,
    const std::vector<v1::Recommendation>& recommendations) {
  // The same rules for an area as the standing list.
  RETURN_IF_ERROR(ActiveHouseholdsIn(area).status());
  if (stage == v1::RECOMMENDATION_STAGE_UNSPECIFIED ||
      !v1::RecommendationStage_IsValid(stage)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stage ", stage, " is not one of the three"));
  }
  using Key = std::tuple<std::string, std::string, std::string>;
  // Per community: (day, recommendation ID) → the recommendation.
  std::map<Key,
           std::vector<std::pair<absl::CivilDay, const v1::Recommendation*>>>
      lists;
  for (const v1::Recommendation& r : recommendations) {
    if (!InArea(r, area)) continue;
    const std::optional<absl::CivilDay> day = StagePassed(r, stage);
    if (!day || (since && *day < *since)) continue;
    lists[Key(r.district_code(), r.street(), r.community())].emplace_back(*day,
                                                                          &r);
  }
  v1::PostingListResponse out;
  for (auto& [key, results] : lists) {
    std::stable_sort(results.begin(), results.end(),
                     [](const auto& a, const auto& b) {
                       return std::tie(a.first, a.second->recommendation_id()) <
                              std::tie(b.first, b.second->recommendation_id());
                     });
    v1::CommunityPosting* c = out.add_communities();
    c->set_district_code(std::get<0>(key));
    c->set_street(std::get<1>(key));
    c->set_community(std::get<2>(key));
    for (const auto& [day, r] : results) {
      ASSIGN_OR_RETURN(v1::Household h, registry.Get(r->household_id()));
      v1::StagePostingEntry* e = c->add_results();
      const int head = HeadOfHousehold(h);
      if (head >= 0) {
        e->set_head_name_masked(MaskNameForPosting(h.members(head).name()));
        e->set_head_id_masked(MaskIdForPosting(h.members(head).id_number()));
      }
      e->set_members(h.members_size());
      e->set_kind(r->kind());
      e->set_current_benefit_fen(r->current_benefit_fen());
      e->set_new_benefit_fen(r->new_benefit_fen());
      *e->mutable_decided() = ToProto(day);
      *e->mutable_effective() = r->effective();
      c->set_households(c->households() + 1);
    }
  }
  return out;
}

}  // namespace dibao
