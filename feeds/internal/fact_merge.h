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
#include <functional>
#include <memory>
#include <optional>
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

  // Where the records the merge itself refuses go (a withdrawal of a fact
  // that does not exist; a withdrawal and an upsert of one fact in one
  // batch), in no particular order. Counted in Receipt.rejected.
  using RejectFn = std::function<absl::Status(v1::RecordRejection)>;

  // Walks the staged records, sorted by (person, natural key): of several
  // upserts of one natural key the last wins and the earlier ones count as
  // unchanged (superseded); a new or changed fact gets a version and the
  // index its fingerprint; an identical one is left alone. A withdrawal ends
  // the current version with a tombstone that says who withdrew it and why
  // (a fact already ended is marked withdrawn; one already withdrawn is
  // unchanged; one never stored is refused). An upsert and a withdrawal of
  // one fact in one batch are both refused, naming each other's lines. A
  // SNAPSHOT retires every current fact of its kind it does not hold.
  absl::Status MergeRecords(ExternalSorter::Iterator& records,
                            const RejectFn& reject);

  // The kind's current facts a SNAPSHOT walked past, kept or retired: what
  // the mass-retirement guard compares the retirements with.
  int64_t current_facts() const { return current_facts_; }

  // Writes the rest of the dirty-persons log and marks the beneficiary
  // households of every person the batch changed.
  void MarkHouseholds();

 private:
  // One staged record of the natural key being merged.
  struct Staged {
    uint64_t position;
    int64_t line;
    bool withdrawal;
  };
  // Settles the records of one natural key (group_).
  absl::Status MergeGroup(const RejectFn& reject);
  // Stores one record (the last upsert of its natural key in the batch).
  absl::Status Apply(absl::string_view staged, absl::string_view id,
                     absl::string_view natural_key);
  // Ends the fact a WITHDRAW record names (the first of its natural key).
  absl::Status Withdraw(absl::string_view staged, absl::string_view id,
                        absl::string_view natural_key, const Staged& record,
                        const RejectFn& reject);
  // A SNAPSHOT's walk up to the fact index key in index_key_: retires what
  // lies before it; true when the kind has a current fact at that key (the
  // index then rests on it).
  absl::StatusOr<bool> SeekCurrent();
  // The latest stored version of a fact that is not current, if any.
  absl::StatusOr<std::optional<v1::FactVersion>> LatestVersion(
      absl::string_view id, absl::string_view natural_key);
  // A refusal of `record` (of person `id`) by the merge.
  absl::Status Refuse(const Staged& record, absl::string_view id,
                      std::string field, std::string reason,
                      const RejectFn& reject);
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
  const v1::Agency agency_;
  const std::string batch_id_;
  const v1::Date as_of_;
  std::unique_ptr<rocksdb::Iterator> facts_;  // made on first use

  // The records of the natural key being merged: all of them, the last
  // upsert's and the first withdrawal's staged bytes.
  std::vector<Staged> group_;
  std::string group_id_, group_key_, last_upsert_, first_withdrawal_;

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
