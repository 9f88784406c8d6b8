#include "feeds/internal/feed_staging.h"

#include "absl/strings/str_cat.h"
#include "base/resident_id.h"
#include "base/sha256.h"
#include "feeds/internal/feed_validation.h"
#include "feeds/internal/proto_wire.h"
#include "storage/keys.h"

namespace dibao {
namespace {

// What is kept of an unreadable line's client-supplied texts.
constexpr size_t kMaxUnreadableFieldBytes = 64;
constexpr size_t kMaxUnreadableReasonBytes = 1000;
constexpr size_t kMaxUnreadableIdBytes = 64;

// The longest prefix of `s` of at most `max` bytes that ends on a character
// boundary (protobuf strings arrive as valid UTF-8).
absl::string_view TruncateUtf8(absl::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

void StagedRecords::Clear() {
  data_.clear();
  entries_.clear();
  pieces_.clear();
  rejections_.clear();
  rejected_records_ = 0;
  unreadable_records_ = 0;
  held_ids_.clear();
  rejected_without_person_ = 0;
}

void StagedRecords::Reject(int64_t position, int64_t line, absl::CivilDay today,
                           absl::string_view id_as_sent,
                           std::vector<RecordError> errors) {
  ++rejected_records_;
  // Whose record it was, if the ID can be read at all: only rejected
  // records pay for this second parse.
  if (auto id = ParseResidentId(id_as_sent, today); id.ok()) {
    held_ids_.append(id->number().data(), id->number().size());
  } else {
    ++rejected_without_person_;
  }
  const std::string masked = MaskId(id_as_sent);
  for (RecordError& e : errors) {
    v1::RecordRejection& r = rejections_.emplace_back();
    r.set_position(position);
    r.set_source_line(line);
    r.set_field(std::move(e.field));
    r.set_reason(std::move(e.reason));
    r.set_id_number_masked(masked);
  }
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
  if (record.has_unreadable()) {
    // Counted, digested as sent and kept as a rejection; never a fact.
    record.clear_source_line();
    record.SerializeToString(&canonical_);
    const size_t piece = pieces_.size();
    pieces_.resize(piece + kDigestPieceBytes);
    Sha256::Of(canonical_, reinterpret_cast<unsigned char*>(&pieces_[piece]));
    ++unreadable_records_;
    v1::UnreadableLine& u = *record.mutable_unreadable();
    std::vector<RecordError> errors;
    RecordError& error = errors.emplace_back();
    error.field =
        std::string(TruncateUtf8(u.field(), kMaxUnreadableFieldBytes));
    error.reason =
        absl::StrCat("the line could not be read: ",
                     TruncateUtf8(u.reason(), kMaxUnreadableReasonBytes));
    Reject(position, line, today,
           TruncateUtf8(record.id_number(), kMaxUnreadableIdBytes),
           std::move(errors));
    return;
  }
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
  const bool withdrawal = record.action() == v1::RECORD_ACTION_WITHDRAW;
  if (of_kind) {
    ValidateFeedFields(spec, canonical_, withdrawal, &errors, &natural_key_);
  }
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
    Reject(position, line, today,
           original_.empty() ? record.id_number() : original_,
           std::move(errors));
    return;
  }

  Entry& e = entries_.emplace_back();
  e.offset = data_.size();
  keys::PutString(&data_, record.id_number());
  keys::PutString(&data_, natural_key_);
  keys::PutFixed64(&data_, static_cast<uint64_t>(position));
  e.key_size = static_cast<uint32_t>(data_.size() - e.offset);
  data_.append(reinterpret_cast<const char*>(fingerprint), kFingerprintBytes);
  data_.push_back(withdrawal ? kStagedWithdrawal : kStagedUpsert);
  keys::PutFixed64(&data_, static_cast<uint64_t>(line));
  data_.append(canonical_);
  if (!original_.empty()) {
    AppendBytesField(v1::FeedRecord::kIdNumberOriginalFieldNumber, original_,
                     &data_);
  }
  e.value_size = static_cast<uint32_t>(data_.size() - e.offset - e.key_size);
}

}  // namespace dibao
