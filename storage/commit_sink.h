// Where one logical change's writes go before they become visible together.
//
// Small changes go into a rocksdb::WriteBatch. Changes too big for memory
// (a ten-million-record snapshot) are written as SST files, one per column
// family, and ingested in one atomic step: readers see all of it or none,
// and the memory used does not grow with the change.
//
// SST files need their keys in increasing order. Families whose keys the
// caller produces in order are streamed (Put/Delete must then be called in
// key order, or Commit fails); the others are buffered and sorted here
// (use them for the few keys of receipts, counters and household marks).
// Each streamed family's file is built on a thread of its own, fed in
// blocks, so that building (and syncing) the files runs alongside the
// caller working out what to write.
//
// Not thread-safe (one caller; the writer threads are internal).
#ifndef DIBAO_STORAGE_COMMIT_SINK_H_
#define DIBAO_STORAGE_COMMIT_SINK_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/write_batch.h"
#include "storage/store.h"

namespace dibao {

class CommitSink {
 public:
  // A WriteBatch sink when `scratch_dir` is empty, else an SST sink writing
  // its files there. `streamed` lists the families written in key order
  // (only meaningful for the SST sink).
  CommitSink(Store* store, std::string scratch_dir, std::vector<Cf> streamed);
  ~CommitSink();

  void Put(Cf cf, absl::string_view key, absl::string_view value);
  void Delete(Cf cf, absl::string_view key);
  // Makes everything visible at once (synced / durable).
  absl::Status Commit();

  bool uses_sst() const { return !scratch_dir_.empty(); }

 private:
  class FileWriter;
  // `value` nullopt: a delete.
  void Write(Cf cf, absl::string_view key,
             std::optional<absl::string_view> value);
  FileWriter& WriterOf(Cf cf);
  bool IsStreamed(Cf cf) const;

  Store* store_;
  std::string scratch_dir_;
  std::vector<Cf> streamed_;
  rocksdb::WriteBatch batch_;
  std::map<Cf, std::unique_ptr<FileWriter>> writers_;
  // Buffered families: key -> value (nullopt = delete).
  std::map<Cf, std::map<std::string, std::optional<std::string>>> buffered_;
};

}  // namespace dibao

#endif  // DIBAO_STORAGE_COMMIT_SINK_H_
