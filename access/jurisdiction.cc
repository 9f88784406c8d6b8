#include "access/jurisdiction.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access/roles.h"

namespace dibao {
namespace {

Area AreaOf(const v1::Jurisdiction& j) {
  return {j.district_code(), j.street(), j.community()};
}

}  // namespace

Area AreaOf(const v1::Household& h) {
  return {h.district_code(), h.street(), h.community()};
}

Area AreaOf(const v1::Flag& f) {
  return {f.district_code(), f.street(), f.community()};
}

Area AreaOf(const v1::Recommendation& r) {
  return {r.district_code(), r.street(), r.community()};
}

bool Contains(const Area& outer, const Area& inner) {
  if (outer.district_code.empty()) return true;
  if (outer.district_code != inner.district_code) return false;
  if (outer.street.empty()) return true;
  if (outer.street != inner.street) return false;
  return outer.community.empty() || outer.community == inner.community;
}

bool Covers(const v1::Principal& principal, const Area& area) {
  if (principal.role() == v1::ROLE_AUDITOR) return true;
  if (!IsCaseworkRole(principal.role())) return false;
  for (const v1::Jurisdiction& j : principal.jurisdiction()) {
    if (Contains(AreaOf(j), area)) return true;
  }
  return false;
}

absl::Status CheckCovers(const v1::Principal& principal, const Area& area,
                         absl::string_view what) {
  if (Covers(principal, area)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      what, " is in ", Describe(area), ", outside the jurisdiction of ",
      principal.id(), " (", DescribeJurisdiction(principal), ")"));
}

absl::Status NarrowToJurisdiction(const v1::Principal& principal, Area* area) {
  // A malformed area is the request's mistake, whoever asks.
  if (!area->district_code.empty() &&
      (area->district_code.size() != 6 ||
       area->district_code.find_first_not_of("0123456789") !=
           std::string::npos)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "district_code \"", area->district_code, "\" is not a 6-digit code"));
  }
  if ((area->district_code.empty() && !area->street.empty()) ||
      (area->street.empty() && !area->community.empty())) {
    return absl::InvalidArgumentError(
        "an area names its district, then a street in it, then a community "
        "in that street");
  }
  if (Covers(principal, *area)) return absl::OkStatus();
  // The jurisdictions inside what was asked for.
  std::vector<Area> inside;
  for (const v1::Jurisdiction& j : principal.jurisdiction()) {
    if (Contains(*area, AreaOf(j))) inside.push_back(AreaOf(j));
  }
  if (inside.size() == 1) {
    *area = inside[0];
    return absl::OkStatus();
  }
  if (inside.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        Describe(*area), " is outside the jurisdiction of ", principal.id(),
        " (", DescribeJurisdiction(principal), ")"));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      Describe(*area), " spans several areas of ", principal.id(),
      ": name one of them (", DescribeJurisdiction(principal), ")"));
}

std::string Describe(const Area& area) {
  if (area.district_code.empty()) return "everywhere";
  std::string s = area.district_code;
  if (!area.street.empty()) absl::StrAppend(&s, " ", area.street);
  if (!area.community.empty()) absl::StrAppend(&s, " ", area.community);
  return s;
}

std::string DescribeJurisdiction(const v1::Principal& principal) {
  if (principal.role() == v1::ROLE_AUDITOR) return "everywhere";
  std::vector<std::string> parts;
  for (const v1::Jurisdiction& j : principal.jurisdiction()) {
    parts.push_back(Describe(AreaOf(j)));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, "; ");
}

}  // namespace dibao
