// The thirteen kinds of partner-agency feed record, in one table: which
// agency sends each, its name in files and on the command line, the fields
// of its natural key and the fields it requires.
//
// Thread-safe: the table is immutable after first use.
#ifndef DIBAO_FORMATS_FEED_KINDS_H_
#define DIBAO_FORMATS_FEED_KINDS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/feeds.pb.h"

namespace dibao {

struct FeedKindSpec {
  v1::Agency agency;
  v1::FeedKind kind;
  // "employment", as in --kind and in the drop directory; also the name of
  // the FeedRecord oneof field holding this kind.
  std::string name;
  // Natural key after id_number, e.g. {"employer_code", "start_date"}.
  std::vector<std::string> key_fields;
  // Fields that must be present (key fields are always required).
  std::vector<std::string> required_fields;
  // (earlier, later) date pairs: when both are set, later >= earlier.
  std::vector<std::pair<std::string, std::string>> ordered_dates;

  // The sub-message type of this kind, e.g. EmploymentRecord.
  const google::protobuf::Descriptor* record_type() const {
    return record_field_->message_type();
  }
  // The FeedRecord oneof field of this kind.
  const google::protobuf::FieldDescriptor* record_field() const {
    return record_field_;
  }
  // key_fields as descriptors, in order.
  const std::vector<const google::protobuf::FieldDescriptor*>& key_descriptors()
      const {
    return key_descriptors_;
  }
  // ordered_dates as descriptors, in order.
  const std::vector<std::pair<const google::protobuf::FieldDescriptor*,
                              const google::protobuf::FieldDescriptor*>>&
  ordered_descriptors() const {
    return ordered_descriptors_;
  }
  // Whether the record_type() field with this index is required.
  bool IsRequired(int field_index) const { return required_[field_index]; }

  // Filled in once by AllFeedKinds() (these are on the path of every
  // record); never set them elsewhere.
  void Resolve();
  const google::protobuf::FieldDescriptor* record_field_ = nullptr;
  std::vector<const google::protobuf::FieldDescriptor*> key_descriptors_{};
  std::vector<std::pair<const google::protobuf::FieldDescriptor*,
                        const google::protobuf::FieldDescriptor*>>
      ordered_descriptors_{};
  std::vector<bool> required_{};
};

const std::vector<FeedKindSpec>& AllFeedKinds();

// nullptr for FEED_KIND_UNSPECIFIED or an unknown number.
const FeedKindSpec* FindFeedKind(v1::FeedKind kind);

// By the names an operator types: agency "labour", kind "employment" (any
// case). INVALID_ARGUMENT naming the known values, or saying which agency
// sends the kind when the pair does not match.
absl::StatusOr<const FeedKindSpec*> FindFeedKind(absl::string_view agency,
                                                 absl::string_view kind);

// The values of a record's natural key fields (its kind's key_fields, in
// order), joined by a unit separator: what makes two versions of a fact the
// same fact (an employer and a start date), never amounts. Empty for an
// unknown kind.
std::string NaturalKeyText(v1::FeedKind kind, const v1::FeedRecord& record);

// "labour", "land", "union", "public_security", "justice".
std::string AgencyName(v1::Agency agency);
absl::StatusOr<v1::Agency> ParseAgency(absl::string_view name);

}  // namespace dibao

#endif  // DIBAO_FORMATS_FEED_KINDS_H_
