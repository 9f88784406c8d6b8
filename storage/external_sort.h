// Sorting more (key, value) pairs than fit in memory.
//
// Pairs are buffered up to a memory budget, sorted, and spilled to run files
// in a scratch directory; Finish() returns one iterator that merges the runs
// in key order (ties keep insertion order). A feed batch of any size is
// sorted with at most twice `memory_budget_bytes` of buffered records, and
// without going through RocksDB's write path: a full buffer is sorted and
// written on a thread of its own while the next one fills. The merge reads
// at most kMaxFanIn runs at once (through buffers that fit the budget), so
// memory and open files stay bounded too.
//
// Run files are encrypted (AES-256-CTR) with a random key per run that is
// never written down: a run holds the batch's records in full, and the
// scratch directory may outlive the process that made it.
//
// Not thread-safe. Run files are removed when the sorter (and its iterator)
// are destroyed.
#ifndef DIBAO_STORAGE_EXTERNAL_SORT_H_
#define DIBAO_STORAGE_EXTERNAL_SORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/aes_ctr.h"

namespace dibao {

class SortedRun;

class ExternalSorter {
 public:
  struct Options {
    // Where run files go; created if missing, removed with the sorter.
    std::string scratch_dir;
    // Buffered bytes (keys + values + overhead) before a run is spilled.
    // Larger budgets mean fewer runs and a cheaper merge; two buffers may
    // be held at once (one filling, one being written).
    size_t memory_budget_bytes = 64 << 20;
  };

  // Iterates the merged, sorted pairs. Views stay valid until Next().
  class Iterator {
   public:
    virtual ~Iterator() = default;
    virtual bool Valid() const = 0;
    virtual absl::string_view key() const = 0;
    virtual absl::string_view value() const = 0;
    virtual void Next() = 0;
    // The first I/O error met, if any; check after the loop.
    virtual absl::Status status() const = 0;
  };

  explicit ExternalSorter(Options options);
  // Waits for a spill in progress.
  ~ExternalSorter();
  ExternalSorter(const ExternalSorter&) = delete;
  ExternalSorter& operator=(const ExternalSorter&) = delete;

  absl::Status Add(absl::string_view key, absl::string_view value);
  // Ends input; the sorter must outlive the iterator.
  absl::StatusOr<std::unique_ptr<Iterator>> Finish();

  // Runs merged at once by Finish(); more are first merged into fewer.
  static constexpr size_t kMaxFanIn = 64;

  int64_t size() const { return count_; }
  int runs_spilled() const { return runs_spilled_; }

 private:
  // Keys and values live back to back in `arena`; `entries` index them.
  struct Entry {
    // The key's first bytes as big-endian words (zero-padded): most
    // comparisons end here, inside the entry array, without reaching into
    // the arena (a cache miss per key in a buffer of tens of megabytes).
    uint64_t prefix[3];
    size_t offset;
    uint32_t key_size;
    uint32_t value_size;
    int64_t seq;  // insertion order, for stable ties
  };
  struct Buffer {
    std::string arena;
    std::vector<Entry> entries;
  };
  // A run file and the cipher it was written with.
  struct Run {
    std::string path;
    AesCtr cipher;
  };
  static absl::StatusOr<Run> NewRun(std::string path);
  // Hands the filled buffer to the spill thread (after the previous spill
  // finished); `wait` also waits for this one.
  absl::Status Spill(bool wait);
  absl::Status WaitForSpill();
  // Sorts `buffer` and writes it to `run`; clears it, keeping capacity.
  static absl::Status WriteRun(Buffer& buffer, const Run& run);

  Options options_;
  Buffer filling_;
  Buffer spilling_;  // owned by spill_thread_ while it runs
  std::thread spill_thread_;
  absl::Status spill_status_;
  std::vector<Run> runs_;
  int merges_ = 0;
  int runs_spilled_ = 0;
  int64_t count_ = 0;
  bool finished_ = false;
};

}  // namespace dibao

#endif  // DIBAO_STORAGE_EXTERNAL_SORT_H_
