#include "access/roles.h"

#include <cstdint>

namespace dibao {
namespace {

using v1::Permission;
using v1::Role;

// One bit per role.
constexpr uint32_t Bit(Role role) { return uint32_t{1} << role; }
constexpr uint32_t kAgency = Bit(v1::ROLE_AGENCY);
constexpr uint32_t kCommunity = Bit(v1::ROLE_COMMUNITY_WORKER);
constexpr uint32_t kStreet = Bit(v1::ROLE_STREET_REVIEWER);
constexpr uint32_t kDistrict = Bit(v1::ROLE_DISTRICT_APPROVER);
constexpr uint32_t kAuditor = Bit(v1::ROLE_AUDITOR);
constexpr uint32_t kOperator = Bit(v1::ROLE_OPERATOR);
constexpr uint32_t kAdmin = Bit(v1::ROLE_ADMIN);

// The roles holding `permission`. Personal data (households, people,
// flags, cases, audit entries) goes to casework roles and the auditor only;
// the operator and the admin see counts and the system's state.
uint32_t Holders(Permission permission) {
  switch (permission) {
    case v1::ANY_PRINCIPAL:
      return kAgency | kCommunity | kStreet | kDistrict | kAuditor | kOperator |
             kAdmin;
    case v1::FEED_PUSH:
      return kAgency;
    case v1::FEED_RECEIPTS_READ:
      // Counts and dates: how fresh the partner data behind a flag is.
      return kAgency | kCommunity | kStreet | kDistrict | kAuditor | kOperator;
    case v1::FEED_REJECTIONS_READ:
      return kAgency | kAuditor;
    case v1::FEED_FEEDBACK_READ:
      // Masked IDs, keys and notes: what the agency needs to correct its
      // data, and the district that answers for the decisions.
      return kAgency | kDistrict | kAuditor;
    case v1::PERSON_FACTS_READ:
    case v1::REGISTRY_READ:
    case v1::FLAG_READ:
    case v1::CASE_READ:
    case v1::RECOMMENDATION_READ:
    case v1::POSTING_READ:
    case v1::FORECAST_READ:
    case v1::AUDIT_READ:
      return kCommunity | kStreet | kDistrict | kAuditor;
    case v1::REGISTRY_WRITE:
      return kCommunity | kDistrict;
    case v1::REGISTRY_EXPORT:
      return kDistrict | kAuditor;
    case v1::CYCLE_RUN:
      return kOperator;
    case v1::CYCLE_READ:
    case v1::STATS_READ:
      return kCommunity | kStreet | kDistrict | kAuditor | kOperator;
    case v1::APPLICANT_CHECK:
    case v1::CASE_COMMENT:
      return kCommunity | kStreet | kDistrict;
    case v1::RECOMMENDATION_GENERATE:
      // The nightly job makes them too: it proposes nothing a community
      // worker did not confirm, and applies only approved exits.
      return kCommunity | kStreet | kDistrict | kOperator;
    case v1::CASE_WORK:
      return kCommunity | kStreet;
    case v1::CASE_ASSIGN:
    case v1::SAMPLE_DRAW:
      return kStreet | kDistrict;
    case v1::SAMPLE_READ:
      return kStreet | kDistrict | kAuditor;
    // 一评两审: each stage its own role.
    case v1::RECOMMENDATION_EVALUATE:
      return kCommunity;
    case v1::RECOMMENDATION_REVIEW:
      return kStreet;
    case v1::RECOMMENDATION_DECIDE:
      return kDistrict;
    case v1::AUDIT_VERIFY:
      // Whether the chain is intact is no secret from any staff member.
      return kCommunity | kStreet | kDistrict | kAuditor | kOperator;
    case v1::PRINCIPALS_RELOAD:
    case v1::CONFIG_RELOAD:
    case v1::BACKUP:
      return kOperator | kAdmin;
    default:
      return 0;
  }
}

}  // namespace

bool RoleHolds(Role role, Permission permission) {
  if (role <= v1::ROLE_UNSPECIFIED || role > v1::Role_MAX) return false;
  return (Holders(permission) & Bit(role)) != 0;
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case v1::ROLE_AGENCY:
      return "agency";
    case v1::ROLE_COMMUNITY_WORKER:
      return "community worker";
    case v1::ROLE_STREET_REVIEWER:
      return "street reviewer";
    case v1::ROLE_DISTRICT_APPROVER:
      return "district approver";
    case v1::ROLE_AUDITOR:
      return "auditor";
    case v1::ROLE_OPERATOR:
      return "operator";
    case v1::ROLE_ADMIN:
      return "admin";
    default:
      return "no role";
  }
}

bool IsCaseworkRole(Role role) {
  return role == v1::ROLE_COMMUNITY_WORKER ||
         role == v1::ROLE_STREET_REVIEWER || role == v1::ROLE_DISTRICT_APPROVER;
}

}  // namespace dibao
