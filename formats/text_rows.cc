#include "formats/text_rows.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/csv.h"
#include "base/text_input.h"
#include "base/utf8.h"

namespace dibao {

std::string UnreadableText(absl::string_view text) {
  if (const int64_t b = FirstInvalidUtf8Byte(text); b >= 0) {
    return absl::StrCat(
        "not valid UTF-8 (byte ", b + 1,
        "); if the file is GBK or GB18030, say --encoding=gb18030");
  }
  if (const size_t at = text.find(kReplacementCharacter);
      at != absl::string_view::npos) {
    return absl::StrCat(
        "holds bytes the file's encoding could not decode (shown as U+FFFD "
        "at byte ",
        at + 1, "); check the file's encoding (--encoding)");
  }
  return "";
}

absl::Status ReadCsvRows(
    std::istream& in, const CsvColumns& columns,
    absl::FunctionRef<void(int64_t, const std::vector<int>&,
                           const std::vector<absl::string_view>&,
                           absl::string_view)>
        row,
    const ErrorSink& bad) {
  CsvReader reader(in);
  auto positions =
      ReadCsvHeader(reader, columns.names, columns.required, columns.what);
  if (!positions.ok()) return positions.status();
  int key_position = -1;
  for (size_t i = 0; i < positions->size(); ++i) {
    if ((*positions)[i] == columns.key_column) {
      key_position = static_cast<int>(i);
    }
  }
  std::vector<absl::string_view> cells;
  for (;;) {
    const CsvReader::Result r = reader.Next();
    if (r == CsvReader::Result::kEnd) break;
    if (r == CsvReader::Result::kError) {
      bad(RowError{reader.line(), "", ToValidUtf8(reader.error()), ""});
      continue;
    }
    const auto& fields = reader.fields();
    absl::string_view key;
    if (key_position >= 0 && key_position < static_cast<int>(fields.size())) {
      key = absl::StripAsciiWhitespace(fields[key_position]);
    }
    // Only a refused line needs its key copied, and only a readable one.
    auto readable_key = [&key] {
      return UnreadableText(key).empty() ? std::string(key) : std::string();
    };
    if (fields.size() != positions->size()) {
      bad(RowError{reader.line(), "",
                   absl::StrCat("has ", fields.size(),
                                " fields, the header has ", positions->size()),
                   readable_key()});
      continue;
    }
    cells.clear();
    bool readable = true;
    for (size_t i = 0; i < fields.size(); ++i) {
      const absl::string_view cell = absl::StripAsciiWhitespace(fields[i]);
      if (std::string why = UnreadableText(cell); !why.empty()) {
        readable = false;
        bad(RowError{reader.line(), columns.names[(*positions)[i]],
                     std::move(why), readable_key()});
      }
      cells.push_back(cell);
    }
    if (readable) row(reader.line(), *positions, cells, key);
  }
  if (in.bad()) return absl::UnavailableError("read error");
  return absl::OkStatus();
}

absl::Status ReadJsonLines(
    std::istream& in, absl::FunctionRef<void(int64_t, const std::string&)> row,
    const ErrorSink& bad) {
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && absl::StartsWith(line, "\xEF\xBB\xBF")) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (std::string why = UnreadableText(line); !why.empty()) {
      bad(RowError{number, "", std::move(why), ""});
      continue;
    }
    row(number, line);
  }
  if (in.bad()) return absl::UnavailableError("read error");
  return absl::OkStatus();
}

}  // namespace dibao
