#include "reports/posting_list.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/status_macros.h"
#include "base/utf8.h"
#include "reports/report_stats.h"

namespace dibao {
namespace {

// The code points of valid UTF-8 `text`, each as its bytes.
std::vector<absl::string_view> CodePoints(absl::string_view text) {
  std::vector<absl::string_view> out;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    out.push_back(text.substr(start, i - start));
  }
  return out;
}

bool IsHeadRelation(absl::string_view relation) {
  relation = absl::StripAsciiWhitespace(relation);
  return relation == "户主" || relation == "本人" ||
         absl::EqualsIgnoreCase(relation, "head");
}

}  // namespace

std::string MaskNameForPosting(absl::string_view name) {
  name = absl::StripAsciiWhitespace(name);
  if (name.size() > (1u << 20) || !IsValidUtf8(name)) return "*";
  const std::vector<absl::string_view> chars = CodePoints(name);
  if (chars.size() <= 1) return "*";
  if (chars.size() == 2) return absl::StrCat(chars[0], "*");
  return absl::StrCat(chars.front(), std::string(chars.size() - 2, '*'),
                      chars.back());
}

std::string MaskIdForPosting(absl::string_view id_number) {
  // The birth date and the sequence (which with the address code and the
  // birth date picks out one person) go; the check character alone
  // identifies nobody.
  if (id_number.size() == 18) {
    return absl::StrCat(id_number.substr(0, 6), std::string(11, '*'),
                        id_number.substr(17));
  }
  if (id_number.size() == 15) {
    return absl::StrCat(id_number.substr(0, 6), std::string(9, '*'));
  }
  return std::string(id_number.size(), '*');
}

int HeadOfHousehold(const v1::Household& household) {
  const auto& members = household.members();
  for (int i = 0; i < members.size(); ++i) {
    if (IsHeadRelation(members[i].relation())) return i;
  }
  int head = -1;
  auto birth = [](const v1::Member& m) {
    // An unset date sorts last, not first.
    return IsSet(m.birth_date())
               ? std::make_tuple(m.birth_date().year(), m.birth_date().month(),
                                 m.birth_date().day())
               : std::make_tuple(99999, 0, 0);
  };
  for (int i = 0; i < members.size(); ++i) {
    if (head < 0 || birth(members[i]) < birth(members[head]) ||
        (birth(members[i]) == birth(members[head]) &&
         members[i].id_number() < members[head].id_number())) {
      head = i;
    }
  }
  return head;
}

absl::StatusOr<v1::PostingListResponse> BuildPostingList(
    const Registry& registry, const v1::AreaFilter& area,
    bool communities_only) {
  ASSIGN_OR_RETURN(ListFilter filter, ActiveHouseholdsIn(area));
  v1::PostingListResponse out;
  // Without an area the registry streams in household order, so households
  // of one community arrive apart: find each community's list by its key.
  absl::flat_hash_map<std::string, int> index;
  std::string key;
  RETURN_IF_ERROR(registry.ForEach(filter, [&](const v1::Household& h) {
    key.clear();
    absl::StrAppend(&key, h.district_code(), "\x1f", h.street(), "\x1f",
                    h.community());
    auto [it, fresh] = index.try_emplace(key, out.communities_size());
    if (fresh) {
      v1::CommunityPosting* c = out.add_communities();
      c->set_district_code(h.district_code());
      c->set_street(h.street());
      c->set_community(h.community());
    }
    v1::CommunityPosting* list = out.mutable_communities(it->second);
    list->set_households(list->households() + 1);
    list->set_monthly_outlay_fen(list->monthly_outlay_fen() +
                                 h.monthly_benefit_fen());
    if (communities_only) return absl::OkStatus();
    v1::PostingEntry* e = list->add_entries();
    const int head = HeadOfHousehold(h);
    if (head >= 0) {
      e->set_head_name_masked(MaskNameForPosting(h.members(head).name()));
      e->set_head_id_masked(MaskIdForPosting(h.members(head).id_number()));
    }
    e->set_members(h.members_size());
    e->set_monthly_benefit_fen(h.monthly_benefit_fen());
    return absl::OkStatus();
  }));
  std::stable_sort(
      out.mutable_communities()->begin(), out.mutable_communities()->end(),
      [](const v1::CommunityPosting& a, const v1::CommunityPosting& b) {
        return std::tie(a.district_code(), a.street(), a.community()) <
               std::tie(b.district_code(), b.street(), b.community());
      });
  return out;
}

}  // namespace dibao
