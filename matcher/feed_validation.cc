#include "matcher/feed_validation.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "matcher/dates.h"
#include "matcher/resident_id.h"

namespace dibao {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr size_t kMaxText = 200;
constexpr size_t kMaxName = 100;
const absl::CivilDay kEarliest(1900, 1, 1);
const absl::CivilDay kLatest(2100, 12, 31);

bool HasControl(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

// Looked up once: descriptor() costs a call_once per use.
const google::protobuf::Descriptor* DateType() {
  static const auto* d = v1::Date::descriptor();
  return d;
}

const FieldDescriptor* AddressCodeField() {
  static const auto* f =
      v1::HukouRecord::descriptor()->FindFieldByName("address_code");
  return f;
}

// A sortable day number for a set Date or Month field, or nullopt.
std::optional<absl::CivilDay> DayOf(const Message& m,
                                    const FieldDescriptor* f) {
  if (f->message_type() == DateType()) {
    const auto& d = static_cast<const v1::Date&>(m);
    if (!IsSet(d)) return std::nullopt;
    auto day = FromProto(d);
    if (!day.ok()) return std::nullopt;
    return *day;
  }
  const auto& mo = static_cast<const v1::Month&>(m);
  // An invalid month is reported by Calendar(); it takes no part in order.
  if (mo.month() < 1 || mo.month() > 12 || mo.year() < 1900) {
    return std::nullopt;
  }
  return absl::CivilDay(mo.year(), mo.month(), 1);
}

class Checker {
 public:
  Checker(const FeedKindSpec& spec, std::vector<RecordError>& errors)
      : spec_(spec), errors_(errors) {}

  void Add(std::string field, std::string reason) {
    errors_.push_back({std::move(field), std::move(reason)});
  }

  void Field(const Message& record, const FieldDescriptor* f) {
    const Reflection* r = spec_.record_reflection();
    const std::string& name = f->name();
    const bool required = spec_.IsRequired(f->index());
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& v = r->GetStringReference(record, f, &scratch);
        if (v.empty()) {
          if (required) Add(name, "is required");
        } else if (v.size() > kMaxText) {
          Add(name, absl::StrCat("is ", v.size(), " bytes long, at most ",
                                 kMaxText, " allowed"));
        } else if (HasControl(v)) {
          Add(name, "contains control characters");
        } else if (f == AddressCodeField()) {
          AddressCode(v);
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        const int64_t v = r->GetInt64(record, f);
        if (v < 0) {
          Add(name, absl::StrCat("is negative (", v, ")"));
        } else if (v > kMaxFeedAmountFen) {
          Add(name, absl::StrCat("is ", v, " fen, more than the limit of ",
                                 kMaxFeedAmountFen));
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        const double v = r->GetDouble(record, f);
        if (!std::isfinite(v) || v < 0 || v > kMaxAreaM2) {
          Add(name, absl::StrFormat("%g is not a plausible area", v));
        } else if (v == 0 && required) {
          Add(name, "is required");
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int v = r->GetEnumValue(record, f);
        if (v == 0) {
          if (required) Add(name, "is required");
        } else if (f->enum_type()->FindValueByNumber(v) == nullptr) {
          Add(name, absl::StrCat("unknown value ", v));
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        Calendar(r->GetMessage(record, f), f, required);
        break;
      default:
        break;
    }
  }

  void Order(const Message& record) {
    const Reflection* r = spec_.record_reflection();
    for (const auto& [earlier, later] : spec_.ordered_descriptors()) {
      const auto a = DayOf(r->GetMessage(record, earlier), earlier);
      const auto b = DayOf(r->GetMessage(record, later), later);
      if (a && b && *b < *a) {
        Add(later->name(), absl::StrCat(FormatDate(*b), " is before ",
                                        earlier->name(), " ", FormatDate(*a)));
      }
    }
  }

 private:
  void Calendar(const Message& m, const FieldDescriptor* f, bool required) {
    const std::string& name = f->name();
    if (f->message_type() == DateType()) {
      const auto& d = static_cast<const v1::Date&>(m);
      if (!IsSet(d)) {
        if (required) Add(name, "is required");
        return;
      }
      auto day = FromProto(d);
      if (!day.ok()) {
        Add(name, std::string(day.status().message()));
      } else if (*day < kEarliest || *day > kLatest) {
        Add(name, absl::StrCat(FormatDate(*day),
                               " is outside 1900-01-01 .. 2100-12-31"));
      }
      return;
    }
    const auto& mo = static_cast<const v1::Month&>(m);
    if (mo.year() == 0 && mo.month() == 0) {
      if (required) Add(name, "is required");
    } else if (mo.month() < 1 || mo.month() > 12 || mo.year() < 1900 ||
               mo.year() > 2100) {
      Add(name, absl::StrFormat("%04d-%02d is not a month in 1900 .. 2100",
                                mo.year(), mo.month()));
    }
  }

  void AddressCode(const std::string& v) {
    if (v.size() != 6 || !std::all_of(v.begin(), v.end(), [](char c) {
          return c >= '0' && c <= '9';
        })) {
      Add("address_code", "must be 6 digits");
    } else if (ProvinceName(absl::string_view(v).substr(0, 2)).empty()) {
      Add("address_code",
          absl::StrCat(v.substr(0, 2), " is not a province code"));
    }
  }

  const FeedKindSpec& spec_;
  std::vector<RecordError>& errors_;
};

}  // namespace

std::vector<RecordError> ValidateFeedRecord(const FeedKindSpec& spec,
                                            v1::FeedRecord& record,
                                            absl::CivilDay today) {
  std::vector<RecordError> errors;
  Checker check(spec, errors);

  if (record.id_number().empty()) {
    check.Add("id_number", "is required");
  } else {
    auto id = ParseResidentId(record.id_number(), today);
    if (!id.ok()) {
      check.Add("id_number", std::string(id.status().message()));
    } else if (id->number() != record.id_number()) {
      record.set_id_number_original(record.id_number());
      record.mutable_id_number()->assign(id->number().data(),
                                         id->number().size());
    }
  }
  if (record.name().empty()) {
    check.Add("name", "is required");
  } else if (record.name().size() > kMaxName || HasControl(record.name())) {
    check.Add("name", "must be at most 100 bytes without control characters");
  }

  const FieldDescriptor* expected = spec.record_field();
  const Reflection* r = spec.feed_record_reflection();
  if (!r->HasField(record, expected)) {
    const auto* oneof = expected->containing_oneof();
    const FieldDescriptor* actual = r->GetOneofFieldDescriptor(record, oneof);
    check.Add("", actual == nullptr
                      ? absl::StrCat("the record has no ", spec.name, " fields")
                      : absl::StrCat("a ", actual->name(),
                                     " record in a batch of ", spec.name));
    return errors;
  }
  const Message& fields = r->GetMessage(record, expected);
  const auto* d = spec.record_type();
  for (int i = 0; i < d->field_count(); ++i) check.Field(fields, d->field(i));
  check.Order(fields);
  return errors;
}

}  // namespace dibao
