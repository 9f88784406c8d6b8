#include "feeds/internal/fact_merge.h"

#include <algorithm>
#include <optional>

#include "base/resident_id.h"
#include "base/status_macros.h"
#include "feeds/internal/feed_staging.h"
#include "feeds/internal/proto_wire.h"
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
      index_(store->NewIterator(Cf::kFactIndex, view_.get())) {
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

absl::Status FactMerge::MergeRecords(ExternalSorter::Iterator& records) {
  std::string pending, pending_id, pending_key;
  bool have_pending = false;
  for (; records.Valid(); records.Next()) {
    absl::string_view key = records.key();
    absl::string_view id, natural_key;
    if (!keys::GetString(&key, &id) || !keys::GetString(&key, &natural_key) ||
        records.value().size() < kFingerprintBytes) {
      return absl::InternalError("malformed staged record");
    }
    if (have_pending && id == pending_id && natural_key == pending_key) {
      receipt_->set_unchanged(receipt_->unchanged() + 1);
    } else if (have_pending) {
      RETURN_IF_ERROR(Apply(pending, pending_id, pending_key));
    }
    pending.assign(records.value().data(), records.value().size());
    pending_id.assign(id.data(), id.size());
    pending_key.assign(natural_key.data(), natural_key.size());
    have_pending = true;
  }
  RETURN_IF_ERROR(records.status());
  if (have_pending) RETURN_IF_ERROR(Apply(pending, pending_id, pending_key));
  if (snapshot_) {
    // Past the last record: what is left of the kind is no longer held.
    for (; IndexValid(); index_->Next()) RETURN_IF_ERROR(Retire(IndexKey()));
  }
  return FromRocks(index_->status(), "scan fact index");
}

absl::Status FactMerge::Apply(absl::string_view staged, absl::string_view id,
                              absl::string_view natural_key) {
  const absl::string_view fingerprint = staged.substr(0, kFingerprintBytes);
  const absl::string_view record_bytes = staged.substr(kFingerprintBytes);
  keys::FactIndexKey(kind_, id, natural_key, &index_key_);
  absl::string_view current_fingerprint;  // empty: no current version
  std::optional<std::string> looked_up;
  if (snapshot_) {
    // The index is in the records' order: what lies before this record is
    // no longer held.
    while (IndexValid() && IndexKey() < index_key_) {
      RETURN_IF_ERROR(Retire(IndexKey()));
      index_->Next();
    }
    if (IndexValid() && IndexKey() == index_key_) {
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
