#include "formats/cells.h"

#include <cmath>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/dates.h"

namespace dibao {
namespace {

using google::protobuf::EnumDescriptor;

// Length of "PREFIX_" taken from the UNSPECIFIED value's name.
size_t PrefixLength(const EnumDescriptor* d) {
  static constexpr absl::string_view kUnspecified = "UNSPECIFIED";
  const std::string& zero = d->FindValueByNumber(0)->name();
  return zero.size() - kUnspecified.size();
}

std::string KnownValues(const EnumDescriptor* d) {
  std::vector<std::string> names;
  for (int i = 0; i < d->value_count(); ++i) {
    if (d->value(i)->number() != 0) {
      names.push_back(EnumShortName(d, d->value(i)->number()));
    }
  }
  return absl::StrJoin(names, ", ");
}

}  // namespace

absl::StatusOr<int> ParseEnumCell(absl::string_view cell,
                                  const EnumDescriptor* d) {
  if (cell.empty()) return absl::InvalidArgumentError("is required");
  const size_t prefix = PrefixLength(d);
  for (int i = 0; i < d->value_count(); ++i) {
    const auto* v = d->value(i);
    if (v->number() == 0) continue;
    const absl::string_view name = v->name();
    if (absl::EqualsIgnoreCase(name.substr(prefix), cell) ||
        absl::EqualsIgnoreCase(name, cell)) {
      return v->number();
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown value '", cell, "' (expected one of ", KnownValues(d), ")"));
}

std::string EnumShortName(const EnumDescriptor* d, int value) {
  const auto* v = d->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  return v->name().substr(PrefixLength(d));
}

absl::StatusOr<int64_t> ParseFenCell(absl::string_view cell) {
  if (cell.empty()) return absl::InvalidArgumentError("is required");
  int64_t v;
  if (!absl::SimpleAtoi(cell, &v)) {
    if (absl::StrContains(cell, '.')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", cell, "' is not a whole number of fen (1 yuan = 100 fen)"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("'", cell, "' is not a whole number of fen"));
  }
  if (v < 0) {
    return absl::InvalidArgumentError(absl::StrCat("is negative (", v, ")"));
  }
  return v;
}

absl::StatusOr<bool> ParseBoolCell(absl::string_view cell) {
  if (cell.empty() || absl::EqualsIgnoreCase(cell, "false") || cell == "0" ||
      absl::EqualsIgnoreCase(cell, "no")) {
    return false;
  }
  if (absl::EqualsIgnoreCase(cell, "true") || cell == "1" ||
      absl::EqualsIgnoreCase(cell, "yes")) {
    return true;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", cell, "' is not true or false"));
}

absl::StatusOr<v1::Date> ParseDateCell(absl::string_view cell, bool required) {
  if (cell.empty()) {
    if (required) return absl::InvalidArgumentError("is required");
    return v1::Date();
  }
  auto day = ParseDate(cell);
  if (!day.ok()) return day.status();
  return ToProto(*day);
}

absl::StatusOr<v1::Month> ParseMonthCell(absl::string_view cell,
                                         bool required) {
  if (cell.empty()) {
    if (required) return absl::InvalidArgumentError("is required");
    return v1::Month();
  }
  int year = 0, month = 0;
  if (cell.size() != 7 || cell[4] != '-' ||
      !absl::SimpleAtoi(cell.substr(0, 4), &year) ||
      !absl::SimpleAtoi(cell.substr(5, 2), &month) ||
      !absl::ascii_isdigit(cell[0]) || !absl::ascii_isdigit(cell[5])) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", cell, "' is not a month in YYYY-MM form"));
  }
  if (year < 1900 || month < 1 || month > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", cell, "' is not a calendar month"));
  }
  v1::Month m;
  m.set_year(year);
  m.set_month(month);
  return m;
}

absl::StatusOr<v1::Sex> ParseSexCell(absl::string_view cell) {
  if (cell.empty()) return v1::SEX_UNSPECIFIED;
  if (absl::EqualsIgnoreCase(cell, "M") ||
      absl::EqualsIgnoreCase(cell, "MALE") || cell == "男") {
    return v1::SEX_MALE;
  }
  if (absl::EqualsIgnoreCase(cell, "F") ||
      absl::EqualsIgnoreCase(cell, "FEMALE") || cell == "女") {
    return v1::SEX_FEMALE;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown value '", cell, "' (expected M or F)"));
}

absl::StatusOr<double> ParseDecimalCell(absl::string_view cell) {
  if (cell.empty()) return absl::InvalidArgumentError("is required");
  double v;
  if (!absl::SimpleAtod(cell, &v) || !std::isfinite(v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", cell, "' is not a number"));
  }
  if (v < 0)
    return absl::InvalidArgumentError(absl::StrCat("is negative (", cell, ")"));
  return v;
}

std::string FormatMonth(const v1::Month& m) {
  if (m.year() == 0 && m.month() == 0) return "";
  return absl::StrFormat("%04d-%02d", m.year(), m.month());
}

}  // namespace dibao
