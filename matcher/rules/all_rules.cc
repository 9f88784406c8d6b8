#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/money.h"
#include "matcher/rules/rule.h"

namespace dibao {
namespace {

// Run order: member rules, then the household rule that needs the
// reassessment, then the signals.
constexpr RuleSpec kRules[] = {
    {"UNDECLARED_EMPLOYMENT", v1::SEVERITY_HIGH, false, false,
     CheckUndeclaredEmployment,
     "not reported employed, but a job with a wage or an ACTIVE union "
     "hardship registration naming an employer"},
    {"INCOME_UNDERREPORTED", v1::SEVERITY_MEDIUM, false, false,
     CheckIncomeUnderreported,
     "partner-verified monthly income above the reported income by more than "
     "the tolerance"},
    {"DECEASED_MEMBER", v1::SEVERITY_HIGH, false, false, CheckDeceasedMember,
     "public security records the member as deceased"},
    {"INCARCERATED_MEMBER", v1::SEVERITY_HIGH, false, false,
     CheckIncarceratedMember,
     "latest custody event SENTENCED or INCARCERATED, no later release"},
    {"MOVED_OUT", v1::SEVERITY_HIGH, false, false, CheckMovedOut,
     "hukou moved out or cancelled, or registered outside the district"},
    {"RESIDENCE_MISMATCH", v1::SEVERITY_LOW, false, false,
     CheckResidenceMismatch,
     "actual residence differs from the registered one: a visit, not an exit"},
    {"VEHICLE_OWNED", v1::SEVERITY_HIGH, true, false, CheckVehicleOwned,
     "a registered vehicle above the value threshold, not exempt"},
    {"PROPERTY_HOLDING", v1::SEVERITY_HIGH, true, false, CheckPropertyHolding,
     "more properties or floor area than the policy allows"},
    {"LAND_COMPENSATION", v1::SEVERITY_HIGH, true, false, CheckLandCompensation,
     "land compensation paid within the look-back"},
    {"IDENTITY_MISMATCH", v1::SEVERITY_MEDIUM, false, false,
     CheckIdentityMismatch,
     "registry name, sex or birth date disagree with the hukou or the ID"},
    {"HOUSEHOLD_INCOME_ABOVE_STANDARD", v1::SEVERITY_HIGH, false, true,
     CheckHouseholdIncomeAboveStandard,
     "recomputed per-capita income at or above the standard: an exit "
     "candidate"},
    {"REFUSED_TRAINING", v1::SEVERITY_INFO, false, false, CheckRefusedTraining,
     "signal: refused a training offer within the look-back"},
    {"UNEMPLOYMENT_BENEFIT_ENDING", v1::SEVERITY_INFO, false, false,
     CheckUnemploymentBenefitEnding,
     "signal: unemployment benefit ends within the notice months"},
    {"RELEASED_FROM_CUSTODY", v1::SEVERITY_INFO, false, false,
     CheckReleasedFromCustody,
     "signal: released from custody within the look-back"},
};

}  // namespace

absl::Span<const RuleSpec> AllRules() { return kRules; }

const RuleSpec* FindRule(absl::string_view code) {
  for (const RuleSpec& r : kRules) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

std::string MemberField(const v1::Member& m, absl::string_view field) {
  return absl::StrCat("members[", m.id_number(), "].", field);
}

std::pair<std::string, std::string> ReportedStatus(const v1::Member& m) {
  absl::string_view name = v1::ReportedStatus_Name(m.reported_status());
  absl::ConsumePrefix(&name, "REPORTED_STATUS_");
  return {MemberField(m, "reported_status"), std::string(name)};
}

std::pair<std::string, std::string> ReportedIncome(const v1::Member& m) {
  return {MemberField(m, "reported_monthly_income_fen"),
          absl::StrCat(FormatYuan(m.reported_monthly_income_fen()), " yuan")};
}

}  // namespace dibao
