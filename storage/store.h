// The RocksDB store under every dibao-audit component.
//
// One Store owns one data directory. Opening it takes an exclusive lock
// (`dibao.lock`, flock) so two servers can never share a directory, checks the
// schema version (a newer on-disk version is refused), and opens every column
// family in the table below. Every logical change is one WriteBatch passed to
// Write(), which is synced to disk when StoreOptions::sync_writes is set: what
// the server acknowledges survives a crash.
//
// Thread-safe: RocksDB allows concurrent reads and writes; callers that need
// read-modify-write atomicity serialise themselves.
#ifndef DIBAO_STORAGE_STORE_H_
#define DIBAO_STORAGE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/sst_file_manager.h"
#include "rocksdb/write_batch.h"

namespace dibao {

// Column families. STORED ON DISK: never reorder or renumber; append only.
enum class Cf : int {
  kDefault = 0,            // unused, RocksDB requires it
  kMeta = 1,               // schema version, counters
  kHouseholds = 2,         // household_id -> Household
  kMemberIndex = 3,        // id_number -> household_id
  kAreaIndex = 4,          // district/street/community/household -> status
  kHouseholdHistory = 5,   // household/version -> HouseholdChange
  kRegistryChanges = 6,    // change_seq -> history key
  kFacts = 7,              // person/kind/natural key/batch -> FactVersion
  kFactIndex = 8,          // kind/person/natural key -> current version
  kFeedBatches = 9,        // batch_id -> Receipt; batch_seq -> batch_id
  kFeedRejections = 10,    // batch_seq/position -> RecordRejection
  kDirtyPersons = 11,      // (batch_seq, chunk) -> IDs the batch changed
  kDirtyHouseholds = 12,   // batch_seq/household_id -> (empty)
  kFlags = 13,             // household/rule/fingerprint -> Flag
  kFlagIds = 14,           // flag_seq -> flag key
  kAssessments = 15,       // household_id -> Assessment
  kWakeIndex = 16,         // day/household_id -> (empty)
  kCycles = 17,            // cycle_seq -> CycleReport
  kAudit = 18,             // seq -> AuditEntry (the chain)
  kAuditByHousehold = 19,  // household/seq -> (empty)
  kRecommendations = 20,   // recommendation_seq -> Recommendation
  kSamples = 21,           // sample_seq -> SpotCheckSample
};
inline constexpr int kCfCount = 22;
// Names as RocksDB stores them, indexed by Cf.
inline constexpr const char* kCfNames[kCfCount] = {
    "default",
    "meta",
    "households",
    "member_index",
    "area_index",
    "household_history",
    "registry_changes",
    "facts",
    "fact_index",
    "feed_batches",
    "feed_rejections",
    "dirty_persons",
    "dirty_households",
    "flags",
    "flag_ids",
    "assessments",
    "wake_index",
    "cycles",
    "audit",
    "audit_by_household",
    "recommendations",
    "samples",
};

// Counters in the meta family (Store::GetCounter), shared by the components
// that write and read them.
inline constexpr char kFeedBatchSeqCounter[] = "feed_batch_seq";
inline constexpr char kRegistryChangeSeqCounter[] = "registry_change_seq";
inline constexpr char kFlagSeqCounter[] = "flag_seq";
inline constexpr char kSampleSeqCounter[] = "sample_seq";
inline constexpr char kRecommendationSeqCounter[] = "recommendation_seq";
// The audit chain's head (a dibao.v1.AuditHead, not a counter).
inline constexpr char kAuditHeadName[] = "audit_head";
// Written (empty) by Store::ProbeWritable() to learn whether writes work.
inline constexpr char kWriteProbeName[] = "write_probe";

// The on-disk layout version this build writes and understands.
inline constexpr uint32_t kSchemaVersion = 1;

struct StoreOptions {
  // Create the directory and an empty store when missing. Off for tools that
  // must only read an existing store.
  bool create_if_missing = true;
  // fsync the write-ahead log on every Write(). Costs a disk flush per
  // logical change (a few ms on spinning disks, ~0.1 ms on SSD); turn off only
  // in tests and benchmarks that do not test durability.
  bool sync_writes = true;
  // Shared LRU block cache for reads, MiB. Reads of hot households and the
  // member index come from here.
  int block_cache_mb = 64;
  // Memtable size per column family, MiB. Larger absorbs bigger nightly
  // batches before a flush, at the cost of memory and recovery time.
  int write_buffer_mb = 32;
  // Table files RocksDB keeps open; -1 keeps all open (fastest, uses a file
  // descriptor per file).
  int max_open_files = 512;
  // Encryption at rest (storage/encryption.h): the 32-byte key every file
  // of the store is encrypted under; empty: files are plain. Fixed when the
  // store is created.
  std::string encryption_key;
  // The Env RocksDB's files go through when not encrypted; null: the
  // default. For tests that inject faults (a power cut).
  rocksdb::Env* env = nullptr;
};

class Store {
 public:
  // Opens (or creates) the store in `dir`. Errors: FAILED_PRECONDITION when
  // another process holds the directory, the schema is newer than this
  // build, or the key does not fit the store (encrypted without it, with
  // another, or plain with one); UNAVAILABLE/PERMISSION_DENIED style errors
  // name the directory.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const std::string& dir, const StoreOptions& options);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Applies `batch` atomically (synced per options). A write the disk
  // refuses is RESOURCE_EXHAUSTED (full) or UNAVAILABLE naming the data
  // directory, stores nothing, and marks the store unwritable
  // (write_failure()) until ProbeWritable() succeeds.
  absl::Status Write(rocksdb::WriteBatch& batch);
  // Applies `batch` atomically without waiting for the disk: it survives a
  // process crash (it is in the log) but not a power cut until a later
  // synced Write(), which makes everything before it durable too. For long
  // jobs that sync once at their end.
  absl::Status WriteBuffered(rocksdb::WriteBatch& batch);

  // The value under `key`, or nullopt when absent.
  absl::StatusOr<std::optional<std::string>> Get(
      Cf cf, absl::string_view key,
      const rocksdb::Snapshot* snapshot = nullptr) const;

  // A named counter in the meta family (0 when never written). Callers that
  // increment it serialise themselves and write keys::MetaKey(name) with the
  // new value (keys::PutFixed64) in the same batch as what it counts.
  absl::StatusOr<uint64_t> GetCounter(absl::string_view name) const;

  // An iterator over one column family; pass a snapshot for a consistent
  // multi-read view (see Snapshot below).
  std::unique_ptr<rocksdb::Iterator> NewIterator(
      Cf cf, const rocksdb::Snapshot* snapshot = nullptr) const;

  // An iterator for one pass over much of a family in key order: reads
  // ahead, does not fill the block cache, ignores prefix filters.
  std::unique_ptr<rocksdb::Iterator> NewScanIterator(
      Cf cf, const rocksdb::Snapshot* snapshot = nullptr) const;

  rocksdb::ColumnFamilyHandle* handle(Cf cf) const {
    return handles_[static_cast<int>(cf)];
  }

  // A consistent read view, released on destruction.
  class Snapshot {
   public:
    explicit Snapshot(const Store& store)
        : db_(store.db_.get()), snap_(db_->GetSnapshot()) {}
    ~Snapshot() { db_->ReleaseSnapshot(snap_); }
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;
    const rocksdb::Snapshot* get() const { return snap_; }

   private:
    rocksdb::DB* db_;
    const rocksdb::Snapshot* snap_;
  };

  // Column-family options for building SST files (rocksdb::SstFileWriter)
  // of `cf` that IngestAtomically accepts.
  const rocksdb::Options& sst_options(Cf cf) const {
    return cf == Cf::kFacts ? sst_facts_options_ : sst_options_;
  }

  // Compacts every family into its last level, now. For benchmarks and
  // maintenance windows; RocksDB otherwise compacts in the background.
  absl::Status CompactAll();

  // Moves the given SST files into their column families in one atomic
  // step: readers see all of them or none, and once this returns they are
  // durable. Files of one family must not overlap each other.
  absl::Status IngestAtomically(
      const std::vector<std::pair<Cf, std::string>>& files);

  // Flushes the WAL and closes RocksDB; later calls fail. Called by the
  // destructor when not called before.
  absl::Status Close();

  const std::string& dir() const { return dir_; }

  // Why writes are failing ("the disk of data directory … is full (…)"),
  // or "" while they work. Set by a write the disk refused (or by
  // NoteWriteFailure from a component writing beside the store), cleared
  // by a successful ProbeWritable().
  std::string write_failure() const;
  void NoteWriteFailure(std::string why);
  // Asks RocksDB to resume after a background error and tries a small
  // synced write; OK (and write_failure() cleared) when writes work again.
  absl::Status ProbeWritable();
  // Bytes free to this process on the data directory's filesystem.
  absl::StatusOr<int64_t> FreeBytes() const;
  // RocksDB itself and the Env its files go through (the encrypting one
  // for an encrypted store), for storage/backups.h.
  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::Env* env() const {
    return env_ ? env_.get() : rocksdb::Env::Default();
  }

 private:
  Store() = default;
  absl::Status CheckSchemaVersion();
  // The status of a write the disk may have refused (see Write).
  absl::Status Written(const rocksdb::Status& s, absl::string_view what);

  std::string dir_;
  StoreOptions options_;
  int lock_fd_ = -1;
  // The encrypting Env, when a key is given; declared before db_ so that it
  // outlives it.
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::Options sst_options_;
  rocksdb::Options sst_facts_options_;
  std::shared_ptr<rocksdb::SstFileManager> sst_file_manager_;
  mutable absl::Mutex failure_mu_;
  std::string write_failure_ ABSL_GUARDED_BY(failure_mu_);
};

// The one conversion from rocksdb::Status; `context` says what was being done.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context);

}  // namespace dibao

#endif  // DIBAO_STORAGE_STORE_H_
