#include "formats/feed_format.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/csv.h"
#include "base/dates.h"
#include "base/utf8.h"
#include "formats/cells.h"
#include "formats/text_rows.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace dibao {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Where a column's value goes: a top-level FeedRecord field (id_number,
// name) or a field of the kind's sub-message.
struct Column {
  std::string name;
  const FieldDescriptor* field;
  bool in_record;  // true: inside the kind's sub-message
};

// FeedRecord fields a file may carry after the kind's, in this order.
constexpr const char* kActionColumns[] = {"action", "withdrawal_reason",
                                          "withdrawal_note"};

// The columns of a kind; with `actions`, also the optional action columns
// after them (a file may leave them out: every record is then an upsert).
std::vector<Column> ColumnsOf(const FeedKindSpec& spec, bool actions) {
  const auto* top = v1::FeedRecord::descriptor();
  std::vector<Column> columns = {
      {"id_number", top->FindFieldByName("id_number"), false},
      {"name", top->FindFieldByName("name"), false},
  };
  const auto* d = spec.record_type();
  for (int i = 0; i < d->field_count(); ++i) {
    columns.push_back({d->field(i)->name(), d->field(i), true});
  }
  if (actions) {
    for (const char* name : kActionColumns) {
      columns.push_back({name, top->FindFieldByName(name), false});
    }
  }
  return columns;
}

// Parses `cell` into `field` of `target`; empty cells leave it unset.
absl::Status SetCell(Message& target, const FieldDescriptor* f,
                     absl::string_view cell) {
  if (cell.empty()) return absl::OkStatus();
  const auto* r = target.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(&target, f, std::string(cell));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT64: {
      auto v = ParseFenCell(cell);
      if (!v.ok()) return v.status();
      r->SetInt64(&target, f, *v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      auto v = ParseDecimalCell(cell);
      if (!v.ok()) return v.status();
      r->SetDouble(&target, f, *v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      absl::StatusOr<int> v;
      if (f->enum_type() == v1::Sex_descriptor()) {
        auto sex = ParseSexCell(cell);
        if (!sex.ok()) return sex.status();
        v = *sex;
      } else {
        v = ParseEnumCell(cell, f->enum_type());
      }
      if (!v.ok()) return v.status();
      r->SetEnumValue(&target, f, *v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (f->message_type() == v1::Date::descriptor()) {
        auto v = ParseDateCell(cell, /*required=*/false);
        if (!v.ok()) return v.status();
        r->MutableMessage(&target, f)->CopyFrom(*v);
        return absl::OkStatus();
      }
      if (f->message_type() == v1::Month::descriptor()) {
        auto v = ParseMonthCell(cell, /*required=*/false);
        if (!v.ok()) return v.status();
        r->MutableMessage(&target, f)->CopyFrom(*v);
        return absl::OkStatus();
      }
      break;
    default:
      break;
  }
  return absl::InternalError(absl::StrCat("no reader for field ", f->name()));
}

// The cell text of `field` in `source`, the inverse of SetCell.
std::string GetCell(const Message& source, const FieldDescriptor* f) {
  const auto* r = source.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(source, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r->GetInt64(source, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrFormat("%g", r->GetDouble(source, f));
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int v = r->GetEnumValue(source, f);
      if (v == 0) return "";
      if (f->enum_type() == v1::Sex_descriptor()) {
        return v == v1::SEX_MALE ? "M" : "F";
      }
      return EnumShortName(f->enum_type(), v);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& m = r->GetMessage(source, f);
      if (f->message_type() == v1::Date::descriptor()) {
        return FormatDate(static_cast<const v1::Date&>(m));
      }
      if (f->message_type() == v1::Month::descriptor()) {
        return FormatMonth(static_cast<const v1::Month&>(m));
      }
      return "";
    }
    default:
      return "";
  }
}

// Applies one named cell to `record`; reports a problem through `bad`.
class RecordBuilder {
 public:
  explicit RecordBuilder(const FeedKindSpec& spec) : spec_(spec) {}

  void Reset(v1::FeedRecord& record) {
    record.Clear();
    sub_ =
        record.GetReflection()->MutableMessage(&record, spec_.record_field());
  }

  // False when the cell was refused. `key`: the line's ID cell, if read.
  bool Set(v1::FeedRecord& record, const Column& c, absl::string_view cell,
           int64_t line, absl::string_view key, const ErrorSink& bad) {
    absl::Status s = SetCell(c.in_record ? *sub_ : record, c.field, cell);
    if (!s.ok()) {
      bad(RowError{line, c.name, ToValidUtf8(s.message()), std::string(key)});
      return false;
    }
    return true;
  }

 private:
  const FeedKindSpec& spec_;
  Message* sub_ = nullptr;
};

absl::Status ReadCsv(std::istream& in, const FeedKindSpec& spec,
                     const FeedRecordSink& ok, const ErrorSink& bad) {
  const std::vector<Column> columns = ColumnsOf(spec, /*actions=*/true);
  CsvColumns table;
  for (const Column& c : columns) {
    table.names.push_back(c.name);
    table.required.push_back(c.name == "id_number" || c.name == "name");
  }
  table.what = absl::StrCat(" for ", spec.name, " records");
  table.key_column = 0;  // id_number

  RecordBuilder builder(spec);
  v1::FeedRecord record;
  return ReadCsvRows(
      in, table,
      [&](int64_t line, const std::vector<int>& column_of,
          const std::vector<absl::string_view>& cells, absl::string_view key) {
        builder.Reset(record);
        bool good = true;
        for (size_t i = 0; i < cells.size(); ++i) {
          good &= builder.Set(record, columns[column_of[i]], cells[i], line,
                              key, bad);
        }
        if (!good) return;
        record.set_source_line(line);
        ok(line, record);
      },
      bad);
}

// A JSON scalar as cell text: strings as they are, integral numbers without
// a decimal point, booleans as true/false, null as empty.
std::string JsonCell(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return v.string_value();
    case google::protobuf::Value::kNumberValue: {
      const double n = v.number_value();
      if (n == static_cast<double>(static_cast<int64_t>(n))) {
        return absl::StrCat(static_cast<int64_t>(n));
      }
      return absl::StrFormat("%.17g", n);
    }
    case google::protobuf::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    default:
      return "";
  }
}

absl::Status ReadJsonl(std::istream& in, const FeedKindSpec& spec,
                       const FeedRecordSink& ok, const ErrorSink& bad) {
  const std::vector<Column> columns = ColumnsOf(spec, /*actions=*/true);
  RecordBuilder builder(spec);
  v1::FeedRecord record;
  google::protobuf::Struct object;
  return ReadJsonLines(
      in,
      [&](int64_t number, const std::string& line) {
        object.Clear();
        auto parsed =
            google::protobuf::util::JsonStringToMessage(line, &object);
        if (!parsed.ok()) {
          bad(RowError{number, "", ToValidUtf8(std::string(parsed.message())),
                       ""});
          return;
        }
        std::string key;
        if (auto id = object.fields().find("id_number");
            id != object.fields().end()) {
          key = std::string(absl::StripAsciiWhitespace(JsonCell(id->second)));
        }
        builder.Reset(record);
        bool good = true;
        for (const auto& [name, value] : object.fields()) {
          const Column* column = nullptr;
          for (const Column& c : columns) {
            if (c.name == name) column = &c;
          }
          if (column == nullptr) {
            bad(RowError{
                number, name,
                absl::StrCat("unknown field for ", spec.name, " records"),
                key});
            good = false;
            continue;
          }
          if (value.kind_case() == google::protobuf::Value::kStructValue ||
              value.kind_case() == google::protobuf::Value::kListValue) {
            bad(RowError{number, name, "must be a string, number or boolean",
                         key});
            good = false;
            continue;
          }
          good &= builder.Set(record, *column,
                              absl::StripAsciiWhitespace(JsonCell(value)),
                              number, key, bad);
        }
        if (!good) return;
        record.set_source_line(number);
        ok(number, record);
      },
      bad);
}

}  // namespace

absl::Status ReadFeedRecords(std::istream& in, FileFormat format,
                             const FeedKindSpec& spec, const FeedRecordSink& ok,
                             const ErrorSink& bad) {
  if (format == FileFormat::kJsonl) return ReadJsonl(in, spec, ok, bad);
  return ReadCsv(in, spec, ok, bad);
}

std::string FeedCsvHeader(const FeedKindSpec& spec, bool actions) {
  std::vector<std::string> names;
  for (const Column& c : ColumnsOf(spec, actions)) names.push_back(c.name);
  return absl::StrCat(absl::StrJoin(names, ","), "\n");
}

void AppendFeedCsv(const FeedKindSpec& spec, const v1::FeedRecord& record,
                   std::string* out, bool actions) {
  const Message& sub =
      record.GetReflection()->GetMessage(record, spec.record_field());
  bool first = true;
  for (const Column& c : ColumnsOf(spec, actions)) {
    if (!first) out->push_back(',');
    first = false;
    AppendCsvCell(GetCell(c.in_record ? sub : record, c.field), out);
  }
  out->push_back('\n');
}

std::string NaturalKeyLabel(const FeedKindSpec& spec,
                            const v1::FeedRecord& record) {
  const Message& sub =
      record.GetReflection()->GetMessage(record, spec.record_field());
  std::string out;
  for (const FieldDescriptor* f : spec.key_descriptors()) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", f->name(), " ",
                    GetCell(sub, f));
  }
  return out;
}

}  // namespace dibao
