#include "base/dates.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace dibao {
namespace {

bool IsRealDay(int64_t y, int64_t m, int64_t d) {
  const absl::CivilDay day(y, m, d);
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
         day.year() == y && day.month() == m && day.day() == d;
}

}  // namespace

bool IsSet(const v1::Date& d) {
  return d.year() != 0 || d.month() != 0 || d.day() != 0;
}

absl::StatusOr<absl::CivilDay> FromProto(const v1::Date& d) {
  return DayFromParts(d.year(), d.month(), d.day());
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(
    bool has, const v1::Date& d, absl::string_view field) {
  if (!has) return std::optional<absl::CivilDay>();
  auto day = FromProto(d);
  if (!day.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", day.status().message()));
  }
  return std::optional<absl::CivilDay>(*day);
}

absl::StatusOr<absl::CivilDay> DayFromParts(int year, int month, int day) {
  // The message is built only on failure: this runs for every date of every
  // feed record.
  if (!IsRealDay(year, month, day)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%04d-%02d-%02d is not a calendar date", year, month, day));
  }
  return absl::CivilDay(year, month, day);
}

int AgeOn(absl::CivilDay birth, absl::CivilDay day) {
  int age = static_cast<int>(day.year() - birth.year());
  if (day.month() < birth.month() ||
      (day.month() == birth.month() && day.day() < birth.day())) {
    --age;
  }
  return age;
}

v1::Date ToProto(absl::CivilDay day) {
  v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text) {
  auto digits = [&](size_t pos, size_t n, int64_t* out) {
    int64_t v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int64_t y, m, d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !digits(0, 4, &y) || !digits(5, 2, &m) || !digits(8, 2, &d)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a date in YYYY-MM-DD form"));
  }
  if (!IsRealDay(y, m, d)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a calendar date"));
  }
  return absl::CivilDay(y, m, d);
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::string FormatDate(const v1::Date& d) {
  if (!IsSet(d)) return "";
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace dibao
