#include "matcher/household_assessor.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/money.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "matcher/fact_queries.h"
#include "matcher/flag_store.h"
#include "matcher/reassessment.h"
#include "matcher/rules/rule.h"
#include "storage/keys.h"

namespace dibao {
namespace {

// The content that identifies a conflict: rule, member, the identifying
// facts' kinds and values (not their batches: a fact re-stated unchanged is
// the same fact) and the reported values.
std::string Fingerprint(absl::string_view rule, absl::string_view id_number,
                        const Detection& d) {
  Sha256 sha;
  std::string piece;
  keys::PutString(&piece, rule);
  keys::PutString(&piece, id_number);
  sha.Update(piece);
  v1::FeedRecord record;
  for (const CurrentFact* f : d.identity.empty() ? d.facts : d.identity) {
    record = f->record();
    // Where the line was and how the ID was spelled are not content.
    record.clear_source_line();
    record.clear_id_number_original();
    piece.clear();
    keys::PutFixed32(&piece, static_cast<uint32_t>(f->kind));
    keys::PutString(&piece, record.SerializeAsString());
    sha.Update(piece);
  }
  for (const auto& [field, value] : d.reported) {
    piece.clear();
    keys::PutString(&piece, field);
    keys::PutString(&piece, value);
    sha.Update(piece);
  }
  return Sha256::Hex(sha.Finish());
}

// What makes a detection the same conflict night after night, whatever the
// amounts: each identifying fact's person, kind and natural key.
std::vector<std::string> IdentityKeys(const Detection& d) {
  std::vector<std::string> out;
  for (const CurrentFact* f : d.identity.empty() ? d.facts : d.identity) {
    out.push_back(FactIdentityKey(f->kind, f->record()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

absl::StatusOr<HouseholdResult> AssessHousehold(const HouseholdCase& hc,
                                                const v1::Policy& policy,
                                                bool always_explain) {
  const std::vector<MemberStanding> standing = StandingOf(hc, policy);
  RuleInput in{hc, policy, standing, nullptr};
  // Member and asset rules first: the reassessment needs the asset verdict.
  std::vector<std::pair<const RuleSpec*, Detection>> detected;
  std::vector<std::pair<const RuleSpec*, Detection>> sustained;
  std::vector<Detection> found;
  bool assets_pass = true;
  auto run = [&](const RuleSpec& rule) {
    found.clear();
    rule.check(in, &found);
    for (Detection& d : found) {
      if (d.sustain_only) {
        sustained.emplace_back(&rule, std::move(d));
        continue;
      }
      if (rule.asset) assets_pass = false;
      detected.emplace_back(&rule, std::move(d));
    }
  };
  for (const RuleSpec& rule : AllRules()) {
    if (!rule.after_reassessment) run(rule);
  }
  HouseholdResult result;
  ASSIGN_OR_RETURN(result.assessment,
                   Reassess(hc, policy, standing, assets_pass, always_explain));
  in.assessment = &result.assessment;
  for (const RuleSpec& rule : AllRules()) {
    if (rule.after_reassessment) run(rule);
  }
  if (!always_explain && !detected.empty()) {
    // Findings are read with the reassessment beside them: the same
    // figures, now with members and explanation.
    ASSIGN_OR_RETURN(result.assessment,
                     Reassess(hc, policy, standing, assets_pass, true));
  }
  // Rule order, then member order, whatever order the phases ran in.
  std::stable_sort(
      detected.begin(), detected.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });

  const int64_t paid = hc.household().monthly_benefit_fen();
  auto to_finding = [&](const RuleSpec& rule, const Detection& d,
                        v1::Finding& f) -> absl::Status {
    f.set_rule(std::string(rule.code));
    const std::string id =
        d.member >= 0 ? hc.members()[d.member].member->id_number() : "";
    f.set_id_number(id);
    f.set_severity(rule.severity);
    f.set_summary(d.summary);
    for (const CurrentFact* fact : d.facts) *f.add_facts() = fact->ToProto();
    for (const auto& [field, value] : d.reported) {
      v1::ReportedValue* r = f.add_reported();
      r->set_field(field);
      r->set_value(value);
    }
    ASSIGN_OR_RETURN(TopUpEstimate e, TopUpIf(hc, policy, standing,
                                              result.assessment, d.if_true));
    const int64_t over = std::max<int64_t>(0, paid - e.top_up_fen);
    f.set_est_monthly_overpayment_fen(over);
    for (std::string& line : e.explanation) {
      f.add_overpayment_explanation(std::move(line));
    }
    f.add_overpayment_explanation(absl::StrCat(
        "paid now ", FormatYuan(paid), " - ", FormatYuan(e.top_up_fen),
        " if true = ", FormatYuan(over), " yuan/month"));
    f.set_fingerprint(Fingerprint(rule.code, id, d));
    for (std::string& key : IdentityKeys(d))
      f.add_identity_keys(std::move(key));
    return absl::OkStatus();
  };
  for (const auto& [rule, d] : detected) {
    RETURN_IF_ERROR(to_finding(*rule, d, result.findings.emplace_back()));
  }
  for (const auto& [rule, d] : sustained) {
    RETURN_IF_ERROR(to_finding(*rule, d, result.sustaining.emplace_back()));
  }
  std::optional<absl::CivilDay> next;
  for (const MemberCase& m : hc.members()) {
    const auto n = NextChange(m, policy, hc.day());
    if (n && (!next || *n < *next)) next = n;
  }
  if (next) *result.assessment.mutable_next_change() = ToProto(*next);
  return result;
}

}  // namespace dibao
