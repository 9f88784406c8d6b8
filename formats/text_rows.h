// The one reader of the rows of bureau and agency files, for the registry
// and feed formats alike: CSV with a header row, or JSON Lines. It deals
// with what every file has in common (the header, the field count, text
// that is not UTF-8 or holds bytes its encoding could not decode, blank
// lines, byte-order marks, CR line ends) and leaves the meaning of each cell
// to the format. Every line is either handed on or reported as a RowError
// with its line number, never dropped.
//
// Input is UTF-8: open files with TextInput (base/text_input.h) to read
// GBK, GB18030 or UTF-16. Streams: one row in memory at a time.
#ifndef DIBAO_FORMATS_TEXT_ROWS_H_
#define DIBAO_FORMATS_TEXT_ROWS_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dibao {

// A refused line of an input file.
struct RowError {
  int64_t line = 0;
  std::string field;  // empty when the line as a whole is refused
  std::string reason;
  // The line's key (the registry's household_id, a feed's id_number) when
  // it could be read, so the refusal can name whose line it was.
  std::string key;
};

using ErrorSink = std::function<void(RowError)>;

// The columns a CSV file may have.
struct CsvColumns {
  std::vector<std::string> names;  // lower case
  std::vector<bool> required;      // must appear in the header
  // Ends the unknown-column message, e.g. " for vehicle records".
  std::string what;
  // The column whose cell is a refused line's RowError::key; -1: none.
  int key_column = -1;
};

// Reads the header, then each row. A row whose field count matches the
// header and whose cells are all readable text goes to `row` with, per
// position, the column index (into columns.names) and the cell, stripped of
// surrounding ASCII spaces, and the key column's cell (empty without one);
// any other row goes to `bad`, one RowError per unreadable cell. An error
// return means the file as a whole cannot be read (empty, bad header, I/O);
// rows before it have been delivered.
absl::Status ReadCsvRows(
    std::istream& in, const CsvColumns& columns,
    absl::FunctionRef<void(int64_t line, const std::vector<int>& column_of,
                           const std::vector<absl::string_view>& cells,
                           absl::string_view key)>
        row,
    const ErrorSink& bad);

// Reads JSON Lines: each non-blank line that is readable text goes to `row`
// (without its line end or a leading byte-order mark); a line that is not
// goes to `bad`. The format parses the JSON.
absl::Status ReadJsonLines(
    std::istream& in,
    absl::FunctionRef<void(int64_t line, const std::string& text)> row,
    const ErrorSink& bad);

// Why `text` cannot be taken as a cell: not UTF-8, or holding U+FFFD (bytes
// the file's encoding could not decode); empty when it can.
std::string UnreadableText(absl::string_view text);

}  // namespace dibao

#endif  // DIBAO_FORMATS_TEXT_ROWS_H_
