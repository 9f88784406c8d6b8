// Registry files as a bureau exchanges them: households and members, as CSV
// with a header row or as JSON Lines in protobuf's JSON mapping.
//
// CSV: a header row of field names in any order (unknown or repeated names
// are an error; required columns must be present), UTF-8 with or without a
// byte-order mark (text_rows.h reads the rows). Enum cells take the short names
// (ACTIVE, EMPLOYED, M/F,
// ...) in any case; categories are a ';'-separated set; dates YYYY-MM-DD;
// money integer fen; booleans true/false.
//
// Household columns: household_id, district_code, street, community,
// registered_address, residence_address (optional), status,
// monthly_benefit_fen, benefit_start_date, categories (optional).
// Member columns: household_id, id_number, name, sex (optional: from the ID),
// birth_date (optional: from the ID), relation (optional), reported_status,
// reported_monthly_income_fen, disabled (optional, default false),
// able_to_work (optional, default false).
//
// Reading streams: one record in memory at a time. Thread-compatible.
#ifndef DIBAO_FORMATS_REGISTRY_FORMAT_H_
#define DIBAO_FORMATS_REGISTRY_FORMAT_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/registry.pb.h"
#include "formats/text_rows.h"

namespace dibao {

enum class FileFormat { kCsv, kJsonl };

// "csv" or "jsonl"/"json" when `flag` is set, else from the file extension
// (.csv, .jsonl, .ndjson, .json). INVALID_ARGUMENT when neither tells.
absl::StatusOr<FileFormat> ChooseFileFormat(absl::string_view path,
                                            absl::string_view flag);

using HouseholdSink = std::function<void(int64_t line, v1::Household)>;
using MemberSink = std::function<void(int64_t line, v1::Member)>;

// Calls `ok` for every well-formed record and `bad` for every refused one.
// Returns an error only when the file as a whole cannot be read (bad or
// missing header, I/O error); records before that have been delivered.
absl::Status ReadHouseholds(std::istream& in, FileFormat format,
                            const HouseholdSink& ok, const ErrorSink& bad);
absl::Status ReadMembers(std::istream& in, FileFormat format,
                         const MemberSink& ok, const ErrorSink& bad);

// CSV writing, in the column order listed above; re-importable.
std::string HouseholdCsvHeader();
void AppendHouseholdCsv(const v1::Household& h, std::string* out);
std::string MemberCsvHeader();
void AppendMemberCsv(const v1::Member& m, std::string* out);

// One line of JSON (protobuf JSON mapping, no trailing newline).
std::string ToJsonLine(const google::protobuf::Message& message);

// A household status by its short name, any case ("active").
absl::StatusOr<v1::HouseholdStatus> ParseHouseholdStatus(absl::string_view s);

// Short names as used in files: "ACTIVE", "EMPLOYED", "M", "THREE_NO".
std::string ShortName(v1::HouseholdStatus s);
std::string ShortName(v1::ReportedStatus s);
std::string ShortName(v1::Category c);
std::string ShortName(v1::Sex s);

}  // namespace dibao

#endif  // DIBAO_FORMATS_REGISTRY_FORMAT_H_
