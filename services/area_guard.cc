#include "services/area_guard.h"

#include "absl/strings/str_cat.h"
#include "access/jurisdiction.h"

namespace dibao {

absl::Status AreaGuard::CheckHousehold(const Caller& caller,
                                       absl::string_view household_id) const {
  if (caller.role() == v1::ROLE_AUDITOR) return absl::OkStatus();
  auto h = registry_->Get(household_id);
  if (!h.ok()) return h.status();
  return CheckCovers(caller.principal, AreaOf(*h),
                     absl::StrCat("household ", household_id));
}

absl::Status AreaGuard::CheckPerson(const Caller& caller,
                                    absl::string_view id_number) const {
  if (caller.role() == v1::ROLE_AUDITOR) return absl::OkStatus();
  auto h = registry_->FindByMember(id_number);
  if (absl::IsNotFound(h.status())) {
    return absl::PermissionDeniedError(absl::StrCat(
        "this person belongs to no household of the registry, so to no "
        "jurisdiction of ",
        caller.id(), ": an applicant is checked with CheckApplicant"));
  }
  if (!h.ok()) return h.status();
  return CheckCovers(
      caller.principal, AreaOf(*h),
      absl::StrCat("this person's household ", h->household_id()));
}

}  // namespace dibao
