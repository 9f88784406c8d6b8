// The heart of a feed batch's commit: its sorted records merged with the
// kind's current facts (feed_store.h states the rules), written to a
// CommitSink together with the dirty marks the matching cycle reads. Each
// step is a method; FeedStore::CommitUpload calls them in order.
//
// Every read sees the store as it was when the merge began (one snapshot).
// Not thread-safe: FeedStore serialises commits.
#ifndef DIBAO_FEEDS_INTERNAL_FACT_MERGE_H_
#define DIBAO_FEEDS_INTERNAL_FACT_MERGE_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/feeds.pb.h"
#include "registry/registry_reader.h"
#include "storage/commit_sink.h"
#include "storage/external_sort.h"
#include "storage/store.h"

namespace dibao {

class FactMerge {
 public:
  // Writes batch `batch_seq` (described by `header`) to `sink` and counts
  // what it did in `receipt`; all must outlive the merge.
  FactMerge(Store* store, const v1::BatchHeader& header, uint64_t batch_seq,
            CommitSink* sink, v1::Receipt* receipt);
  ~FactMerge();

  // A SNAPSHOT keeps, rather than retires, the current facts of the people
  // in `held_ids` (ResidentId::kLength bytes each, any order), or every
  // fact when `hold_all`: its rejected records may be them. Call before
  // MergeRecords; counted in Receipt.retirements_held.
  void HoldRetirements(absl::string_view held_ids, bool hold_all);

  // Walks the staged records, sorted by (person, natural key): of several
  // with one natural key the last wins and the earlier ones count as
  // unchanged (superseded); a new or changed fact gets a version and the
  // index its fingerprint; an identical one is left alone. A SNAPSHOT
  // retires every current fact of its kind it does not hold.
  absl::Status MergeRecords(ExternalSorter::Iterator& records);

  // The kind's current facts a SNAPSHOT walked past, kept or retired: what
  // the mass-retirement guard compares the retirements with.
  int64_t current_facts() const { return current_facts_; }

  // Writes the rest of the dirty-persons log and marks the beneficiary
  // households of every person the batch changed.
  void MarkHouseholds();

 private:
  // Stores one record (the last of its natural key in the batch).
  absl::Status Apply(absl::string_view staged, absl::string_view id,
                     absl::string_view natural_key);
  // Retires one current fact the SNAPSHOT no longer holds.
  absl::Status Retire(absl::string_view index_key);
  // Logs a changed person (IDs arrive in ascending order) and notes the
  // household they belong to, if any.
  absl::Status MarkDirty(absl::string_view id);
  void FlushDirty();
  // The fact index of the kind, walked alongside the records of a SNAPSHOT.
  bool IndexValid() const;
  absl::string_view IndexKey() const;

  Store* const store_;
  const uint32_t kind_;
  const bool snapshot_;  // a SNAPSHOT batch, else DELTA
  const uint64_t seq_;
  CommitSink* const sink_;
  v1::Receipt* const receipt_;
  Store::Snapshot view_;
  MemberCursor members_;
  const std::string index_prefix_;
  std::unique_ptr<rocksdb::Iterator> index_;
  int64_t current_facts_ = 0;
  std::vector<std::string> held_;  // sorted
  bool hold_all_ = false;

  // The dirty-persons log: the changed people, in ID order, in chunks.
  std::string last_marked_;
  std::string dirty_chunk_;
  uint32_t dirty_chunks_ = 0;
  std::set<std::string> households_;

  // A stored version is [record bytes as field 1] + this suffix (the
  // batch's number, ID and day); a retirement is `retired_`.
  std::string version_suffix_;
  std::string retired_;
  // Buffers reused for every record.
  std::string version_bytes_, index_key_, fact_key_, index_value_;
};

}  // namespace dibao

#endif  // DIBAO_FEEDS_INTERNAL_FACT_MERGE_H_
