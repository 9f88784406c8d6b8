#include "matcher/policy.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/dates.h"
#include "base/status_macros.h"

namespace dibao {
namespace {

// Collects problems as "where: field: what".
class Problems {
 public:
  explicit Problems(const TextLocator* locator) : locator_(locator) {}

  void Add(const std::string& field, absl::string_view what) {
    const std::string where =
        locator_ != nullptr ? locator_->Where(field) : std::string();
    lines_.push_back(where.empty()
                         ? absl::StrCat(field, ": ", what)
                         : absl::StrCat(where, ": ", field, ": ", what));
  }
  void NonNegative(const std::string& field, int64_t v) {
    if (v < 0) Add(field, absl::StrCat("must not be negative, is ", v));
  }
  void AtLeastOne(const std::string& field, int64_t v) {
    if (v < 1) Add(field, absl::StrCat("must be at least 1, is ", v));
  }

  absl::Status status() const {
    if (lines_.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrJoin(lines_, "\n"));
  }

 private:
  const TextLocator* locator_;
  std::vector<std::string> lines_;
};

bool IsDistrictCode(absl::string_view code) {
  if (code == "*") return true;
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidatePolicy(const v1::Policy& policy,
                            const TextLocator* locator) {
  Problems p(locator);
  if (policy.version().empty()) {
    p.Add("version", "is required: flags record the policy they used");
  }
  if (policy.standards().empty()) {
    p.Add("standards", "at least one standard is required");
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < policy.standards_size(); ++i) {
    const v1::DistrictStandard& s = policy.standards(i);
    const std::string at = absl::StrCat("standards[", i, "]");
    if (!IsDistrictCode(s.district_code())) {
      p.Add(at + ".district_code",
            absl::StrCat("\"", s.district_code(),
                         "\" is neither a 6-digit district code nor \"*\""));
    }
    if (!s.has_effective_from()) {
      p.Add(at + ".effective_from", "is required");
    } else if (auto day = FromProto(s.effective_from()); !day.ok()) {
      p.Add(at + ".effective_from", day.status().message());
    } else if (!seen.emplace(s.district_code(), FormatDate(*day)).second) {
      p.Add(at, absl::StrCat("a second standard for ", s.district_code(),
                             " from ", FormatDate(*day)));
    }
    if (s.monthly_standard_fen() <= 0) {
      p.Add(at + ".monthly_standard_fen",
            absl::StrCat("must be positive, is ", s.monthly_standard_fen()));
    }
  }
  const v1::IncomePolicy& income = policy.income();
  p.AtLeastOne("income.one_off_average_months",
               income.one_off_average_months());
  p.NonNegative("income.work_expense_disregard_fen",
                income.work_expense_disregard_fen());
  p.NonNegative("income.tolerance_fen", income.tolerance_fen());
  p.AtLeastOne("income.unemployment_benefit_max_months",
               income.unemployment_benefit_max_months());
  const v1::AssetPolicy& assets = policy.assets();
  p.NonNegative("assets.vehicle_value_threshold_fen",
                assets.vehicle_value_threshold_fen());
  p.NonNegative("assets.max_properties", assets.max_properties());
  if (!(assets.max_area_m2_per_member() >= 0)) {
    p.Add("assets.max_area_m2_per_member", "must not be negative");
  }
  p.NonNegative("assets.land_compensation_lookback_months",
                assets.land_compensation_lookback_months());
  std::set<int> categories;
  for (int i = 0; i < policy.supplements_size(); ++i) {
    const v1::CategorySupplement& s = policy.supplements(i);
    const std::string at = absl::StrCat("supplements[", i, "]");
    if (s.category() == v1::CATEGORY_UNSPECIFIED) {
      p.Add(at + ".category", "is required");
    } else if (!categories.insert(s.category()).second) {
      p.Add(at + ".category",
            absl::StrCat(v1::Category_Name(s.category()), " appears twice"));
    }
    p.NonNegative(at + ".monthly_fen", s.monthly_fen());
  }
  p.NonNegative("gradual_exit_months", policy.gradual_exit_months());
  p.NonNegative("notice_days", policy.notice_days());
  p.NonNegative("signals.benefit_ending_months",
                policy.signals().benefit_ending_months());
  p.NonNegative("signals.lookback_months", policy.signals().lookback_months());
  p.NonNegative("flags.reopen_window_days",
                policy.flags().reopen_window_days());
  p.NonNegative("flags.material_change_fen",
                policy.flags().material_change_fen());
  p.NonNegative("flags.resolve_margin_fen",
                policy.flags().resolve_margin_fen());
  return p.status();
}

int ReopenWindowDays(const v1::Policy& policy) {
  const int days = policy.flags().reopen_window_days();
  return days > 0 ? days : 180;
}

int64_t MaterialChangeFen(const v1::Policy& policy) {
  const int64_t fen = policy.flags().material_change_fen();
  return fen > 0 ? fen : policy.income().tolerance_fen();
}

int64_t ResolveMarginFen(const v1::Policy& policy) {
  const int64_t fen = policy.flags().resolve_margin_fen();
  return fen > 0 ? fen : policy.income().tolerance_fen();
}

absl::StatusOr<v1::Policy> LoadPolicy(const std::string& path) {
  v1::Policy policy;
  TextLocator locator;
  if (absl::Status s = ReadTextProto(path, &policy, &locator); !s.ok()) {
    if (absl::IsNotFound(s)) {
      return absl::NotFoundError(
          absl::StrCat("cannot read policy file ", path));
    }
    return s;
  }
  if (absl::Status s = ValidatePolicy(policy, &locator); !s.ok()) return s;
  return policy;
}

absl::StatusOr<v1::Policy> ParsePolicy(absl::string_view text,
                                       const std::string& name) {
  v1::Policy policy;
  TextLocator locator;
  RETURN_IF_ERROR(ParseTextProto(text, name, &policy, &locator));
  RETURN_IF_ERROR(ValidatePolicy(policy, &locator));
  return policy;
}

absl::StatusOr<int64_t> StandardOn(const v1::Policy& policy,
                                   absl::string_view district_code,
                                   absl::CivilDay day) {
  // Best line so far per kind: [0] the district's own, [1] the "*" one.
  const v1::DistrictStandard* best[2] = {nullptr, nullptr};
  absl::CivilDay best_from[2];
  for (const v1::DistrictStandard& s : policy.standards()) {
    const int which = s.district_code() == district_code ? 0
                      : s.district_code() == "*"         ? 1
                                                         : -1;
    if (which < 0) continue;
    auto from = FromProto(s.effective_from());
    if (!from.ok() || *from > day) continue;
    if (best[which] == nullptr || *from > best_from[which]) {
      best[which] = &s;
      best_from[which] = *from;
    }
  }
  const v1::DistrictStandard* s = best[0] != nullptr ? best[0] : best[1];
  if (s == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("the policy has no standard for district ", district_code,
                     " on ", FormatDate(day)));
  }
  return s->monthly_standard_fen();
}

bool StandardChangesBetween(const v1::Policy& policy, absl::CivilDay after,
                            absl::CivilDay through) {
  for (const v1::DistrictStandard& s : policy.standards()) {
    auto from = FromProto(s.effective_from());
    if (from.ok() && *from > after && *from <= through) return true;
  }
  return false;
}

int64_t SupplementFor(const v1::Policy& policy, v1::Category category) {
  for (const v1::CategorySupplement& s : policy.supplements()) {
    if (s.category() == category) return s.monthly_fen();
  }
  return 0;
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth m = absl::CivilMonth(day) + months;
  const absl::CivilDay last = absl::CivilDay(m + 1) - 1;
  const absl::CivilDay same(m.year(), m.month(), day.day());
  // CivilDay normalises 31 February to early March: clamp instead.
  return same.month() == m.month() ? same : last;
}

}  // namespace dibao
