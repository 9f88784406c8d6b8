// Output of dibaoctl listings in the three formats every listing command
// accepts: an aligned table for people, CSV and JSON Lines for programs.
#ifndef DIBAO_CLI_TABLE_H_
#define DIBAO_CLI_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dibao::cli {

enum class OutputFormat { kTable, kCsv, kJsonl };

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view flag);

// Columns of text shown as an aligned table (widths count CJK characters as
// two columns, as terminals show them) or as CSV with a header row.
class Table {
 public:
  explicit Table(std::vector<std::string> header)
      : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  size_t size() const { return rows_.size(); }
  // kJsonl is not a table format: callers print messages themselves.
  // Without the header, CSV continues one printed before (a listing
  // printed in parts); an aligned table always has its header.
  void Print(OutputFormat format, std::ostream& out,
             bool with_header = true) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Terminal columns taken by UTF-8 `text`.
int DisplayWidth(absl::string_view text);

}  // namespace dibao::cli

#endif  // DIBAO_CLI_TABLE_H_
