// The dirty marks a feed batch leaves for the matching cycle: the
// beneficiary households each committed batch changed (the
// dirty_households family, which FeedStore writes with the batch). The cycle
// reads them from the last batch it consumed and, when it is done, consumes
// them as one range here; it never decodes the family itself.
//
// Thread-safe: DirtyHouseholds holds nothing but the store.
#ifndef DIBAO_FEEDS_DIRTY_MARKS_H_
#define DIBAO_FEEDS_DIRTY_MARKS_H_

#include <cstdint>
#include <set>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/write_batch.h"
#include "storage/store.h"

namespace dibao {

// The sequence number of the latest committed feed batch (0: none).
absl::StatusOr<uint64_t> LastFeedBatchSeq(const Store& store);

class DirtyHouseholds {
 public:
  // `store` must outlive this.
  explicit DirtyHouseholds(Store* store) : store_(store) {}

  // Calls fn(household_id) for each household marked by the batches
  // numbered `from_batch_seq` to `through_batch_seq`, both included, in
  // batch order (a household marked by two batches comes twice).
  absl::Status ForEach(
      uint64_t from_batch_seq, uint64_t through_batch_seq,
      absl::FunctionRef<void(absl::string_view household_id)> fn) const;

  // Adds to `batch`: every mark up to `through_batch_seq` goes (as one
  // range: a delete per household would leave tombstones every later scan
  // steps over), and each of `again` is marked anew under
  // `through_batch_seq`, where the next reader starts (a Put after the
  // range delete in the same batch survives it).
  void Consume(uint64_t through_batch_seq, const std::set<std::string>& again,
               rocksdb::WriteBatch* batch) const;

 private:
  Store* store_;
};

}  // namespace dibao

#endif  // DIBAO_FEEDS_DIRTY_MARKS_H_
