// The public posting list (公示): what the residents' committee pins up for
// each community, showing that the benefit goes to real neighbours without
// exposing them. One line per ACTIVE household: the head's name and ID,
// masked, the number of members and the monthly amount; nothing else (no
// address, no household ID, no other member).
//
// Masking (the bureau's rules for publication, stricter than log masking):
// - names by Unicode code point, never by byte: 1 character "*", 2 "张*",
//   3 or more the first and last with a * for each between ("张*明",
//   "欧阳**明"); text that is not valid UTF-8 becomes "*";
// - an 18-character ID keeps the 6-digit address code and the check
//   character: the birth date and the sequence are hidden
//   (420102***********X); a 15-digit ID keeps the first 6 (it has no check
//   character); any other length is masked entirely.
//
// The head of household is the member whose relation is 户主 (or 本人 /
// "head", any case); when no member says so, the oldest member (earliest
// birth date, then lowest ID).
//
// Thread-safe: pure functions over a thread-safe Registry.
#ifndef DIBAO_REPORTS_POSTING_LIST_H_
#define DIBAO_REPORTS_POSTING_LIST_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/registry.pb.h"
#include "dibao/v1/reports.pb.h"
#include "registry/registry.h"

namespace dibao {

std::string MaskNameForPosting(absl::string_view name);
std::string MaskIdForPosting(absl::string_view id_number);

// The head's index in household.members(); -1 for a household without
// members.
int HeadOfHousehold(const v1::Household& household);

// The posting lists of every community in `area`, ACTIVE households only,
// streamed from the registry, ordered by district, street and community.
// With `communities_only` just the communities and their counts and
// outlay. INVALID_ARGUMENT for a bad area.
absl::StatusOr<v1::PostingListResponse> BuildPostingList(
    const Registry& registry, const v1::AreaFilter& area,
    bool communities_only = false);

}  // namespace dibao

#endif  // DIBAO_REPORTS_POSTING_LIST_H_
