// Which role holds which permission: the report's 一评两审 procedure as one
// table (roles.cc; docs/access.md prints it). Fixed in code rather than in
// the principals file, so that no file edit can give an operator personal
// data or an auditor a decision.
#ifndef DIBAO_ACCESS_ROLES_H_
#define DIBAO_ACCESS_ROLES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "dibao/v1/access.pb.h"
#include "dibao/v1/permission.pb.h"

namespace dibao {

// True when `role` holds `permission`. Nobody holds PERMISSION_UNSPECIFIED.
bool RoleHolds(v1::Role role, v1::Permission permission);

// "community worker", "district approver", ...
absl::string_view RoleName(v1::Role role);

// True for the roles that work cases and need a jurisdiction.
bool IsCaseworkRole(v1::Role role);

}  // namespace dibao

#endif  // DIBAO_ACCESS_ROLES_H_
