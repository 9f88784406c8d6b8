#include "registry/household_validation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "base/dates.h"
#include "base/resident_id.h"

namespace dibao {
namespace {

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxTextLength = 300;
constexpr size_t kMaxNameLength = 100;

// Household IDs are the bureau's own case numbers: printable ASCII letters,
// digits and a few separators, so they are safe in file names, URLs and CSV.
bool IsValidHouseholdId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
           (c >= 'a' && c <= 'z') || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

bool HasControlChars(absl::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

class Checker {
 public:
  explicit Checker(std::vector<FieldError>& errors) : errors_(errors) {}

  void Add(int member, std::string field, std::string reason) {
    errors_.push_back({member, std::move(field), std::move(reason)});
  }

  void Text(int member, absl::string_view field, const std::string& value,
            bool required, size_t max_length) {
    if (value.empty()) {
      if (required) Add(member, std::string(field), "is required");
      return;
    }
    if (value.size() > max_length) {
      Add(member, std::string(field),
          absl::StrCat("is ", value.size(), " bytes long, at most ", max_length,
                       " allowed"));
    } else if (HasControlChars(value)) {
      Add(member, std::string(field), "contains control characters");
    }
  }

  void Money(int member, absl::string_view field, int64_t value, int64_t max) {
    if (value < 0) {
      Add(member, std::string(field),
          absl::StrCat("is negative (", value, " fen)"));
    } else if (value > max) {
      Add(member, std::string(field),
          absl::StrCat("is ", value, " fen, more than the limit of ", max,
                       " fen"));
    }
  }

 private:
  std::vector<FieldError>& errors_;
};

void CheckMember(v1::Member& m, int index, const std::string& household_id,
                 absl::CivilDay today, Checker& check) {
  if (!m.household_id().empty() && m.household_id() != household_id) {
    check.Add(index, "household_id",
              absl::StrCat("is ", m.household_id(),
                           " but the member is listed under household ",
                           household_id));
  }
  m.set_household_id(household_id);

  if (m.id_number().empty()) {
    check.Add(index, "id_number", "is required");
  } else {
    auto id = ParseResidentId(m.id_number(), today);
    if (!id.ok()) {
      check.Add(index, "id_number", std::string(id.status().message()));
    } else {
      if (id->number() != m.id_number()) {
        if (m.id_number_original().empty()) {
          m.set_id_number_original(m.id_number());
        }
        m.set_id_number(std::string(id->number()));
      }
      if (m.sex() == v1::SEX_UNSPECIFIED) {
        m.set_sex(id->sex() == Sex::kMale ? v1::SEX_MALE : v1::SEX_FEMALE);
      }
      if (!IsSet(m.birth_date())) {
        *m.mutable_birth_date() = ToProto(id->birth_date());
      }
    }
  }
  check.Text(index, "name", m.name(), /*required=*/true, kMaxNameLength);
  check.Text(index, "relation", m.relation(), /*required=*/false,
             kMaxNameLength);
  if (!v1::Sex_IsValid(m.sex())) {
    check.Add(index, "sex", absl::StrCat("unknown value ", m.sex()));
  }
  if (IsSet(m.birth_date())) {
    auto birth = FromProto(m.birth_date());
    if (!birth.ok()) {
      check.Add(index, "birth_date", std::string(birth.status().message()));
    } else if (*birth > today) {
      check.Add(index, "birth_date",
                absl::StrCat(FormatDate(*birth), " is after today (",
                             FormatDate(today), ")"));
    }
  }
  if (m.reported_status() == v1::REPORTED_STATUS_UNSPECIFIED ||
      !v1::ReportedStatus_IsValid(m.reported_status())) {
    check.Add(index, "reported_status", "is required");
  }
  check.Money(index, "reported_monthly_income_fen",
              m.reported_monthly_income_fen(), kMaxMonthlyIncomeFen);
}

}  // namespace

std::vector<FieldError> ValidateAndNormalize(v1::Household& h,
                                             absl::CivilDay today) {
  std::vector<FieldError> errors;
  Checker check(errors);
  h.clear_version();
  h.clear_updated_at();
  h.clear_updated_by();

  if (!IsValidHouseholdId(h.household_id())) {
    check.Add(-1, "household_id",
              h.household_id().empty()
                  ? "is required"
                  : "must be 1-64 characters of A-Z, a-z, 0-9, '-', '_', "
                    "'.' or '/'");
  }
  const std::string& district = h.district_code();
  if (district.size() != 6 ||
      !std::all_of(district.begin(), district.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    check.Add(-1, "district_code",
              district.empty() ? "is required" : "must be 6 digits");
  } else if (ProvinceName(district.substr(0, 2)).empty()) {
    check.Add(-1, "district_code",
              absl::StrCat(district.substr(0, 2), " is not a province code"));
  }
  check.Text(-1, "street", h.street(), /*required=*/true, kMaxTextLength);
  check.Text(-1, "community", h.community(), /*required=*/true, kMaxTextLength);
  check.Text(-1, "registered_address", h.registered_address(),
             /*required=*/true, kMaxTextLength);
  check.Text(-1, "residence_address", h.residence_address(),
             /*required=*/false, kMaxTextLength);
  if (h.status() == v1::HOUSEHOLD_STATUS_UNSPECIFIED ||
      !v1::HouseholdStatus_IsValid(h.status())) {
    check.Add(-1, "status", "is required");
  }
  check.Money(-1, "monthly_benefit_fen", h.monthly_benefit_fen(),
              kMaxMonthlyBenefitFen);
  if (!IsSet(h.benefit_start_date())) {
    check.Add(-1, "benefit_start_date", "is required");
  } else if (auto start = FromProto(h.benefit_start_date()); !start.ok()) {
    check.Add(-1, "benefit_start_date", std::string(start.status().message()));
  } else if (*start > today) {
    check.Add(-1, "benefit_start_date",
              absl::StrCat(FormatDate(*start), " is after today (",
                           FormatDate(today), ")"));
  }

  std::vector<int> categories;
  for (int c : h.categories()) {
    if (c == v1::CATEGORY_UNSPECIFIED || !v1::Category_IsValid(c)) {
      check.Add(-1, "categories", absl::StrCat("unknown category ", c));
    } else {
      categories.push_back(c);
    }
  }
  std::sort(categories.begin(), categories.end());
  categories.erase(std::unique(categories.begin(), categories.end()),
                   categories.end());
  h.clear_categories();
  for (int c : categories) h.add_categories(static_cast<v1::Category>(c));

  if (h.members().empty() && h.status() == v1::HOUSEHOLD_STATUS_ACTIVE) {
    check.Add(-1, "members", "an ACTIVE household needs at least one member");
  }
  for (int i = 0; i < h.members_size(); ++i) {
    CheckMember(*h.mutable_members(i), i, h.household_id(), today, check);
  }
  // Duplicates are judged on normalised IDs, after CheckMember.
  for (int i = 0; i < h.members_size(); ++i) {
    for (int j = 0; j < i; ++j) {
      if (!h.members(i).id_number().empty() &&
          h.members(i).id_number() == h.members(j).id_number()) {
        check.Add(i, "id_number",
                  absl::StrCat("the same person is listed twice in household ",
                               h.household_id(), " (members ", j + 1, " and ",
                               i + 1, ")"));
      }
    }
  }
  if (errors.empty()) {
    std::sort(h.mutable_members()->begin(), h.mutable_members()->end(),
              [](const v1::Member& a, const v1::Member& b) {
                return a.id_number() < b.id_number();
              });
  }
  return errors;
}

absl::Status ToStatus(const v1::Household& household,
                      const std::vector<FieldError>& errors) {
  if (errors.empty()) return absl::OkStatus();
  std::vector<std::string> parts;
  for (const FieldError& e : errors) {
    if (parts.size() == 5) {
      parts.push_back(absl::StrCat("and ", errors.size() - 5, " more"));
      break;
    }
    parts.push_back(e.member_index < 0
                        ? absl::StrCat(e.field, ": ", e.reason)
                        : absl::StrCat("member ", e.member_index + 1, " ",
                                       e.field, ": ", e.reason));
  }
  return absl::InvalidArgumentError(absl::StrCat("household ",
                                                 household.household_id(), ": ",
                                                 absl::StrJoin(parts, "; ")));
}

}  // namespace dibao
