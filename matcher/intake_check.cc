#include "matcher/intake_check.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/status_macros.h"
#include "matcher/household_assessor.h"
#include "matcher/household_case.h"
#include "registry/household_validation.h"
#include "registry/registry_reader.h"

namespace dibao {
namespace {

// The ID an applicant is known by until the registry gives it one.
constexpr char kApplicantId[] = "APPLICANT";

}  // namespace

absl::StatusOr<v1::CheckApplicantResponse> CheckApplicant(
    const Store& store, const v1::Policy& policy, v1::Household household,
    absl::CivilDay as_of, absl::CivilDay today) {
  if (household.household_id().empty()) {
    household.set_household_id(kApplicantId);
  }
  // Assessed as it would be once admitted: an applicant has no benefit, nor
  // a day it started, yet.
  household.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  if (!IsSet(household.benefit_start_date())) {
    *household.mutable_benefit_start_date() = ToProto(std::min(as_of, today));
  }
  if (auto errors = ValidateAndNormalize(household, today); !errors.empty()) {
    return ToStatus(household, errors);
  }
  Store::Snapshot snapshot(store);
  FactReader reader(&store, snapshot.get());
  HouseholdCase hc;
  RETURN_IF_ERROR(reader.Load(household, as_of, &hc));
  ASSIGN_OR_RETURN(HouseholdResult result, AssessHousehold(hc, policy));

  v1::CheckApplicantResponse out;
  bool counted_elsewhere = false;
  const RegistryReader registry(&store);
  for (const v1::Member& m : household.members()) {
    ASSIGN_OR_RETURN(std::optional<std::string> other,
                     registry.HouseholdOfMember(m.id_number(), snapshot.get()));
    if (!other || *other == household.household_id()) continue;
    std::string bytes;
    ASSIGN_OR_RETURN(const bool stored,
                     registry.ReadHousehold(*other, snapshot.get(), &bytes));
    v1::Household h;
    if (!stored || !h.ParseFromString(bytes) ||
        h.status() != v1::HOUSEHOLD_STATUS_ACTIVE) {
      continue;
    }
    counted_elsewhere = true;
    out.add_warnings(absl::StrCat("member ", m.name(), " (", m.id_number(),
                                  ") already belongs to ACTIVE household ",
                                  *other));
  }
  const v1::Assessment& a = result.assessment;
  out.set_eligible(a.countable_members() > 0 && a.income_eligible() &&
                   a.assets_pass() && !counted_elsewhere);
  *out.mutable_assessment() = std::move(result.assessment);
  for (v1::Finding& f : result.findings) *out.add_findings() = std::move(f);
  return out;
}

}  // namespace dibao
