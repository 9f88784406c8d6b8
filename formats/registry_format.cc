#include "formats/registry_format.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/csv.h"
#include "base/dates.h"
#include "base/utf8.h"
#include "formats/cells.h"
#include "formats/text_rows.h"
#include "google/protobuf/util/json_util.h"

namespace dibao {
namespace {

absl::Status Required(absl::string_view cell) {
  return cell.empty() ? absl::InvalidArgumentError("is required")
                      : absl::OkStatus();
}

// One column of a CSV file: how to read a cell into a message and write it
// back out.
template <typename Msg>
struct Column {
  const char* name;
  bool required;  // must appear in the header
  absl::Status (*read)(absl::string_view cell, Msg& msg);
  std::string (*write)(const Msg& msg);
};

#define DIBAO_TEXT_COLUMN(Msg, field, required_value)                 \
  Column<Msg> {                                                       \
#field, true,                                                       \
        [](absl::string_view cell, Msg& m) {                            \
          if (required_value) {                                         \
            if (absl::Status s = Required(cell); !s.ok()) return s;     \
          }                                                             \
          m.set_##field(std::string(cell));                             \
          return absl::OkStatus();                                      \
        },                                                              \
        [](const Msg& m) { return m.field(); } \
  }

const std::vector<Column<v1::Household>>& HouseholdColumns() {
  using H = v1::Household;
  static const auto* columns = new std::vector<Column<H>>{
      DIBAO_TEXT_COLUMN(H, household_id, true),
      DIBAO_TEXT_COLUMN(H, district_code, true),
      DIBAO_TEXT_COLUMN(H, street, true),
      DIBAO_TEXT_COLUMN(H, community, true),
      DIBAO_TEXT_COLUMN(H, registered_address, true),
      {"residence_address", false,
       [](absl::string_view cell, H& h) {
         h.set_residence_address(std::string(cell));
         return absl::OkStatus();
       },
       [](const H& h) { return h.residence_address(); }},
      {"status", true,
       [](absl::string_view cell, H& h) {
         auto v = ParseEnumCell(cell, v1::HouseholdStatus_descriptor());
         if (!v.ok()) return v.status();
         h.set_status(static_cast<v1::HouseholdStatus>(*v));
         return absl::OkStatus();
       },
       [](const H& h) { return ShortName(h.status()); }},
      {"monthly_benefit_fen", true,
       [](absl::string_view cell, H& h) {
         auto v = ParseFenCell(cell);
         if (!v.ok()) return v.status();
         h.set_monthly_benefit_fen(*v);
         return absl::OkStatus();
       },
       [](const H& h) { return absl::StrCat(h.monthly_benefit_fen()); }},
      {"benefit_start_date", true,
       [](absl::string_view cell, H& h) {
         auto v = ParseDateCell(cell, /*required=*/true);
         if (!v.ok()) return v.status();
         *h.mutable_benefit_start_date() = *v;
         return absl::OkStatus();
       },
       [](const H& h) { return FormatDate(h.benefit_start_date()); }},
      {"categories", false,
       [](absl::string_view cell, H& h) {
         for (absl::string_view part :
              absl::StrSplit(cell, ';', absl::SkipWhitespace())) {
           auto v = ParseEnumCell(absl::StripAsciiWhitespace(part),
                                  v1::Category_descriptor());
           if (!v.ok()) return v.status();
           h.add_categories(static_cast<v1::Category>(*v));
         }
         return absl::OkStatus();
       },
       [](const H& h) {
         std::vector<std::string> names;
         for (int c : h.categories()) {
           names.push_back(ShortName(static_cast<v1::Category>(c)));
         }
         return absl::StrJoin(names, ";");
       }},
  };
  return *columns;
}

const std::vector<Column<v1::Member>>& MemberColumns() {
  using M = v1::Member;
  static const auto* columns = new std::vector<Column<M>>{
      DIBAO_TEXT_COLUMN(M, household_id, true),
      DIBAO_TEXT_COLUMN(M, id_number, true),
      DIBAO_TEXT_COLUMN(M, name, true),
      {"sex", false,
       [](absl::string_view cell, M& m) {
         auto v = ParseSexCell(cell);
         if (!v.ok()) return v.status();
         m.set_sex(*v);
         return absl::OkStatus();
       },
       [](const M& m) { return ShortName(m.sex()); }},
      {"birth_date", false,
       [](absl::string_view cell, M& m) {
         auto v = ParseDateCell(cell, /*required=*/false);
         if (!v.ok()) return v.status();
         *m.mutable_birth_date() = *v;
         return absl::OkStatus();
       },
       [](const M& m) { return FormatDate(m.birth_date()); }},
      {"relation", false,
       [](absl::string_view cell, M& m) {
         m.set_relation(std::string(cell));
         return absl::OkStatus();
       },
       [](const M& m) { return m.relation(); }},
      {"reported_status", true,
       [](absl::string_view cell, M& m) {
         auto v = ParseEnumCell(cell, v1::ReportedStatus_descriptor());
         if (!v.ok()) return v.status();
         m.set_reported_status(static_cast<v1::ReportedStatus>(*v));
         return absl::OkStatus();
       },
       [](const M& m) { return ShortName(m.reported_status()); }},
      {"reported_monthly_income_fen", true,
       [](absl::string_view cell, M& m) {
         auto v = ParseFenCell(cell);
         if (!v.ok()) return v.status();
         m.set_reported_monthly_income_fen(*v);
         return absl::OkStatus();
       },
       [](const M& m) {
         return absl::StrCat(m.reported_monthly_income_fen());
       }},
      {"disabled", false,
       [](absl::string_view cell, M& m) {
         auto v = ParseBoolCell(cell);
         if (!v.ok()) return v.status();
         m.set_disabled(*v);
         return absl::OkStatus();
       },
       [](const M& m) { return std::string(m.disabled() ? "true" : "false"); }},
      {"able_to_work", false,
       [](absl::string_view cell, M& m) {
         auto v = ParseBoolCell(cell);
         if (!v.ok()) return v.status();
         m.set_able_to_work(*v);
         return absl::OkStatus();
       },
       [](const M& m) {
         return std::string(m.able_to_work() ? "true" : "false");
       }},
  };
  return *columns;
}

template <typename Msg>
absl::Status ReadCsv(std::istream& in, const std::vector<Column<Msg>>& columns,
                     const std::function<void(int64_t, Msg)>& ok,
                     const ErrorSink& bad) {
  CsvColumns table;
  for (const auto& c : columns) {
    if (absl::string_view(c.name) == "household_id") {
      table.key_column = static_cast<int>(table.names.size());
    }
    table.names.push_back(c.name);
    table.required.push_back(c.required);
  }
  return ReadCsvRows(
      in, table,
      [&](int64_t line, const std::vector<int>& column_of,
          const std::vector<absl::string_view>& cells, absl::string_view key) {
        Msg msg;
        bool good = true;
        for (size_t i = 0; i < cells.size(); ++i) {
          const Column<Msg>& column = columns[column_of[i]];
          absl::Status s = column.read(cells[i], msg);
          if (!s.ok()) {
            good = false;
            bad(RowError{line, column.name, ToValidUtf8(s.message()),
                         std::string(key)});
          }
        }
        if (good) ok(line, std::move(msg));
      },
      bad);
}

template <typename Msg>
absl::Status ReadJsonl(std::istream& in,
                       const std::function<void(int64_t, Msg)>& ok,
                       const ErrorSink& bad) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  return ReadJsonLines(
      in,
      [&](int64_t number, const std::string& line) {
        Msg msg;
        auto status =
            google::protobuf::util::JsonStringToMessage(line, &msg, options);
        if (!status.ok()) {
          bad(RowError{number, "", ToValidUtf8(std::string(status.message())),
                       ""});
          return;
        }
        ok(number, std::move(msg));
      },
      bad);
}

template <typename Msg>
void AppendCsv(const std::vector<Column<Msg>>& columns, const Msg& msg,
               std::string* out) {
  bool first = true;
  for (const auto& c : columns) {
    if (!first) out->push_back(',');
    first = false;
    AppendCsvCell(c.write(msg), out);
  }
  out->push_back('\n');
}

template <typename Msg>
std::string CsvHeader(const std::vector<Column<Msg>>& columns) {
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  return absl::StrCat(absl::StrJoin(names, ","), "\n");
}

}  // namespace

absl::StatusOr<FileFormat> ChooseFileFormat(absl::string_view path,
                                            absl::string_view flag) {
  const std::string f = absl::AsciiStrToLower(flag);
  if (f == "csv") return FileFormat::kCsv;
  if (f == "jsonl" || f == "json") return FileFormat::kJsonl;
  if (!f.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown file format '", flag, "' (csv or jsonl)"));
  }
  const std::string p = absl::AsciiStrToLower(path);
  if (absl::EndsWith(p, ".csv")) return FileFormat::kCsv;
  if (absl::EndsWith(p, ".jsonl") || absl::EndsWith(p, ".ndjson") ||
      absl::EndsWith(p, ".json")) {
    return FileFormat::kJsonl;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot tell the format of ", path,
      " from its name; use .csv or .jsonl, or say --input_format"));
}

absl::Status ReadHouseholds(std::istream& in, FileFormat format,
                            const HouseholdSink& ok, const ErrorSink& bad) {
  if (format == FileFormat::kJsonl)
    return ReadJsonl<v1::Household>(in, ok, bad);
  return ReadCsv<v1::Household>(in, HouseholdColumns(), ok, bad);
}

absl::Status ReadMembers(std::istream& in, FileFormat format,
                         const MemberSink& ok, const ErrorSink& bad) {
  if (format == FileFormat::kJsonl) return ReadJsonl<v1::Member>(in, ok, bad);
  return ReadCsv<v1::Member>(in, MemberColumns(), ok, bad);
}

std::string HouseholdCsvHeader() { return CsvHeader(HouseholdColumns()); }
void AppendHouseholdCsv(const v1::Household& h, std::string* out) {
  AppendCsv(HouseholdColumns(), h, out);
}
std::string MemberCsvHeader() { return CsvHeader(MemberColumns()); }
void AppendMemberCsv(const v1::Member& m, std::string* out) {
  AppendCsv(MemberColumns(), m, out);
}

std::string ToJsonLine(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  // Printing a well-formed message cannot fail; an empty line would show it.
  if (!google::protobuf::util::MessageToJsonString(message, &out, options)
           .ok()) {
    out.clear();
  }
  return out;
}

absl::StatusOr<v1::HouseholdStatus> ParseHouseholdStatus(absl::string_view s) {
  auto v = ParseEnumCell(absl::StripAsciiWhitespace(s),
                         v1::HouseholdStatus_descriptor());
  if (!v.ok()) return v.status();
  return static_cast<v1::HouseholdStatus>(*v);
}

std::string ShortName(v1::HouseholdStatus s) {
  return EnumShortName(v1::HouseholdStatus_descriptor(), s);
}
std::string ShortName(v1::ReportedStatus s) {
  return EnumShortName(v1::ReportedStatus_descriptor(), s);
}
std::string ShortName(v1::Category c) {
  return EnumShortName(v1::Category_descriptor(), c);
}
std::string ShortName(v1::Sex s) {
  if (s == v1::SEX_MALE) return "M";
  if (s == v1::SEX_FEMALE) return "F";
  return "";
}

}  // namespace dibao
