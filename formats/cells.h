// Reading and writing single cells of the CSV files dibao-audit exchanges:
// enums by their short names, money in fen, dates, months, booleans, sex.
//
// Each parser gets a cell already stripped of surrounding white space and
// returns INVALID_ARGUMENT with a reason that reads after the field name,
// e.g. "is required" or "'12.5' is not a whole number of fen".
// Thread-safe: pure functions; no allocation on success for enum cells.
#ifndef DIBAO_FORMATS_CELLS_H_
#define DIBAO_FORMATS_CELLS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/common.pb.h"
#include "google/protobuf/descriptor.h"

namespace dibao {

// Enum values are named PREFIX_SHORT in the schema (HOUSEHOLD_STATUS_ACTIVE);
// files use SHORT (ACTIVE), in any case. The full name is accepted too.
// UNSPECIFIED (0) is never a valid cell.
absl::StatusOr<int> ParseEnumCell(absl::string_view cell,
                                  const google::protobuf::EnumDescriptor* d);
std::string EnumShortName(const google::protobuf::EnumDescriptor* d, int value);

// A non-negative whole number of fen.
absl::StatusOr<int64_t> ParseFenCell(absl::string_view cell);
// true/false (also 1/0, yes/no); empty is false.
absl::StatusOr<bool> ParseBoolCell(absl::string_view cell);
// YYYY-MM-DD; empty gives an unset Date unless `required`.
absl::StatusOr<v1::Date> ParseDateCell(absl::string_view cell, bool required);
// YYYY-MM; empty gives an unset Month unless `required`.
absl::StatusOr<v1::Month> ParseMonthCell(absl::string_view cell, bool required);
// M/F (also MALE/FEMALE, 男/女); empty is SEX_UNSPECIFIED.
absl::StatusOr<v1::Sex> ParseSexCell(absl::string_view cell);
// A non-negative decimal such as "85.5".
absl::StatusOr<double> ParseDecimalCell(absl::string_view cell);

std::string FormatMonth(const v1::Month& m);  // "" when unset

}  // namespace dibao

#endif  // DIBAO_FORMATS_CELLS_H_
