#include "matcher/reassessment.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/dates.h"
#include "base/money.h"
#include "base/status_macros.h"
#include "matcher/policy.h"

namespace dibao {
namespace {

// One member as the arithmetic sees them.
struct Line {
  bool countable = true;
  bool employed = false;
  int64_t income_fen = 0;  // before the disregard
};

struct Outcome {
  int countable = 0;
  int64_t household_income_fen = 0;
  int64_t per_capita_fen = 0;
  bool income_eligible = false;
  int64_t supplements_fen = 0;
  int64_t top_up_fen = 0;
};

int64_t Countable(const Line& line, const v1::Policy& policy) {
  const int64_t disregard =
      line.employed ? policy.income().work_expense_disregard_fen() : 0;
  return std::max<int64_t>(0, line.income_fen - disregard);
}

std::string Yuan(int64_t fen) { return FormatYuan(fen); }

// The arithmetic shared by the reassessment and the estimates; appends its
// steps to `explain` unless it is null (the cycle's fast path).
Outcome Compute(const v1::Household& h, const v1::Policy& policy,
                int64_t standard_fen, const std::vector<Line>& lines,
                bool assets_pass, std::vector<std::string>* explain) {
  Outcome o;
  for (const Line& line : lines) {
    if (!line.countable) continue;
    ++o.countable;
    o.household_income_fen += Countable(line, policy);
  }
  auto say = [explain](std::string line) {
    if (explain != nullptr) explain->push_back(std::move(line));
  };
  if (o.countable == 0) {
    say("no countable member: not eligible");
    return o;
  }
  o.per_capita_fen = o.household_income_fen / o.countable;
  if (explain != nullptr)
    say(absl::StrCat(
        "household income ", Yuan(o.household_income_fen), " over ",
        o.countable,
        o.countable == 1 ? " countable member" : " countable members", ": ",
        Yuan(o.per_capita_fen), " per capita"));
  o.income_eligible = o.per_capita_fen < standard_fen;
  if (!o.income_eligible) {
    if (explain != nullptr)
      say(absl::StrCat(
          Yuan(o.per_capita_fen), " per capita is at or above the standard ",
          Yuan(standard_fen), ": not eligible, an exit candidate",
          policy.gradual_exit_months() > 0
              ? absl::StrCat(" (gradual exit: the benefit may continue ",
                             policy.gradual_exit_months(), " months)")
              : ""));
    return o;
  }
  if (!assets_pass) {
    say("the asset test fails (see the asset flags): not eligible");
    return o;
  }
  const int64_t base = (standard_fen - o.per_capita_fen) * o.countable;
  if (explain != nullptr)
    say(absl::StrCat("(", Yuan(standard_fen), " - ", Yuan(o.per_capita_fen),
                     ") x ", o.countable, " = ", Yuan(base)));
  for (int c : h.categories()) {
    const auto category = static_cast<v1::Category>(c);
    const int64_t fen = SupplementFor(policy, category);
    if (fen == 0) continue;
    o.supplements_fen += fen;
    if (explain != nullptr)
      say(absl::StrCat("supplement ", v1::Category_Name(category), ": ",
                       Yuan(fen)));
  }
  o.top_up_fen = base + o.supplements_fen;
  return o;
}

std::string Who(const v1::Member& m) {
  return absl::StrCat(m.name(), " (", m.id_number(), ")");
}

std::string Source(const CurrentFact& f) {
  return absl::StrCat("batch ", f.version->batch_id());
}

}  // namespace

std::vector<MemberStanding> StandingOf(const HouseholdCase& hc,
                                       const v1::Policy& policy) {
  std::vector<MemberStanding> out(hc.members().size());
  for (size_t i = 0; i < out.size(); ++i) {
    const MemberCase& m = hc.members()[i];
    out[i].death = DeathOf(m, hc.day());
    out[i].custody = CustodyOf(m, hc.day());
    out[i].income = VerifiedIncomeOf(m, policy, hc.day());
    out[i].jobs = ActiveJobs(m, hc.day());
  }
  return out;
}

absl::StatusOr<v1::Assessment> Reassess(
    const HouseholdCase& hc, const v1::Policy& policy,
    const std::vector<MemberStanding>& standing, bool assets_pass,
    bool explain) {
  const v1::Household& h = hc.household();
  ASSIGN_OR_RETURN(const int64_t standard,
                   StandardOn(policy, h.district_code(), hc.day()));
  v1::Assessment a;
  a.set_household_id(h.household_id());
  *a.mutable_as_of() = ToProto(hc.day());
  a.set_policy_version(policy.version());
  a.set_standard_fen(standard);
  a.set_current_benefit_fen(h.monthly_benefit_fen());
  auto& lines_out = *a.mutable_explanation();
  if (explain)
    lines_out.Add(absl::StrCat("standard for district ", h.district_code(),
                               " on ", FormatDate(hc.day()), ": ",
                               Yuan(standard), " yuan/month (policy ",
                               policy.version(), ")"));
  std::vector<Line> lines(standing.size());
  for (size_t i = 0; i < standing.size(); ++i) {
    const v1::Member& m = *hc.members()[i].member;
    const MemberStanding& s = standing[i];
    Line& line = lines[i];
    line.countable = s.countable();
    line.employed =
        m.reported_status() == v1::REPORTED_STATUS_EMPLOYED || !s.jobs.empty();
    line.income_fen =
        std::max(m.reported_monthly_income_fen(), s.income.monthly_fen);
    if (!explain) continue;
    v1::MemberAssessment* ma = a.add_members();
    ma->set_id_number(m.id_number());
    ma->set_name(m.name());
    ma->set_countable(line.countable);
    ma->set_reported_income_fen(m.reported_monthly_income_fen());
    ma->set_verified_income_fen(s.income.monthly_fen);
    ma->set_employed(line.employed);
    if (!line.countable) {
      const CurrentFact& why = s.death != nullptr ? *s.death : *s.custody;
      ma->set_not_countable_reason(
          s.death != nullptr
              ? absl::StrCat("died on ",
                             FormatDate(why.record().hukou().status_date()),
                             " (public security, ", Source(why), ")")
              : absl::StrCat(
                    "in custody since ",
                    FormatDate(why.record().custody().event_date()), " (",
                    absl::StripPrefix(
                        v1::CustodyEvent_Name(why.record().custody().event()),
                        "CUSTODY_EVENT_"),
                    ", justice, ", Source(why), ")"));
      lines_out.Add(absl::StrCat(Who(m), ": ", ma->not_countable_reason(),
                                 ": not counted"));
      continue;
    }
    ma->set_countable_income_fen(Countable(line, policy));
    std::string text = absl::StrCat(Who(m), ": reported ",
                                    Yuan(m.reported_monthly_income_fen()),
                                    ", verified ", Yuan(s.income.monthly_fen));
    for (size_t j = 0; j < s.income.sources.size(); ++j) {
      absl::StrAppend(&text, j == 0 ? " (" : ", ", s.income.sources[j].what,
                      " ", Yuan(s.income.sources[j].monthly_fen));
    }
    if (!s.income.sources.empty()) text += ")";
    if (line.employed && policy.income().work_expense_disregard_fen() > 0) {
      absl::StrAppend(&text, "; employed, less ",
                      Yuan(policy.income().work_expense_disregard_fen()),
                      " work expenses");
    }
    absl::StrAppend(&text, ": counts ", Yuan(ma->countable_income_fen()));
    lines_out.Add(std::move(text));
  }
  std::vector<std::string> steps;
  const Outcome o = Compute(h, policy, standard, lines, assets_pass,
                            explain ? &steps : nullptr);
  for (std::string& s : steps) lines_out.Add(std::move(s));
  a.set_countable_members(o.countable);
  a.set_household_income_fen(o.household_income_fen);
  a.set_per_capita_income_fen(o.per_capita_fen);
  a.set_income_eligible(o.income_eligible);
  a.set_assets_pass(assets_pass);
  a.set_supplements_fen(o.supplements_fen);
  a.set_top_up_fen(o.top_up_fen);
  if (explain) {
    lines_out.Add(
        absl::StrCat("top-up: ", Yuan(o.top_up_fen),
                     " yuan/month; paid now: ", Yuan(h.monthly_benefit_fen())));
  }
  return a;
}

absl::StatusOr<TopUpEstimate> TopUpIf(
    const HouseholdCase& hc, const v1::Policy& policy,
    const std::vector<MemberStanding>& standing,
    const v1::Assessment& assessment, const IfTrue& if_true) {
  const v1::Household& h = hc.household();
  TopUpEstimate e;
  switch (if_true.kind) {
    case IfTrue::Kind::kNothing:
      e.top_up_fen = h.monthly_benefit_fen();
      e.explanation.push_back("no change to the benefit if true");
      return e;
    case IfTrue::Kind::kReassessed:
      e.top_up_fen = assessment.top_up_fen();
      e.explanation.push_back(absl::StrCat(
          "if true: the reassessment's top-up of ",
          Yuan(assessment.top_up_fen()), " (see the household's assessment)"));
      return e;
    case IfTrue::Kind::kAssetsFail:
      e.explanation.push_back("if true: the asset test fails, top-up 0.00");
      return e;
    default:
      break;
  }
  const int64_t standard = assessment.standard_fen();
  std::vector<Line> lines(h.members_size());
  for (int i = 0; i < h.members_size(); ++i) {
    const v1::Member& m = h.members(i);
    lines[i].employed = m.reported_status() == v1::REPORTED_STATUS_EMPLOYED;
    lines[i].income_fen = m.reported_monthly_income_fen();
  }
  const int i = if_true.member;
  if (i < 0 || i >= h.members_size()) {
    return absl::InternalError("an estimate names no member of the household");
  }
  const v1::Member& m = h.members(i);
  if (if_true.kind == IfTrue::Kind::kMemberLeaves) {
    lines[i].countable = false;
    e.explanation.push_back(
        absl::StrCat("if true: as reported, but without ", Who(m)));
  } else {
    lines[i].employed = lines[i].employed || !standing[i].jobs.empty();
    lines[i].income_fen =
        std::max(lines[i].income_fen, standing[i].income.monthly_fen);
    e.explanation.push_back(absl::StrCat(
        "if true: as reported, but ", Who(m), " has an income of ",
        Yuan(lines[i].income_fen), " (less ",
        Yuan(lines[i].employed ? policy.income().work_expense_disregard_fen()
                               : 0),
        " work expenses)"));
  }
  const Outcome o =
      Compute(h, policy, standard, lines, /*assets_pass=*/true, &e.explanation);
  e.top_up_fen = o.top_up_fen;
  return e;
}

}  // namespace dibao
