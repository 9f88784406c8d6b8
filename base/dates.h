// Calendar dates (and instants) between their three forms: absl::CivilDay (in
// code), dibao.v1.Date (on the wire and on disk) and "YYYY-MM-DD" (in files).
#ifndef DIBAO_BASE_DATES_H_
#define DIBAO_BASE_DATES_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "dibao/v1/common.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace dibao {

// A set Date whose fields make a real calendar day; INVALID_ARGUMENT with the
// offending value otherwise. An all-zero Date counts as "not set".
bool IsSet(const v1::Date& d);
absl::StatusOr<absl::CivilDay> FromProto(const v1::Date& d);
// An optional day of a request: nullopt when `has` is false, else the day;
// INVALID_ARGUMENT naming `field` when it is not a calendar day.
absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(
    bool has, const v1::Date& d, absl::string_view field);
// The same check on a date's parts (for code reading serialized Dates).
absl::StatusOr<absl::CivilDay> DayFromParts(int year, int month, int day);
v1::Date ToProto(absl::CivilDay day);

// Age in whole years on `day` of someone born on `birth` (a birthday on
// 29 February counts from 1 March in other years).
int AgeOn(absl::CivilDay birth, absl::CivilDay day);

// Strict YYYY-MM-DD, a real calendar day.
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text);
std::string FormatDate(absl::CivilDay day);
// "" for an unset Date.
std::string FormatDate(const v1::Date& d);

// Instants between absl::Time and google.protobuf.Timestamp.
google::protobuf::Timestamp ToProto(absl::Time t);
absl::Time FromProto(const google::protobuf::Timestamp& t);

}  // namespace dibao

#endif  // DIBAO_BASE_DATES_H_
