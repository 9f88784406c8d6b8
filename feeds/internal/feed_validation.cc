#include "feeds/internal/feed_validation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "base/dates.h"
#include "base/free_text.h"
#include "base/resident_id.h"
#include "storage/keys.h"

namespace dibao {
namespace {

using google::protobuf::FieldDescriptor;

constexpr size_t kMaxText = 200;
constexpr size_t kMaxName = 100;
const absl::CivilDay kEarliest(1900, 1, 1);
const absl::CivilDay kLatest(2100, 12, 31);

bool HasControl(absl::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

// ---------------------------------------------------------------------------
// The fields of a record kind are checked on its serialized bytes, not
// through protobuf reflection: every record of every batch passes here, and
// walking the wire format costs a fraction of a reflective read per field.
// What to check comes from the descriptors, once per kind.

enum class Check { kString, kInt64, kDouble, kEnum, kDate, kMonth, kOther };

struct FieldRule {
  const FieldDescriptor* field = nullptr;
  Check check = Check::kOther;
  bool required = false;
  bool address_code = false;
};

constexpr int kMaxFieldNumber = 15;

struct KindRules {
  // By field number; `field` null where the kind has none.
  std::array<FieldRule, kMaxFieldNumber + 1> by_number{};
  // Field numbers in declaration order (the order errors are reported in).
  std::vector<int> order;
  std::vector<int> key_numbers;
  std::vector<std::pair<int, int>> ordered_dates;
};

// The rules of a kind; for a withdrawal, only its key fields are required
// (the others are checked when present).
const KindRules& RulesOf(const FeedKindSpec& spec, bool withdrawal) {
  // [0, 32): upserts by kind; [32, 64): withdrawals.
  static const auto* all = [] {
    auto* rules = new std::array<KindRules, 64>();
    const auto* date = v1::Date::descriptor();
    const auto* month = v1::Month::descriptor();
    for (const FeedKindSpec& k : AllFeedKinds()) {
      KindRules& r = (*rules)[k.kind];
      const auto* d = k.record_type();
      for (int i = 0; i < d->field_count(); ++i) {
        const FieldDescriptor* f = d->field(i);
        // The schema keeps record kinds small; a field beyond this would
        // be a schema change that must come with this table.
        if (f->number() > kMaxFieldNumber) std::abort();
        FieldRule& rule = r.by_number[f->number()];
        rule.field = f;
        rule.required = k.IsRequired(i);
        rule.address_code = f->name() == "address_code";
        switch (f->cpp_type()) {
          case FieldDescriptor::CPPTYPE_STRING:
            rule.check = Check::kString;
            break;
          case FieldDescriptor::CPPTYPE_INT64:
            rule.check = Check::kInt64;
            break;
          case FieldDescriptor::CPPTYPE_DOUBLE:
            rule.check = Check::kDouble;
            break;
          case FieldDescriptor::CPPTYPE_ENUM:
            rule.check = Check::kEnum;
            break;
          case FieldDescriptor::CPPTYPE_MESSAGE:
            rule.check = f->message_type() == date    ? Check::kDate
                         : f->message_type() == month ? Check::kMonth
                                                      : Check::kOther;
            break;
          default:
            break;
        }
        r.order.push_back(f->number());
      }
      for (const FieldDescriptor* f : k.key_descriptors()) {
        r.key_numbers.push_back(f->number());
      }
      for (const auto& [earlier, later] : k.ordered_descriptors()) {
        r.ordered_dates.emplace_back(earlier->number(), later->number());
      }
      KindRules& w = (*rules)[32 + k.kind];
      w = r;
      for (FieldRule& rule : w.by_number) rule.required = false;
      for (int n : w.key_numbers) w.by_number[n].required = true;
    }
    return rules;
  }();
  return (*all)[(withdrawal ? 32 : 0) + spec.kind];
}

// A minimal reader of the protobuf wire format.
bool ReadVarint(absl::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const uint8_t b = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

// One field's value as read off the wire; absent fields keep the default.
struct Value {
  bool present = false;
  uint64_t varint = 0;
  double number = 0;
  absl::string_view bytes;
};

// Calls fn(field number, value) for each field of serialized `message`, in
// wire order. False when the bytes are malformed.
template <typename Fn>
bool ForEachField(absl::string_view message, Fn fn) {
  while (!message.empty()) {
    uint64_t tag;
    if (!ReadVarint(&message, &tag)) return false;
    Value v;
    v.present = true;
    switch (tag & 7) {
      case 0:
        if (!ReadVarint(&message, &v.varint)) return false;
        break;
      case 1:
        if (message.size() < 8) return false;
        std::memcpy(&v.number, message.data(), 8);
        message.remove_prefix(8);
        break;
      case 2: {
        uint64_t size;
        if (!ReadVarint(&message, &size) || size > message.size()) {
          return false;
        }
        v.bytes = message.substr(0, size);
        message.remove_prefix(size);
        break;
      }
      case 5:
        if (message.size() < 4) return false;
        message.remove_prefix(4);
        break;
      default:
        return false;
    }
    fn(tag >> 3, v);
  }
  return true;
}

// The fields of serialized `message` by number (those below N).
template <size_t N>
bool ReadFields(absl::string_view message, std::array<Value, N>& values) {
  return ForEachField(message, [&values](uint64_t number, const Value& v) {
    if (number < N) values[number] = v;
  });
}

// Length-delimited field `number` of serialized `message`; false when
// absent or the bytes are malformed.
bool FindBytesField(absl::string_view message, uint64_t number,
                    absl::string_view* out) {
  bool found = false;
  return ForEachField(message,
                      [&](uint64_t n, const Value& v) {
                        if (n == number) {
                          *out = v.bytes;
                          found = true;
                        }
                      }) &&
         found;
}

// A Date or Month sub-message: year, month, day (fields 1, 2, 3).
struct Ymd {
  int year = 0, month = 0, day = 0;
};
bool ReadYmd(absl::string_view bytes, Ymd* out) {
  std::array<Value, 4> v;
  if (!ReadFields(bytes, v)) return false;
  out->year = static_cast<int32_t>(v[1].varint);
  out->month = static_cast<int32_t>(v[2].varint);
  out->day = static_cast<int32_t>(v[3].varint);
  return true;
}

class FieldChecker {
 public:
  explicit FieldChecker(std::vector<RecordError>& errors) : errors_(errors) {}

  void Add(std::string field, std::string reason) {
    errors_.push_back({std::move(field), std::move(reason)});
  }

  // Checks one field; for dates and months, also returns the day (the
  // first of the month) when it is set and real, for the order checks.
  std::optional<absl::CivilDay> Field(const FieldRule& rule, const Value& v) {
    const std::string& name = rule.field->name();
    switch (rule.check) {
      case Check::kString:
        if (v.bytes.empty()) {
          if (rule.required) Add(name, "is required");
        } else if (v.bytes.size() > kMaxText) {
          Add(name, absl::StrCat("is ", v.bytes.size(), " bytes long, at most ",
                                 kMaxText, " allowed"));
        } else if (HasControl(v.bytes)) {
          Add(name, "contains control characters");
        } else if (rule.address_code) {
          AddressCode(v.bytes);
        }
        return std::nullopt;
      case Check::kInt64: {
        const auto n = static_cast<int64_t>(v.varint);
        if (n < 0) {
          Add(name, absl::StrCat("is negative (", n, ")"));
        } else if (n > kMaxFeedAmountFen) {
          Add(name, absl::StrCat("is ", n, " fen, more than the limit of ",
                                 kMaxFeedAmountFen));
        }
        return std::nullopt;
      }
      case Check::kDouble: {
        const double d = v.number;
        if (!std::isfinite(d) || d < 0 || d > kMaxAreaM2) {
          Add(name, absl::StrFormat("%g is not a plausible area", d));
        } else if (d == 0 && rule.required) {
          Add(name, "is required");
        }
        return std::nullopt;
      }
      case Check::kEnum: {
        const auto n = static_cast<int32_t>(v.varint);
        if (n == 0) {
          if (rule.required) Add(name, "is required");
        } else if (rule.field->enum_type()->FindValueByNumber(n) == nullptr) {
          Add(name, absl::StrCat("unknown value ", n));
        }
        return std::nullopt;
      }
      case Check::kDate: {
        Ymd d;
        if (!ReadYmd(v.bytes, &d)) {
          Add(name, "is not a readable date");
          return std::nullopt;
        }
        if (d.year == 0 && d.month == 0 && d.day == 0) {
          if (rule.required) Add(name, "is required");
          return std::nullopt;
        }
        auto day = DayFromParts(d.year, d.month, d.day);
        if (!day.ok()) {
          Add(name, std::string(day.status().message()));
          return std::nullopt;
        }
        if (*day < kEarliest || *day > kLatest) {
          Add(name, absl::StrCat(FormatDate(*day),
                                 " is outside 1900-01-01 .. 2100-12-31"));
        }
        return *day;
      }
      case Check::kMonth: {
        Ymd m;
        if (!ReadYmd(v.bytes, &m)) {
          Add(name, "is not a readable month");
          return std::nullopt;
        }
        if (m.year == 0 && m.month == 0) {
          if (rule.required) Add(name, "is required");
          return std::nullopt;
        }
        if (m.month < 1 || m.month > 12 || m.year < 1900 || m.year > 2100) {
          Add(name, absl::StrFormat("%04d-%02d is not a month in 1900 .. 2100",
                                    m.year, m.month));
          return std::nullopt;
        }
        return absl::CivilDay(m.year, m.month, 1);
      }
      case Check::kOther:
        return std::nullopt;
    }
    return std::nullopt;
  }

 private:
  void AddressCode(absl::string_view v) {
    if (v.size() != 6 || !std::all_of(v.begin(), v.end(), [](char c) {
          return c >= '0' && c <= '9';
        })) {
      Add("address_code", "must be 6 digits");
    } else if (ProvinceName(v.substr(0, 2)).empty()) {
      Add("address_code",
          absl::StrCat(v.substr(0, 2), " is not a province code"));
    }
  }

  std::vector<RecordError>& errors_;
};

// The record's action and, for a withdrawal, its reason and note.
void CheckAction(const v1::FeedRecord& record,
                 std::vector<RecordError>* errors) {
  const bool withdrawal = record.action() == v1::RECORD_ACTION_WITHDRAW;
  if (!v1::RecordAction_IsValid(record.action())) {
    errors->push_back(
        {"action", absl::StrCat(record.action(),
                                " is not an action (UPSERT or WITHDRAW)")});
  }
  if (!withdrawal) {
    if (record.withdrawal_reason() != v1::WITHDRAWAL_REASON_UNSPECIFIED ||
        !record.withdrawal_note().empty()) {
      errors->push_back({record.withdrawal_note().empty() ? "withdrawal_reason"
                                                          : "withdrawal_note",
                         "is only for a record whose action is WITHDRAW"});
    }
    return;
  }
  if (record.withdrawal_reason() == v1::WITHDRAWAL_REASON_UNSPECIFIED) {
    errors->push_back(
        {"withdrawal_reason",
         "is required to withdraw a fact (WRONG_PERSON, NEVER_HAPPENED, "
         "DUPLICATE, WRONG_DETAILS or OTHER)"});
  } else if (!v1::WithdrawalReason_IsValid(record.withdrawal_reason())) {
    errors->push_back(
        {"withdrawal_reason", absl::StrCat(record.withdrawal_reason(),
                                           " is not a withdrawal reason")});
  } else if (record.withdrawal_reason() == v1::WITHDRAWAL_REASON_OTHER &&
             record.withdrawal_note().empty()) {
    errors->push_back(
        {"withdrawal_note", "is required when the reason is OTHER"});
  }
  if (absl::Status s = CheckNote("withdrawal_note", record.withdrawal_note());
      !s.ok()) {
    errors->push_back({"withdrawal_note", std::string(s.message())});
  }
}

}  // namespace

bool ValidateFeedIdentity(const FeedKindSpec& spec, v1::FeedRecord& record,
                          absl::CivilDay today,
                          std::vector<RecordError>* errors) {
  if (record.id_number().empty()) {
    errors->push_back({"id_number", "is required"});
  } else {
    auto id = ParseResidentId(record.id_number(), today);
    if (!id.ok()) {
      errors->push_back({"id_number", std::string(id.status().message())});
    } else if (id->number() != record.id_number()) {
      record.set_id_number_original(record.id_number());
      record.mutable_id_number()->assign(id->number().data(),
                                         id->number().size());
    }
  }
  const bool withdrawal = record.action() == v1::RECORD_ACTION_WITHDRAW;
  CheckAction(record, errors);
  // A withdrawal names its fact by ID and natural key; the name may be left
  // out, as the agency may no longer hold it.
  if (record.name().empty()) {
    if (!withdrawal) errors->push_back({"name", "is required"});
  } else if (record.name().size() > kMaxName || HasControl(record.name())) {
    errors->push_back(
        {"name", "must be at most 100 bytes without control characters"});
  }

  const int expected = spec.record_field()->number();
  if (record.record_case() != expected) {
    const FieldDescriptor* actual =
        record.record_case() == v1::FeedRecord::RECORD_NOT_SET
            ? nullptr
            : v1::FeedRecord::descriptor()->FindFieldByNumber(
                  record.record_case());
    errors->push_back(
        {"", actual == nullptr
                 ? absl::StrCat("the record has no ", spec.name, " fields")
                 : absl::StrCat("a ", actual->name(), " record in a batch of ",
                                spec.name)});
    return false;
  }
  return true;
}

void ValidateFeedFields(const FeedKindSpec& spec,
                        absl::string_view record_bytes, bool withdrawal,
                        std::vector<RecordError>* errors,
                        std::string* natural_key) {
  const KindRules& rules = RulesOf(spec, withdrawal);
  // The kind's sub-message inside the FeedRecord.
  absl::string_view fields;
  if (!FindBytesField(record_bytes, spec.record_field()->number(), &fields)) {
    errors->push_back({"", "the record's fields are unreadable"});
    return;
  }
  std::array<Value, kMaxFieldNumber + 1> values;
  if (!ReadFields(fields, values)) {
    errors->push_back({"", "the record's fields are unreadable"});
    return;
  }
  const size_t errors_before = errors->size();
  FieldChecker check(*errors);
  std::array<std::optional<absl::CivilDay>, kMaxFieldNumber + 1> days;
  for (int n : rules.order) {
    days[n] = check.Field(rules.by_number[n], values[n]);
  }
  for (const auto& [earlier, later] : rules.ordered_dates) {
    const auto& a = days[earlier];
    const auto& b = days[later];
    if (a && b && *b < *a) {
      check.Add(rules.by_number[later].field->name(),
                absl::StrCat(FormatDate(*b), " is before ",
                             rules.by_number[earlier].field->name(), " ",
                             FormatDate(*a)));
    }
  }
  if (natural_key == nullptr || errors->size() != errors_before) return;
  natural_key->clear();
  for (int n : rules.key_numbers) {
    const Value& v = values[n];
    switch (rules.by_number[n].check) {
      case Check::kString:
        keys::AppendNaturalKeyString(v.bytes, natural_key);
        break;
      case Check::kEnum:
        keys::AppendNaturalKeyEnum(static_cast<int32_t>(v.varint), natural_key);
        break;
      case Check::kDate:
      case Check::kMonth: {
        Ymd d;
        ReadYmd(v.bytes, &d);
        if (rules.by_number[n].check == Check::kDate) {
          keys::AppendNaturalKeyDate(d.year, d.month, d.day, natural_key);
        } else {
          keys::AppendNaturalKeyMonth(d.year, d.month, natural_key);
        }
        break;
      }
      default:
        break;
    }
  }
}

std::vector<RecordError> ValidateFeedRecord(const FeedKindSpec& spec,
                                            v1::FeedRecord& record,
                                            absl::CivilDay today) {
  std::vector<RecordError> errors;
  if (ValidateFeedIdentity(spec, record, today, &errors)) {
    ValidateFeedFields(spec, record.SerializeAsString(),
                       record.action() == v1::RECORD_ACTION_WITHDRAW, &errors,
                       nullptr);
  }
  return errors;
}

}  // namespace dibao
