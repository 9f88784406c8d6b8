// Read-only views of the partner facts (the facts and fact_index column
// families) for the libraries above feeds/: a person's stored fact versions,
// everyone's at once for a full cycle, and who has current facts of a kind.
// Nobody else decodes these families; writes go through FeedStore.
//
// Thread-safe: a FactPrefetch is read-only once loaded; a PersonFactReader
// is used by one thread at a time.
#ifndef DIBAO_FEEDS_FACT_READER_H_
#define DIBAO_FEEDS_FACT_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/feeds.pb.h"
#include "storage/store.h"

namespace dibao {

// One stored version of one partner fact of a person. The views point into
// the reader's buffers and are valid during the callback only.
struct StoredFactVersion {
  uint32_t kind = 0;              // a v1::FeedKind
  absl::string_view natural_key;  // the kind's key fields, encoded
  absl::string_view version;      // a serialized v1::FactVersion
};

// The stored facts of the given people, read in one pass in ID order and
// kept in memory: how a full cycle reads facts. Read in household order,
// each member would cost a seek to a random place of the facts family (and,
// once the family outgrows the block cache, a block read and decompressed
// for every member); in ID order the pass reads each block once.
class FactPrefetch {
 public:
  FactPrefetch();
  ~FactPrefetch();
  FactPrefetch(const FactPrefetch&) = delete;
  FactPrefetch& operator=(const FactPrefetch&) = delete;

  // Reads the facts of `ids` (ascending) on `threads` threads.
  // RESOURCE_EXHAUSTED (and nothing kept) when they take more than
  // `budget_bytes`: the caller then reads person by person instead.
  absl::Status Load(const Store& store, const rocksdb::Snapshot* snapshot,
                    const std::vector<std::string>& ids, int threads,
                    size_t budget_bytes);

  // Read through PersonFactReader.
 private:
  friend class PersonFactReader;
  struct Part;
  // The parts hold disjoint, ascending ID ranges.
  std::vector<std::unique_ptr<Part>> parts_;
  // Where a person's entries are: [begin, end) of encoded
  // [u32 key size][key][u32 value size][value] entries.
  const char* Find(absl::string_view id_number, const char** end) const;
};

// A person's stored fact versions, from one snapshot, or from a prefetch
// when the caller made one.
class PersonFactReader {
 public:
  // `store`, `snapshot` and `prefetch` (each when given) must outlive the
  // reader.
  PersonFactReader(const Store* store, const rocksdb::Snapshot* snapshot,
                   const FactPrefetch* prefetch = nullptr);

  // Calls fn for every stored version of every fact about `id_number`
  // (normalised), grouped by kind and natural key, oldest version first;
  // stops at the first error fn returns. Someone not in the prefetch (who
  // joined a household after it was made) is read from the store.
  absl::Status ForEach(
      absl::string_view id_number,
      absl::FunctionRef<absl::Status(const StoredFactVersion&)> fn);

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  const FactPrefetch* prefetch_;
  std::string prefix_;  // reused for every person
};

// Whether partner facts were withdrawn by their agency: what the matching
// cycle asks of the evidence of a flag it no longer finds. One thread at a
// time; `store` and `snapshot` must outlive it.
class WithdrawalFinder {
 public:
  WithdrawalFinder(const Store* store, const rocksdb::Snapshot* snapshot);
  ~WithdrawalFinder();

  // The withdrawal of the fact `fact` is a version of (by its person, kind
  // and natural key) in effect on `day`: the latest withdrawal stated on or
  // before that day (a cycle re-run for an earlier day sees the fact as it
  // was). nullopt when it was not withdrawn by then.
  absl::StatusOr<std::optional<v1::Withdrawal>> Find(const v1::Fact& fact,
                                                     absl::CivilDay day);

 private:
  const Store* store_;
  const rocksdb::Snapshot* snapshot_;
  std::unique_ptr<rocksdb::Iterator> it_;  // made on first use
  std::string bytes_, natural_key_;
};

// Calls fn(id_number) once for every person with at least one current
// (not retired) fact of `kind`, in ID order.
absl::Status ForEachPersonWithCurrentFacts(
    const Store& store, const rocksdb::Snapshot* snapshot, v1::FeedKind kind,
    absl::FunctionRef<absl::Status(absl::string_view id_number)> fn);

}  // namespace dibao

#endif  // DIBAO_FEEDS_FACT_READER_H_
