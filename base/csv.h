// A streaming RFC 4180 CSV reader and the matching cell writer.
//
// Reads from an std::istream in 64 KiB blocks and hands out one record at a
// time as views into reused buffers, so a file of any size is read in
// constant memory and without per-record allocation once warmed up.
// Accepts a UTF-8 byte-order mark, CRLF or LF line ends, quoted fields with
// doubled quotes and embedded line breaks; skips empty lines. A malformed
// record (stray quote, unclosed quote, over-long record) is reported with
// its line number and skipped, and reading goes on with the next line.
//
// Not thread-safe: one reader per thread.
#ifndef DIBAO_BASE_CSV_H_
#define DIBAO_BASE_CSV_H_

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dibao {

class CsvReader {
 public:
  enum class Result { kRecord, kEnd, kError };

  // `max_record_bytes` bounds one record, so a file with a missing closing
  // quote cannot make us buffer the rest of the file.
  explicit CsvReader(std::istream& in, size_t max_record_bytes = 1 << 20);

  // Reads the next record. On kRecord, fields() holds it; on kError,
  // error() says what was wrong. line() is the record's first line (1-based).
  Result Next();

  // Valid until the next call to Next().
  const std::vector<absl::string_view>& fields() const { return fields_; }
  const std::string& error() const { return error_; }
  int64_t line() const { return record_line_; }

 private:
  // Next byte of input, or -1 at end.
  int Get();
  int Peek();
  void SkipRestOfLine();
  Result Fail(std::string message);

  std::istream& in_;
  const size_t max_record_bytes_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool at_start_ = true;
  int64_t current_line_ = 1;
  int64_t record_line_ = 0;
  std::string record_;              // field bytes, back to back
  std::vector<size_t> field_ends_;  // end offset of each field in record_
  std::vector<absl::string_view> fields_;
  std::string error_;
};

// Reads the header row of a file whose columns are named in `known`
// (matched case-insensitively, surrounding spaces ignored) and returns, for
// each position, the index of its name in `known`. INVALID_ARGUMENT, naming
// line 1, for an empty file, an unreadable header, an unknown or repeated
// column, or a missing column whose `required` flag is set. `what` ends the
// unknown-column message, e.g. " for vehicle records".
absl::StatusOr<std::vector<int>> ReadCsvHeader(
    CsvReader& reader, const std::vector<std::string>& known,
    const std::vector<bool>& required, absl::string_view what);

// The one CSV writer, in two policies.
//
// AppendCsvCell: a data file that is read back (registry export, the sample
// district, an agency's rejected lines): the cell exactly, quoted when it
// holds a comma, quote, line break or leading/trailing space.
void AppendCsvCell(absl::string_view cell, std::string* out);
// AppendSpreadsheetCell: a listing or report a person opens in Excel or WPS
// (dibaoctl --format=csv, the console's exports): as AppendCsvCell, but text
// that starts like a formula (=, +, -, @, tab, carriage return) gets a
// leading ' so the spreadsheet shows it rather than runs it. Plain numbers
// ("-5.00") cannot be formulas and stay numbers.
void AppendSpreadsheetCell(absl::string_view cell, std::string* out);
// A row of spreadsheet cells with its line end.
void AppendSpreadsheetRow(const std::vector<std::string>& cells,
                          std::string* out);

}  // namespace dibao

#endif  // DIBAO_BASE_CSV_H_
