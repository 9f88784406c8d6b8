// The procedure's table, as the report describes who does what.
#include "access/roles.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

TEST(RolesTest, OnlyAgenciesPushAndOnlyTheOperatorRunsCycles) {
  for (int r = v1::Role_MIN; r <= v1::Role_MAX; ++r) {
    const auto role = static_cast<v1::Role>(r);
    EXPECT_EQ(RoleHolds(role, v1::FEED_PUSH), role == v1::ROLE_AGENCY) << r;
    EXPECT_EQ(RoleHolds(role, v1::CYCLE_RUN), role == v1::ROLE_OPERATOR) << r;
    EXPECT_EQ(RoleHolds(role, v1::RECOMMENDATION_DECIDE),
              role == v1::ROLE_DISTRICT_APPROVER)
        << r;
    // Nobody holds an undeclared permission; no role is "no role".
    EXPECT_FALSE(RoleHolds(role, v1::PERMISSION_UNSPECIFIED)) << r;
    EXPECT_EQ(RoleHolds(role, v1::ANY_PRINCIPAL), role != v1::ROLE_UNSPECIFIED)
        << r;
  }
}

TEST(RolesTest, OperatorsAndAdminsSeeNoPersonalData) {
  for (v1::Role role : {v1::ROLE_OPERATOR, v1::ROLE_ADMIN}) {
    for (v1::Permission p :
         {v1::REGISTRY_READ, v1::REGISTRY_EXPORT, v1::PERSON_FACTS_READ,
          v1::FLAG_READ, v1::CASE_READ, v1::RECOMMENDATION_READ,
          v1::FEED_REJECTIONS_READ, v1::AUDIT_READ, v1::FORECAST_READ}) {
      EXPECT_FALSE(RoleHolds(role, p))
          << RoleName(role) << " " << v1::Permission_Name(p);
    }
  }
}

TEST(RolesTest, TheAuditorReadsEverythingAndChangesNothing) {
  for (int p = v1::Permission_MIN; p <= v1::Permission_MAX; ++p) {
    const auto permission = static_cast<v1::Permission>(p);
    const std::string name = v1::Permission_Name(permission);
    const bool reads =
        name.size() > 5 &&
        (name.substr(name.size() - 5) == "_READ" || name == "REGISTRY_EXPORT" ||
         name == "AUDIT_VERIFY" || name == "ANY_PRINCIPAL");
    EXPECT_EQ(RoleHolds(v1::ROLE_AUDITOR, permission), reads) << name;
  }
}

TEST(RolesTest, EvaluationReviewAndApprovalAreDifferentRoles) {
  // 评: the community works cases and evaluates proposals; 审: the street
  // reviews them; 审: the district decides them.
  EXPECT_TRUE(RoleHolds(v1::ROLE_COMMUNITY_WORKER, v1::CASE_WORK));
  for (int r = v1::Role_MIN; r <= v1::Role_MAX; ++r) {
    const auto role = static_cast<v1::Role>(r);
    EXPECT_EQ(RoleHolds(role, v1::RECOMMENDATION_EVALUATE),
              role == v1::ROLE_COMMUNITY_WORKER)
        << r;
    EXPECT_EQ(RoleHolds(role, v1::RECOMMENDATION_REVIEW),
              role == v1::ROLE_STREET_REVIEWER)
        << r;
  }
  EXPECT_FALSE(RoleHolds(v1::ROLE_COMMUNITY_WORKER, v1::RECOMMENDATION_DECIDE));
  EXPECT_FALSE(RoleHolds(v1::ROLE_DISTRICT_APPROVER, v1::CASE_WORK));
  EXPECT_FALSE(RoleHolds(v1::ROLE_AGENCY, v1::CASE_READ));
  EXPECT_EQ(RoleName(v1::ROLE_STREET_REVIEWER), "street reviewer");
}

// docs/access.md's table of permissions says what the code does.
TEST(RolesTest, TheDocumentedTableIsTheTable) {
  std::ifstream in(std::string(DIBAO_SOURCE_DIR) + "/docs/access.md");
  ASSERT_TRUE(in) << "docs/access.md";
  std::set<std::string> documented;
  for (std::string line; std::getline(in, line);) {
    // | `PERMISSION` | RPCs | role, role, ... |
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() != 5 ||
        !absl::StartsWith(absl::StripAsciiWhitespace(cells[1]), "`")) {
      continue;
    }
    const std::string name(absl::StripSuffix(
        absl::StripPrefix(absl::StripAsciiWhitespace(cells[1]), "`"), "`"));
    v1::Permission permission;
    ASSERT_TRUE(v1::Permission_Parse(name, &permission)) << line;
    documented.insert(name);
    std::set<std::string> roles;
    for (absl::string_view role : absl::StrSplit(cells[3], ',')) {
      roles.insert(std::string(absl::StripAsciiWhitespace(role)));
    }
    std::set<std::string> holders;
    for (int r = v1::Role_MIN; r <= v1::Role_MAX; ++r) {
      const auto role = static_cast<v1::Role>(r);
      if (RoleHolds(role, permission))
        holders.insert(std::string(RoleName(role)));
    }
    EXPECT_EQ(roles, holders) << name;
  }
  for (int p = v1::Permission_MIN + 1; p <= v1::Permission_MAX; ++p) {
    const std::string name =
        v1::Permission_Name(static_cast<v1::Permission>(p));
    EXPECT_TRUE(documented.contains(name))
        << name << " is not in docs/access.md";
  }
}

}  // namespace
}  // namespace dibao
