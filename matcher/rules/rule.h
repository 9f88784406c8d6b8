// The matching rules. Each rule is a function in its own file that reads a
// household case and appends a Detection for every conflict (or signal) it
// finds; the engine (matcher/household_assessor.h) turns detections into
// findings with a fingerprint and the money at stake.
//
// Rule codes are stable: they are stored in flags and typed by caseworkers.
// Never rename one; retire it and add another.
#ifndef DIBAO_MATCHER_RULES_RULE_H_
#define DIBAO_MATCHER_RULES_RULE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/policy.pb.h"
#include "matcher/household_case.h"
#include "matcher/reassessment.h"

namespace dibao {

struct RuleInput {
  const HouseholdCase& hc;
  const v1::Policy& policy;
  // Parallel to hc.members().
  const std::vector<MemberStanding>& standing;
  // The reassessment: set only for rules that run after it.
  const v1::Assessment* assessment = nullptr;

  absl::CivilDay day() const { return hc.day(); }
};

struct Detection {
  // Index of the member in the household; -1 for the household as a whole.
  int member = -1;
  std::string summary;
  // The partner facts it rests on.
  std::vector<const CurrentFact*> facts;
  // The facts that make it the same conflict from night to night, when not
  // all of `facts` (a custody episode is the same one whatever events
  // follow its start).
  std::vector<const CurrentFact*> identity;
  // (registry field, value as reported) pairs it contradicts.
  std::vector<std::pair<std::string, std::string>> reported;
  IfTrue if_true;
  // The household passes the rule's test, but by no more than the policy's
  // resolution margin: the detection keeps an open flag open and raises
  // none (HouseholdResult::sustaining).
  bool sustain_only = false;
};

using RuleCheck = void (*)(const RuleInput&, std::vector<Detection>*);

struct RuleSpec {
  absl::string_view code;
  v1::Severity severity;
  // A finding fails the asset test (the reassessment then pays nothing).
  bool asset = false;
  // Runs after the reassessment (needs RuleInput::assessment).
  bool after_reassessment = false;
  RuleCheck check = nullptr;
  // One line for documentation and `dibaoctl flags rules`.
  absl::string_view description;
};

// Every rule, in the order the engine runs them.
absl::Span<const RuleSpec> AllRules();
// nullptr when unknown.
const RuleSpec* FindRule(absl::string_view code);

void CheckUndeclaredEmployment(const RuleInput& in,
                               std::vector<Detection>* out);
void CheckIncomeUnderreported(const RuleInput& in, std::vector<Detection>* out);
void CheckDeceasedMember(const RuleInput& in, std::vector<Detection>* out);
void CheckIncarceratedMember(const RuleInput& in, std::vector<Detection>* out);
void CheckMovedOut(const RuleInput& in, std::vector<Detection>* out);
void CheckResidenceMismatch(const RuleInput& in, std::vector<Detection>* out);
void CheckVehicleOwned(const RuleInput& in, std::vector<Detection>* out);
void CheckPropertyHolding(const RuleInput& in, std::vector<Detection>* out);
void CheckLandCompensation(const RuleInput& in, std::vector<Detection>* out);
void CheckIdentityMismatch(const RuleInput& in, std::vector<Detection>* out);
void CheckHouseholdIncomeAboveStandard(const RuleInput& in,
                                       std::vector<Detection>* out);
void CheckRefusedTraining(const RuleInput& in, std::vector<Detection>* out);
void CheckUnemploymentBenefitEnding(const RuleInput& in,
                                    std::vector<Detection>* out);
void CheckReleasedFromCustody(const RuleInput& in, std::vector<Detection>* out);

// Shared by the rules: reported values as evidence shows them.
std::pair<std::string, std::string> ReportedStatus(const v1::Member& m);
std::pair<std::string, std::string> ReportedIncome(const v1::Member& m);
// "members[<id>].<field>"
std::string MemberField(const v1::Member& m, absl::string_view field);

}  // namespace dibao

#endif  // DIBAO_MATCHER_RULES_RULE_H_
