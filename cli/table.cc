#include "cli/table.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/csv.h"

namespace dibao::cli {

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view flag) {
  const std::string f = absl::AsciiStrToLower(flag);
  if (f.empty() || f == "table") return OutputFormat::kTable;
  if (f == "csv") return OutputFormat::kCsv;
  if (f == "jsonl" || f == "json") return OutputFormat::kJsonl;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown --format '", flag, "' (table, csv or jsonl)"));
}

int DisplayWidth(absl::string_view text) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int width = 0;
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    const int ea = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
    width += (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
  }
  return width;
}

void Table::Print(OutputFormat format, std::ostream& out,
                  bool with_header) const {
  if (format == OutputFormat::kCsv) {
    // People open these in a spreadsheet: cells cannot start formulas.
    std::string line;
    auto emit = [&](const std::vector<std::string>& row) {
      line.clear();
      AppendSpreadsheetRow(row, &line);
      out << line;
    };
    if (with_header) emit(header_);
    for (const auto& row : rows_) emit(row);
    return;
  }
  std::vector<int> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
      }
    }
    out << line << "\n";
  };
  emit(header_);
  for (const auto& row : rows_) emit(row);
}

}  // namespace dibao::cli
