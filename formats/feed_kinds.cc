#include "formats/feed_kinds.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "formats/cells.h"

namespace dibao {

using v1::Agency;
using v1::FeedKind;

void FeedKindSpec::Resolve() {
  record_field_ = v1::FeedRecord::descriptor()->FindFieldByName(name);
  const auto* d = record_field_->message_type();
  for (const auto& k : key_fields) {
    key_descriptors_.push_back(d->FindFieldByName(k));
  }
  for (const auto& [earlier, later] : ordered_dates) {
    ordered_descriptors_.emplace_back(d->FindFieldByName(earlier),
                                      d->FindFieldByName(later));
  }
  required_.assign(d->field_count(), false);
  for (int i = 0; i < d->field_count(); ++i) {
    const std::string& n = d->field(i)->name();
    required_[i] =
        std::find(required_fields.begin(), required_fields.end(), n) !=
            required_fields.end() ||
        std::find(key_fields.begin(), key_fields.end(), n) != key_fields.end();
  }
}

const std::vector<FeedKindSpec>& AllFeedKinds() {
  // The natural keys are documented in feeds.proto beside each message.
  static const auto* kinds = [] {
    auto* table = new std::vector<FeedKindSpec>{
        {v1::AGENCY_LABOUR,
         v1::FEED_KIND_EMPLOYMENT,
         "employment",
         {"employer_code", "start_date"},
         {"employer_code", "start_date"},
         {{"start_date", "end_date"}}},
        {v1::AGENCY_LABOUR,
         v1::FEED_KIND_UNEMPLOYMENT_BENEFIT,
         "unemployment_benefit",
         {"start_month"},
         {"start_month", "end_month"},
         {{"start_month", "end_month"}}},
        {v1::AGENCY_LABOUR,
         v1::FEED_KIND_PENSION,
         "pension",
         {"start_date"},
         {"start_date"},
         {}},
        {v1::AGENCY_LABOUR,
         v1::FEED_KIND_LAID_OFF,
         "laid_off",
         {"former_employer_code", "laid_off_date"},
         {"former_employer_code", "laid_off_date"},
         {}},
        {v1::AGENCY_LABOUR,
         v1::FEED_KIND_TRAINING,
         "training",
         {"offered_date"},
         {"offered_date", "outcome"},
         {}},
        {v1::AGENCY_LAND,
         v1::FEED_KIND_CONVERSION,
         "conversion",
         {"conversion_date"},
         {"conversion_date"},
         {}},
        {v1::AGENCY_LAND,
         v1::FEED_KIND_PROPERTY,
         "property",
         {"property_id"},
         {"property_id", "acquired_date"},
         {{"acquired_date", "disposed_date"}}},
        {v1::AGENCY_UNION,
         v1::FEED_KIND_HARDSHIP,
         "hardship",
         {"employer_code", "registered_date"},
         {"employer_code", "registered_date", "status"},
         {}},
        {v1::AGENCY_UNION,
         v1::FEED_KIND_ASSISTANCE,
         "assistance",
         {"paid_date"},
         {"paid_date"},
         {}},
        {v1::AGENCY_PUBLIC_SECURITY,
         v1::FEED_KIND_HUKOU,
         "hukou",
         {},
         {"sex", "birth_date", "address_code", "status"},
         {{"birth_date", "status_date"}}},
        {v1::AGENCY_PUBLIC_SECURITY,
         v1::FEED_KIND_RESIDENCE,
         "residence",
         {},
         {"residence_address", "since_date"},
         {}},
        {v1::AGENCY_PUBLIC_SECURITY,
         v1::FEED_KIND_VEHICLE,
         "vehicle",
         {"plate", "registered_date"},
         {"plate", "registered_date"},
         {{"registered_date", "deregistered_date"}}},
        {v1::AGENCY_JUSTICE,
         v1::FEED_KIND_CUSTODY,
         "custody",
         {"event", "event_date"},
         {"event", "event_date"},
         {}},
    };
    for (FeedKindSpec& spec : *table) spec.Resolve();
    return table;
  }();
  return *kinds;
}

const FeedKindSpec* FindFeedKind(FeedKind kind) {
  for (const FeedKindSpec& spec : AllFeedKinds()) {
    if (spec.kind == kind) return &spec;
  }
  return nullptr;
}

std::string NaturalKeyText(v1::FeedKind kind, const v1::FeedRecord& record) {
  const FeedKindSpec* spec = FindFeedKind(kind);
  if (spec == nullptr) return "";
  const google::protobuf::Reflection* outer = record.GetReflection();
  const google::protobuf::Message& sub =
      outer->GetMessage(record, spec->record_field());
  const google::protobuf::Reflection* r = sub.GetReflection();
  std::string out;
  for (const google::protobuf::FieldDescriptor* f : spec->key_descriptors()) {
    if (!out.empty()) out.push_back('\x1f');
    switch (f->cpp_type()) {
      case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
        out += r->GetString(sub, f);
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
        absl::StrAppend(&out, r->GetEnumValue(sub, f));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:
        // Dates and months: a few varints, serialized deterministically.
        out += r->GetMessage(sub, f).SerializeAsString();
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_INT32:
        absl::StrAppend(&out, r->GetInt32(sub, f));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_INT64:
        absl::StrAppend(&out, r->GetInt64(sub, f));
        break;
      default:
        break;  // no key field has another type
    }
  }
  return out;
}

std::string AgencyName(Agency agency) {
  return absl::AsciiStrToLower(EnumShortName(v1::Agency_descriptor(), agency));
}

absl::StatusOr<Agency> ParseAgency(absl::string_view name) {
  auto v = ParseEnumCell(name, v1::Agency_descriptor());
  if (!v.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown agency '", name,
                     "' (labour, land, union, public_security or justice)"));
  }
  return static_cast<Agency>(*v);
}

absl::StatusOr<const FeedKindSpec*> FindFeedKind(absl::string_view agency,
                                                 absl::string_view kind) {
  auto a = ParseAgency(agency);
  if (!a.ok()) return a.status();
  std::vector<std::string> of_agency;
  for (const FeedKindSpec& spec : AllFeedKinds()) {
    if (absl::EqualsIgnoreCase(spec.name, kind)) {
      if (spec.agency != *a) {
        return absl::InvalidArgumentError(
            absl::StrCat("kind '", spec.name, "' comes from agency ",
                         AgencyName(spec.agency), ", not ", AgencyName(*a)));
      }
      return &spec;
    }
    if (spec.agency == *a) of_agency.push_back(spec.name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown kind '", kind, "' for agency ", AgencyName(*a),
                   " (", absl::StrJoin(of_agency, ", "), ")"));
}

}  // namespace dibao
