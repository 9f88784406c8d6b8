// Partner-agency feed batches: upload, exactly-once commit, facts with
// history, and the dirty marks that drive the nightly matching cycle.
//
// An upload is a header, then records in chunks, then Commit():
// - each record is checked (ValidateFeedRecord) and either staged or
//   recorded as a rejection with its position and reason; chunks are
//   staged on the store's staging threads in parallel and applied to the
//   upload in order (feed_staging.h);
// - staged records are sorted by (person, natural key) in bounded memory
//   (ExternalSorter spills runs to the upload's scratch directory);
// - Commit() checks the record count, then merge-joins the sorted records
//   with the kind's current facts: new or changed facts get a new version,
//   identical ones are left alone, and for a SNAPSHOT every current fact the
//   batch does not contain is retired (a tombstone version, never erased)
//   unless a rejected record of the batch may be it: the facts of people
//   whose records were rejected are held, and all of them when a rejected
//   record names no readable person (Receipt.retirements_held);
//   Versions, index, rejections, receipt, dirty marks and the batch counter
//   commit in one atomic step (WriteBatch, or SST ingestion when large). A
//   SNAPSHOT that would retire most of its kind is refused unless its
//   header allows it (FeedStoreOptions::mass_retirement_min), and so is
//   one with too many rejected records (snapshot_max_rejected_percent) or
//   one that holds no readable record but would end every current fact;
// - a batch_id already committed with the same digest returns the stored
//   receipt (`replayed`) and changes nothing; with a different digest it is
//   ALREADY_EXISTS. An upload abandoned before Commit() leaves nothing.
//
// Thread-safe: uploads run in parallel; commits are serialised.
#ifndef DIBAO_FEEDS_FEED_STORE_H_
#define DIBAO_FEEDS_FEED_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "base/thread_pool.h"
#include "dibao/v1/feeds.pb.h"
#include "formats/feed_kinds.h"
#include "google/protobuf/arena.h"
#include "storage/commit_sink.h"
#include "storage/external_sort.h"
#include "storage/store.h"

namespace dibao {

struct FeedStoreOptions {
  // Uploads stage their sorted runs and SST files here (one subdirectory
  // each). Wiped when the FeedStore is created: what is there belongs to
  // uploads that never committed.
  std::string scratch_dir;
  // Buffered records per upload before a sorted run is spilled to disk.
  size_t sort_memory_bytes = 64 << 20;
  // Largest record_count a header may announce.
  int64_t max_records_per_batch = 100'000'000;
  // Rejections listed in a receipt; all are stored.
  int max_listed_rejections = 100;
  // Batches with more records than this commit through SST ingestion.
  int64_t sst_threshold_records = 50'000;
  // A SNAPSHOT that would retire more than half of its kind's current facts,
  // and at least this many, is refused (FAILED_PRECONDITION) unless its
  // header allows mass retirement: an empty or truncated export must not
  // end every fact of a kind by accident.
  int64_t mass_retirement_min = 1'000;
  // A SNAPSHOT whose rejected records are more than this percentage of the
  // batch is refused (FAILED_PRECONDITION) before anything is stored, so
  // its batch ID stays free for the corrected file. 0 .. 100.
  double snapshot_max_rejected_percent = 20;
  // Threads staging chunks (validation, fingerprints, keys); 0: one per
  // core.
  int staging_threads = 0;
  // Chunks of one upload received but not yet staged; bounds the memory an
  // upload holds to this many messages.
  int max_chunks_in_flight = 4;
};

class FeedStore;

// The guards of FeedStoreOptions a reload may change while uploads run
// (same meanings and defaults).
struct FeedGuards {
  int64_t max_records_per_batch = 100'000'000;
  int64_t mass_retirement_min = 1'000;
  double snapshot_max_rejected_percent = 20;
};

// INVALID_ARGUMENT naming the config field out of range.
absl::Status CheckFeedGuards(const FeedGuards& guards);

// The records of one message of an upload stream, parsed into an arena of
// their own so that their many small fields cost no malloc/free each. Get
// one from FeedUpload::NewChunk(), parse into message(), hand it back with
// AddChunk().
class FeedChunk {
 public:
  v1::UploadRequest* message() { return message_; }

 private:
  friend class FeedUpload;
  FeedChunk();
  void Reset();
  google::protobuf::Arena arena_;
  v1::UploadRequest* message_ = nullptr;
};

// One upload in progress. Not thread-safe; owned by one stream.
class FeedUpload {
 public:
  ~FeedUpload();

  // Checks and stages one record (its position is the number of records
  // added so far). A bad record is not an error here: it becomes a
  // rejection in the receipt. Errors: more records than the header
  // announced (INVALID_ARGUMENT), scratch I/O (UNAVAILABLE). Works on the
  // record in place (normalises it, takes its fields): the caller's record
  // is scratch afterwards, so a stream can parse chunks without copies.
  absl::Status Add(v1::FeedRecord& record);
  absl::Status Add(v1::FeedRecord&& record);

  // An empty chunk (recycled from earlier ones when possible).
  std::unique_ptr<FeedChunk> NewChunk();
  // Adds the records of message()->records(), as Add() would one by one,
  // but staged on the store's threads while the caller receives the next
  // chunk. Blocks while max_chunks_in_flight are being staged. Errors: as
  // Add(), for this chunk or one before it.
  absl::Status AddChunk(std::unique_ptr<FeedChunk> chunk);

  // Commits the batch. INVALID_ARGUMENT when the count differs from the
  // header's; ALREADY_EXISTS for a batch_id committed with other content.
  absl::StatusOr<v1::Receipt> Commit();

  int64_t records_added() const { return added_; }

 private:
  friend class FeedStore;
  FeedUpload() = default;
  struct State;
  std::unique_ptr<State> state_;
  int64_t added_ = 0;
};

class FeedStore {
 public:
  // `store` and `clock` must outlive the FeedStore and its uploads.
  static absl::StatusOr<std::unique_ptr<FeedStore>> Create(
      Store* store, Clock* clock, FeedStoreOptions options);

  // The guards in force; SetGuards checks new ones (CheckFeedGuards) and
  // puts them in force for headers and commits from now on.
  FeedGuards guards() const;
  absl::Status SetGuards(const FeedGuards& guards);

  // Starts an upload. INVALID_ARGUMENT for a bad header (naming the field);
  // ALREADY_EXISTS when the batch_id is committed with a different header.
  absl::StatusOr<std::unique_ptr<FeedUpload>> Begin(v1::BatchHeader header,
                                                    std::string actor);

  // The receipt of a committed batch (rejections: the first few).
  absl::StatusOr<std::optional<v1::Receipt>> FindBatch(
      absl::string_view batch_id) const;
  // Receipts newest first, optionally of one agency, at most `limit`.
  absl::StatusOr<std::vector<v1::Receipt>> ListBatches(v1::Agency agency,
                                                       int limit) const;
  // Every rejection of a batch, in position order.
  absl::Status ForEachRejection(
      absl::string_view batch_id,
      const std::function<absl::Status(const v1::RecordRejection&)>& fn) const;
  // The dirty-persons log after `after_batch_seq`: each person changed by
  // each later batch, batch by batch, in ID order within a batch (a person
  // changed by two batches comes twice). The cycle reads the households
  // those people belong to (dirty_marks.h), not this log; it is kept for
  // tools and tests that ask who a batch changed.
  absl::Status ForEachDirtyPerson(
      uint64_t after_batch_seq,
      const std::function<absl::Status(absl::string_view id_number,
                                       uint64_t batch_seq)>& fn) const;
  // Every stored version of every fact about one person (any accepted ID
  // spelling), grouped by kind and natural key, oldest version first.
  absl::StatusOr<std::vector<v1::FactVersion>> PersonFacts(
      absl::string_view id_number) const;
  // The same as a caseworker reads it: each version of each fact with its
  // validity interval (retirements end the version before them).
  absl::StatusOr<std::vector<v1::Fact>> PersonTimeline(
      absl::string_view id_number) const;

 private:
  friend class FeedUpload;
  FeedStore(Store* store, Clock* clock, FeedStoreOptions options);
  // Commits an upload: the steps are listed in its body.
  absl::StatusOr<v1::Receipt> CommitUpload(FeedUpload::State& upload);
  // Marks the store unwritable when an upload failed for want of disk.
  void NoteDiskFull(const absl::Status& status);
  // The receipt of a batch committed before with the same content (marked
  // replayed), nullopt for a new batch, ALREADY_EXISTS for other content.
  absl::StatusOr<std::optional<v1::Receipt>> Replay(
      const v1::BatchHeader& header, absl::string_view digest) const;
  // FAILED_PRECONDITION when a SNAPSHOT would retire more than half of its
  // kind's current facts (and at least mass_retirement_min) without leave.
  absl::Status CheckMassRetirement(const v1::BatchHeader& header,
                                   const FeedKindSpec& spec,
                                   const v1::Receipt& receipt,
                                   int64_t current_facts) const;
  // FAILED_PRECONDITION when a SNAPSHOT's rejected records are more than
  // snapshot_max_rejected_percent of it; names the first few.
  // The upload is idle (every chunk applied) when this runs.
  absl::Status CheckRejectedShare(const FeedUpload::State& upload) const
      ABSL_NO_THREAD_SAFETY_ANALYSIS;
  // A record the merge refused, added to the upload's rejections.
  absl::Status AddMergeRejection(FeedUpload::State& upload,
                                 v1::RecordRejection rejection)
      ABSL_NO_THREAD_SAFETY_ANALYSIS;
  // Ends the upload's rejections (in position order) and keeps the first
  // few of them for the receipt.
  absl::StatusOr<std::unique_ptr<ExternalSorter::Iterator>> FinishRejections(
      FeedUpload::State& upload) const ABSL_NO_THREAD_SAFETY_ANALYSIS;
  // The staged rejections, stored under the batch's number.
  absl::Status WriteRejections(uint64_t seq,
                               ExternalSorter::Iterator& rejections,
                               CommitSink* sink) const;
  // Calls `fn` for every stored fact version of a person, in key order
  // (kind, natural key, batch).
  absl::Status ScanPerson(absl::string_view id_number,
                          const std::function<absl::Status(
                              uint32_t kind, absl::string_view natural_key,
                              v1::FactVersion&)>& fn) const;

  Store* const store_;
  Clock* const clock_;
  const FeedStoreOptions options_;
  mutable absl::Mutex guards_mu_;
  FeedGuards guards_ ABSL_GUARDED_BY(guards_mu_);
  absl::Mutex commit_mu_;
  std::atomic<int64_t> next_upload_{0};
  ThreadPool staging_;
};

}  // namespace dibao

#endif  // DIBAO_FEEDS_FEED_STORE_H_
