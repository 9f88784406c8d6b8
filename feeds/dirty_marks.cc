#include "feeds/dirty_marks.h"

#include "base/status_macros.h"
#include "storage/keys.h"

namespace dibao {

absl::StatusOr<uint64_t> LastFeedBatchSeq(const Store& store) {
  return store.GetCounter(kFeedBatchSeqCounter);
}

absl::Status DirtyHouseholds::ForEach(
    uint64_t from_batch_seq, uint64_t through_batch_seq,
    absl::FunctionRef<void(absl::string_view household_id)> fn) const {
  auto it = store_->NewIterator(Cf::kDirtyHouseholds);
  const std::string end = keys::DirtyHouseholdKey(through_batch_seq + 1, "");
  for (it->Seek(keys::DirtyHouseholdKey(from_batch_seq, ""));
       it->Valid() && it->key().compare(end) < 0; it->Next()) {
    ASSIGN_OR_RETURN(keys::DirtyHouseholdKeyParts parts,
                     keys::DecodeDirtyHouseholdKey(absl::string_view(
                         it->key().data(), it->key().size())));
    fn(parts.household_id);
  }
  return FromRocks(it->status(), "read dirty households");
}

void DirtyHouseholds::Consume(uint64_t through_batch_seq,
                              const std::set<std::string>& again,
                              rocksdb::WriteBatch* batch) const {
  batch->DeleteRange(store_->handle(Cf::kDirtyHouseholds),
                     keys::DirtyHouseholdKey(0, ""),
                     keys::DirtyHouseholdKey(through_batch_seq + 1, ""));
  for (const std::string& id : again) {
    batch->Put(store_->handle(Cf::kDirtyHouseholds),
               keys::DirtyHouseholdKey(through_batch_seq, id), "");
  }
}

}  // namespace dibao
