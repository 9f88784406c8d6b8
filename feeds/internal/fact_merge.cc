#include "feeds/internal/fact_merge.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "base/resident_id.h"
#include "base/status_macros.h"
#include "feeds/internal/feed_staging.h"
#include "feeds/internal/proto_wire.h"
#include "formats/feed_format.h"
#include "formats/feed_kinds.h"
#include "storage/keys.h"

namespace dibao {
namespace {

// IDs per value of the dirty-persons log (about 74 KB).
constexpr size_t kDirtyChunkIds = 4096;

}  // namespace

FactMerge::FactMerge(Store* store, const v1::BatchHeader& header,
                     uint64_t batch_seq, CommitSink* sink, v1::Receipt* receipt)
    : store_(store),
      kind_(static_cast<uint32_t>(header.kind())),
      snapshot_(header.mode() == v1::BATCH_MODE_SNAPSHOT),
      seq_(batch_seq),
      sink_(sink),
      receipt_(receipt),
      view_(*store),
      members_(store, view_.get()),
      index_prefix_(keys::FactIndexPrefix(kind_)),
      index_(store->NewIterator(Cf::kFactIndex, view_.get())),
      agency_(header.agency()),
      batch_id_(header.batch_id()),
      as_of_(header.as_of()) {
  if (snapshot_) index_->Seek(index_prefix_);
  v1::FactVersion v;
  v.set_batch_seq(static_cast<int64_t>(seq_));
  v.set_batch_id(header.batch_id());
  *v.mutable_as_of() = header.as_of();
  version_suffix_ = v.SerializeAsString();
  v.set_retired(true);
  retired_ = v.SerializeAsString();
}

FactMerge::~FactMerge() = default;

bool FactMerge::IndexValid() const {
  return index_->Valid() && index_->key().starts_with(index_prefix_);
}

absl::string_view FactMerge::IndexKey() const {
  return absl::string_view(index_->key().data(), index_->key().size());
}

absl::Status FactMerge::MergeRecords(ExternalSorter::Iterator& records,
                                     const RejectFn& reject) {
  group_.clear();
  for (; records.Valid(); records.Next()) {
    absl::string_view key = records.key();
    absl::string_view id, natural_key;
    uint64_t position;
    absl::string_view value = records.value();
    uint64_t line;
    if (!keys::GetString(&key, &id) || !keys::GetString(&key, &natural_key) ||
        !keys::GetFixed64(&key, &position) ||
        value.size() < kStagedHeaderBytes) {
      return absl::InternalError("malformed staged record");
    }
    absl::string_view header = value.substr(kFingerprintBytes + 1);
    keys::GetFixed64(&header, &line);
    if (!group_.empty() && (id != group_id_ || natural_key != group_key_)) {
      RETURN_IF_ERROR(MergeGroup(reject));
    }
    if (group_.empty()) {
      group_id_.assign(id.data(), id.size());
      group_key_.assign(natural_key.data(), natural_key.size());
    }
    const bool withdrawal = value[kFingerprintBytes] == kStagedWithdrawal;
    const bool first_withdrawal =
        withdrawal &&
        std::none_of(group_.begin(), group_.end(),
                     [](const Staged& r) { return r.withdrawal; });
    group_.push_back({position, static_cast<int64_t>(line), withdrawal});
    if (!withdrawal) {
      last_upsert_.assign(value.data(), value.size());
    } else if (first_withdrawal) {
      first_withdrawal_.assign(value.data(), value.size());
    }
  }
  RETURN_IF_ERROR(records.status());
  if (!group_.empty()) RETURN_IF_ERROR(MergeGroup(reject));
  if (snapshot_) {
    // Past the last record: what is left of the kind is no longer held.
    for (; IndexValid(); index_->Next()) RETURN_IF_ERROR(Retire(IndexKey()));
  }
  return FromRocks(index_->status(), "scan fact index");
}

absl::Status FactMerge::MergeGroup(const RejectFn& reject) {
  const auto first_withdrawal =
      std::find_if(group_.begin(), group_.end(),
                   [](const Staged& r) { return r.withdrawal; });
  const auto first_upsert =
      std::find_if(group_.begin(), group_.end(),
                   [](const Staged& r) { return !r.withdrawal; });
  const int64_t superseded = static_cast<int64_t>(group_.size()) - 1;
  absl::Status status;
  if (first_withdrawal != group_.end() && first_upsert != group_.end()) {
    // Which was meant to come last cannot be told from one batch: neither
    // is applied, and the fact stays as it was.
    auto where = [](const Staged& r) {
      return r.line > 0 ? absl::StrCat("line ", r.line)
                        : absl::StrCat("record ", r.position);
    };
    const std::string reason = absl::StrCat(
        where(*first_withdrawal), " withdraws this fact and ",
        where(*first_upsert),
        " upserts it: one batch cannot do both (send the withdrawal and the "
        "record in separate batches, in the order meant)");
    for (const Staged& r : group_) {
      status.Update(Refuse(r, group_id_, "action", reason, reject));
    }
    if (status.ok() && snapshot_) {
      // Not a fact the snapshot lacks: it is held as it is.
      keys::FactIndexKey(kind_, group_id_, group_key_, &index_key_);
      ASSIGN_OR_RETURN(bool current, SeekCurrent());
      if (current) {
        ++current_facts_;
        receipt_->set_retirements_held(receipt_->retirements_held() + 1);
        index_->Next();
      }
    }
  } else if (first_withdrawal != group_.end()) {
    // Withdrawing twice is withdrawing once.
    receipt_->set_unchanged(receipt_->unchanged() + superseded);
    status = Withdraw(first_withdrawal_, group_id_, group_key_,
                      *first_withdrawal, reject);
  } else {
    receipt_->set_unchanged(receipt_->unchanged() + superseded);
    status = Apply(last_upsert_, group_id_, group_key_);
  }
  group_.clear();
  return status;
}

absl::StatusOr<bool> FactMerge::SeekCurrent() {
  // The index is in the records' order: what lies before this record is
  // no longer held.
  while (IndexValid() && IndexKey() < index_key_) {
    RETURN_IF_ERROR(Retire(IndexKey()));
    index_->Next();
  }
  return IndexValid() && IndexKey() == index_key_;
}

absl::Status FactMerge::Apply(absl::string_view staged, absl::string_view id,
                              absl::string_view natural_key) {
  const absl::string_view fingerprint = staged.substr(0, kFingerprintBytes);
  const absl::string_view record_bytes = staged.substr(kStagedHeaderBytes);
  keys::FactIndexKey(kind_, id, natural_key, &index_key_);
  absl::string_view current_fingerprint;  // empty: no current version
  std::optional<std::string> looked_up;
  if (snapshot_) {
    ASSIGN_OR_RETURN(bool current, SeekCurrent());
    if (current) {
      ++current_facts_;
      ASSIGN_OR_RETURN(current_fingerprint,
                       keys::FactIndexFingerprint(absl::string_view(
                           index_->value().data(), index_->value().size())));
      // The view stays valid until Next(): compare before moving on.
      const bool same = current_fingerprint == fingerprint;
      index_->Next();
      if (same) {
        receipt_->set_unchanged(receipt_->unchanged() + 1);
        return absl::OkStatus();
      }
    }
  } else {
    ASSIGN_OR_RETURN(looked_up,
                     store_->Get(Cf::kFactIndex, index_key_, view_.get()));
    if (looked_up) {
      ASSIGN_OR_RETURN(current_fingerprint,
                       keys::FactIndexFingerprint(*looked_up));
      if (current_fingerprint == fingerprint) {
        receipt_->set_unchanged(receipt_->unchanged() + 1);
        return absl::OkStatus();
      }
    }
  }
  version_bytes_.clear();
  AppendBytesField(v1::FactVersion::kRecordFieldNumber, record_bytes,
                   &version_bytes_);
  version_bytes_ += version_suffix_;
  keys::FactKey(id, kind_, natural_key, seq_, &fact_key_);
  sink_->Put(Cf::kFacts, fact_key_, version_bytes_);
  keys::EncodeFactIndexValue(seq_, fingerprint, &index_value_);
  sink_->Put(Cf::kFactIndex, index_key_, index_value_);
  receipt_->set_accepted(receipt_->accepted() + 1);
  return MarkDirty(id);
}

absl::Status FactMerge::Withdraw(absl::string_view staged, absl::string_view id,
                                 absl::string_view natural_key,
                                 const Staged& record, const RejectFn& reject) {
  v1::FeedRecord withdrawn;
  if (!withdrawn.ParseFromArray(
          staged.data() + kStagedHeaderBytes,
          static_cast<int>(staged.size() - kStagedHeaderBytes))) {
    return absl::InternalError("malformed staged withdrawal");
  }
  keys::FactIndexKey(kind_, id, natural_key, &index_key_);
  bool current;
  if (snapshot_) {
    ASSIGN_OR_RETURN(current, SeekCurrent());
    if (current) ++current_facts_;
  } else {
    ASSIGN_OR_RETURN(std::optional<std::string> looked_up,
                     store_->Get(Cf::kFactIndex, index_key_, view_.get()));
    current = looked_up.has_value();
  }
  if (!current) {
    ASSIGN_OR_RETURN(std::optional<v1::FactVersion> latest,
                     LatestVersion(id, natural_key));
    if (!latest) {
      const FeedKindSpec* spec = FindFeedKind(static_cast<v1::FeedKind>(kind_));
      return Refuse(
          record, id, "",
          absl::StrCat("there is no ", spec == nullptr ? "" : spec->name,
                       " fact of this person with this key (",
                       spec == nullptr ? "" : NaturalKeyLabel(*spec, withdrawn),
                       ") to withdraw: it was never stored, or under another "
                       "key or ID"),
          reject);
    }
    if (latest->has_withdrawal()) {
      receipt_->set_unchanged(receipt_->unchanged() + 1);
      return absl::OkStatus();
    }
    // Ended already (a later SNAPSHOT no longer held it): it is still marked
    // as sent in error, for the flags and decisions that rested on it.
  }
  v1::FactVersion tombstone;
  tombstone.set_batch_seq(static_cast<int64_t>(seq_));
  tombstone.set_batch_id(batch_id_);
  *tombstone.mutable_as_of() = as_of_;
  tombstone.set_retired(true);
  v1::Withdrawal& w = *tombstone.mutable_withdrawal();
  w.set_reason(withdrawn.withdrawal_reason());
  w.set_note(withdrawn.withdrawal_note());
  w.set_agency(agency_);
  w.set_batch_id(batch_id_);
  *w.mutable_as_of() = as_of_;
  sink_->Put(Cf::kFacts, keys::FactKey(id, kind_, natural_key, seq_),
             tombstone.SerializeAsString());
  if (current) {
    sink_->Delete(Cf::kFactIndex, index_key_);
    if (snapshot_) index_->Next();
  }
  receipt_->set_withdrawn(receipt_->withdrawn() + 1);
  return MarkDirty(id);
}

absl::StatusOr<std::optional<v1::FactVersion>> FactMerge::LatestVersion(
    absl::string_view id, absl::string_view natural_key) {
  if (facts_ == nullptr) facts_ = store_->NewIterator(Cf::kFacts, view_.get());
  // The versions of one fact differ only in their batch number, last.
  const std::string prefix = keys::FactVersionsPrefix(id, kind_, natural_key);
  facts_->SeekForPrev(keys::FactKey(id, kind_, natural_key, ~uint64_t{0}));
  if (!facts_->Valid() || !facts_->key().starts_with(prefix)) {
    RETURN_IF_ERROR(FromRocks(facts_->status(), "read fact versions"));
    return std::optional<v1::FactVersion>();
  }
  v1::FactVersion v;
  if (!v.ParseFromArray(facts_->value().data(),
                        static_cast<int>(facts_->value().size()))) {
    return absl::DataLossError("unreadable stored fact version");
  }
  return std::optional<v1::FactVersion>(std::move(v));
}

absl::Status FactMerge::Refuse(const Staged& record, absl::string_view id,
                               std::string field, std::string reason,
                               const RejectFn& reject) {
  v1::RecordRejection r;
  r.set_position(static_cast<int64_t>(record.position));
  r.set_source_line(record.line);
  r.set_field(std::move(field));
  r.set_reason(std::move(reason));
  r.set_id_number_masked(MaskId(id));
  receipt_->set_rejected(receipt_->rejected() + 1);
  return reject(std::move(r));
}

void FactMerge::HoldRetirements(absl::string_view held_ids, bool hold_all) {
  hold_all_ = hold_all;
  held_.clear();
  for (; held_ids.size() >= ResidentId::kLength;
       held_ids.remove_prefix(ResidentId::kLength)) {
    held_.emplace_back(held_ids.substr(0, ResidentId::kLength));
  }
  std::sort(held_.begin(), held_.end());
  held_.erase(std::unique(held_.begin(), held_.end()), held_.end());
}

absl::Status FactMerge::Retire(absl::string_view index_key) {
  ++current_facts_;
  ASSIGN_OR_RETURN(keys::FactIndexKeyParts parts,
                   keys::DecodeFactIndexKey(index_key));
  if (hold_all_ ||
      std::binary_search(held_.begin(), held_.end(), parts.id_number)) {
    receipt_->set_retirements_held(receipt_->retirements_held() + 1);
    return absl::OkStatus();
  }
  sink_->Put(Cf::kFacts,
             keys::FactKey(parts.id_number, kind_, parts.natural_key, seq_),
             retired_);
  sink_->Delete(Cf::kFactIndex, index_key);
  receipt_->set_retired(receipt_->retired() + 1);
  return MarkDirty(parts.id_number);
}

absl::Status FactMerge::MarkDirty(absl::string_view id) {
  if (id == last_marked_) return absl::OkStatus();
  last_marked_.assign(id.data(), id.size());
  if (id.size() != ResidentId::kLength) {
    return absl::InternalError("a staged ID is not normalised");
  }
  dirty_chunk_.append(id.data(), id.size());
  if (dirty_chunk_.size() >= kDirtyChunkIds * ResidentId::kLength) {
    FlushDirty();
  }
  receipt_->set_persons_marked(receipt_->persons_marked() + 1);
  // People arrive in ID order, the member index is in ID order: the cursor
  // walks it alongside.
  if (std::optional<absl::string_view> household = members_.HouseholdOf(id)) {
    households_.emplace(*household);
  }
  return absl::OkStatus();
}

void FactMerge::FlushDirty() {
  if (dirty_chunk_.empty()) return;
  sink_->Put(Cf::kDirtyPersons, keys::DirtyPersonsKey(seq_, dirty_chunks_++),
             dirty_chunk_);
  dirty_chunk_.clear();
}

void FactMerge::MarkHouseholds() {
  FlushDirty();
  for (const std::string& household : households_) {
    sink_->Put(Cf::kDirtyHouseholds, keys::DirtyHouseholdKey(seq_, household),
               "");
  }
  receipt_->set_households_marked(static_cast<int64_t>(households_.size()));
}

}  // namespace dibao
