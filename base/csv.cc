#include "base/csv.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace dibao {
namespace {
constexpr size_t kBlockSize = 64 << 10;
}  // namespace

CsvReader::CsvReader(std::istream& in, size_t max_record_bytes)
    : in_(in), max_record_bytes_(max_record_bytes), buffer_(kBlockSize) {}

int CsvReader::Peek() {
  if (pos_ == end_) {
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    end_ = static_cast<size_t>(in_.gcount());
    pos_ = 0;
    if (end_ == 0) return -1;
  }
  return static_cast<unsigned char>(buffer_[pos_]);
}

int CsvReader::Get() {
  const int c = Peek();
  if (c >= 0) ++pos_;
  if (c == '\n') ++current_line_;
  return c;
}

void CsvReader::SkipRestOfLine() {
  for (int c = Get(); c >= 0 && c != '\n'; c = Get()) {
  }
}

CsvReader::Result CsvReader::Fail(std::string message) {
  error_ = std::move(message);
  return Result::kError;
}

CsvReader::Result CsvReader::Next() {
  record_.clear();
  field_ends_.clear();
  fields_.clear();
  error_.clear();

  if (at_start_) {
    at_start_ = false;
    // UTF-8 byte-order mark, written by spreadsheet programs.
    if (Peek() == 0xEF) {
      ++pos_;
      if (Get() != 0xBB || Get() != 0xBF) {
        record_line_ = 1;
        SkipRestOfLine();
        return Fail("line 1 starts with a broken byte-order mark");
      }
    }
  }
  // Skip empty lines.
  for (;;) {
    const int c = Peek();
    if (c == '\r') {
      Get();
    } else if (c == '\n') {
      Get();
    } else {
      break;
    }
  }
  record_line_ = current_line_;
  if (Peek() < 0) return Result::kEnd;

  for (;;) {
    // Start of a field.
    int c = Peek();
    if (c == '"') {
      Get();
      const int64_t opened_at = current_line_;
      for (;;) {
        c = Get();
        if (c < 0) {
          return Fail(absl::StrCat("quoted field opened on line ", opened_at,
                                   " is never closed"));
        }
        if (c == '"') {
          if (Peek() == '"') {
            Get();
            record_.push_back('"');
            continue;
          }
          break;
        }
        record_.push_back(static_cast<char>(c));
        if (record_.size() > max_record_bytes_) {
          SkipRestOfLine();
          return Fail(absl::StrCat("record is longer than ", max_record_bytes_,
                                   " bytes"));
        }
      }
      c = Peek();
      if (c == '\r') {
        Get();
        c = Peek();
      }
      if (c != ',' && c != '\n' && c >= 0) {
        SkipRestOfLine();
        return Fail(absl::StrCat("field ", field_ends_.size() + 1,
                                 ": text after the closing quote"));
      }
    } else {
      for (;;) {
        c = Peek();
        if (c < 0 || c == ',' || c == '\n') break;
        Get();
        if (c == '\r') continue;
        if (c == '"') {
          SkipRestOfLine();
          return Fail(absl::StrCat("field ", field_ends_.size() + 1,
                                   ": a quote inside an unquoted field"));
        }
        record_.push_back(static_cast<char>(c));
        if (record_.size() > max_record_bytes_) {
          SkipRestOfLine();
          return Fail(absl::StrCat("record is longer than ", max_record_bytes_,
                                   " bytes"));
        }
      }
    }
    field_ends_.push_back(record_.size());
    c = Get();
    if (c == ',') continue;
    break;  // '\n' or end of input
  }

  size_t begin = 0;
  for (size_t end : field_ends_) {
    fields_.emplace_back(record_.data() + begin, end - begin);
    begin = end;
  }
  return Result::kRecord;
}

absl::StatusOr<std::vector<int>> ReadCsvHeader(
    CsvReader& reader, const std::vector<std::string>& known,
    const std::vector<bool>& required, absl::string_view what) {
  const CsvReader::Result r = reader.Next();
  if (r == CsvReader::Result::kEnd) {
    return absl::InvalidArgumentError("the file is empty (no header row)");
  }
  if (r == CsvReader::Result::kError) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", reader.line(), ": ", reader.error()));
  }
  std::vector<int> positions;
  std::vector<bool> seen(known.size(), false);
  for (absl::string_view raw : reader.fields()) {
    const std::string name =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
    const auto it = std::find(known.begin(), known.end(), name);
    if (it == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line 1: unknown column '", raw, "'", what,
                       " (known: ", absl::StrJoin(known, ", "), ")"));
    }
    const int index = static_cast<int>(it - known.begin());
    if (seen[index]) {
      return absl::InvalidArgumentError(
          absl::StrCat("line 1: column '", name, "' appears twice"));
    }
    seen[index] = true;
    positions.push_back(index);
  }
  for (size_t i = 0; i < known.size(); ++i) {
    if (required[i] && !seen[i]) {
      return absl::InvalidArgumentError(
          absl::StrCat("line 1: missing required column '", known[i], "'"));
    }
  }
  return positions;
}

void AppendCsvCell(absl::string_view cell, std::string* out) {
  const bool quote =
      cell.find_first_of(",\"\r\n") != absl::string_view::npos ||
      (!cell.empty() && (cell.front() == ' ' || cell.back() == ' '));
  if (!quote) {
    out->append(cell.data(), cell.size());
    return;
  }
  out->push_back('"');
  for (char c : cell) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

namespace {

// An optional sign, digits and at most one decimal point.
bool IsPlainNumber(absl::string_view cell) {
  if (!cell.empty() && (cell.front() == '-' || cell.front() == '+')) {
    cell.remove_prefix(1);
  }
  bool digits = false, point = false;
  for (char c : cell) {
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digits;
}

}  // namespace

void AppendSpreadsheetCell(absl::string_view cell, std::string* out) {
  if (!cell.empty() &&
      absl::string_view("=+-@\t\r").find(cell.front()) !=
          absl::string_view::npos &&
      !IsPlainNumber(cell)) {
    std::string guarded = absl::StrCat("'", cell);
    AppendCsvCell(guarded, out);
    return;
  }
  AppendCsvCell(cell, out);
}

void AppendSpreadsheetRow(const std::vector<std::string>& cells,
                          std::string* out) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendSpreadsheetCell(cells[i], out);
  }
  out->push_back('\n');
}

}  // namespace dibao
