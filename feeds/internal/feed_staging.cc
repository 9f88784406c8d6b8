#include "feeds/internal/feed_staging.h"

#include "base/resident_id.h"
#include "base/sha256.h"
#include "feeds/internal/feed_validation.h"
#include "feeds/internal/proto_wire.h"
#include "storage/keys.h"

namespace dibao {

void StagedRecords::Clear() {
  data_.clear();
  entries_.clear();
  pieces_.clear();
  rejections_.clear();
  rejected_records_ = 0;
}

absl::string_view StagedRecords::key(size_t i) const {
  return absl::string_view(data_).substr(entries_[i].offset,
                                         entries_[i].key_size);
}

absl::string_view StagedRecords::value(size_t i) const {
  return absl::string_view(data_).substr(
      entries_[i].offset + entries_[i].key_size, entries_[i].value_size);
}

void StagedRecords::Stage(const FeedKindSpec& spec, absl::CivilDay today,
                          int64_t position, v1::FeedRecord& record) {
  const int64_t line = record.source_line();
  std::vector<RecordError> errors;
  const bool of_kind = ValidateFeedIdentity(spec, record, today, &errors);

  // The canonical bytes: the normalised record without its line or the
  // spelling its ID arrived in.
  // mutable_...() would create the string on the record's arena: only
  // touched when there is a spelling to keep (a few records in a hundred).
  original_.clear();
  if (!record.id_number_original().empty()) {
    original_.swap(*record.mutable_id_number_original());
    record.clear_id_number_original();
  }
  record.clear_source_line();
  record.SerializeToString(&canonical_);
  // The fields are checked on these bytes, and the natural key read off
  // them, without protobuf reflection.
  if (of_kind) ValidateFeedFields(spec, canonical_, &errors, &natural_key_);
  unsigned char fingerprint[32];
  Sha256::Of(canonical_, fingerprint);
  const size_t piece = pieces_.size();
  if (original_.empty()) {
    // What was sent is the canonical form: one hash serves both.
    pieces_.append(reinterpret_cast<const char*>(fingerprint),
                   kDigestPieceBytes);
  } else {
    sent_ = canonical_;
    AppendBytesField(v1::FeedRecord::kIdNumberOriginalFieldNumber, original_,
                     &sent_);
    pieces_.resize(piece + kDigestPieceBytes);
    Sha256::Of(sent_, reinterpret_cast<unsigned char*>(&pieces_[piece]));
  }

  if (!errors.empty()) {
    ++rejected_records_;
    const std::string masked =
        MaskId(original_.empty() ? record.id_number() : original_);
    for (RecordError& e : errors) {
      v1::RecordRejection& r = rejections_.emplace_back();
      r.set_position(position);
      r.set_source_line(line);
      r.set_field(std::move(e.field));
      r.set_reason(std::move(e.reason));
      r.set_id_number_masked(masked);
    }
    return;
  }

  Entry& e = entries_.emplace_back();
  e.offset = data_.size();
  keys::PutString(&data_, record.id_number());
  keys::PutString(&data_, natural_key_);
  keys::PutFixed64(&data_, static_cast<uint64_t>(position));
  e.key_size = static_cast<uint32_t>(data_.size() - e.offset);
  data_.append(reinterpret_cast<const char*>(fingerprint), kFingerprintBytes);
  data_.append(canonical_);
  if (!original_.empty()) {
    AppendBytesField(v1::FeedRecord::kIdNumberOriginalFieldNumber, original_,
                     &data_);
  }
  e.value_size = static_cast<uint32_t>(data_.size() - e.offset - e.key_size);
}

}  // namespace dibao
