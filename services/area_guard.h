// The jurisdiction check for calls that name a household or a person
// rather than carry their area: looks the household up in the registry and
// asks access/jurisdiction.h whether the caller may see it.
//
// Thread-safe: the registry is.
#ifndef DIBAO_SERVICES_AREA_GUARD_H_
#define DIBAO_SERVICES_AREA_GUARD_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "registry/registry.h"
#include "services/gatekeeper.h"

namespace dibao {

class AreaGuard {
 public:
  // `registry` must outlive this.
  explicit AreaGuard(const Registry* registry) : registry_(registry) {}

  // OK when `caller` may see household `household_id` (the auditor always,
  // without a lookup); PERMISSION_DENIED naming its area and the caller's
  // jurisdiction; NOT_FOUND for a household that does not exist.
  absl::Status CheckHousehold(const Caller& caller,
                              absl::string_view household_id) const;

  // The same for a person, by the household they belong to. A person in
  // no household is the auditor's only: PERMISSION_DENIED for the others.
  absl::Status CheckPerson(const Caller& caller,
                           absl::string_view id_number) const;

 private:
  const Registry* const registry_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_AREA_GUARD_H_
