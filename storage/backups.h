// Online backups of the store, and restoring one into an empty directory.
//
// RocksDB's BackupEngine does the copying: it pins the store's live files
// and copies them while writes go on, so a backup is the store as of one
// moment (every write before it whole, none after it in part). Table files
// are shared between backups, so a nightly backup copies only what changed
// since the last one. An encrypted store's backups are encrypted under the
// same key (the backup directory is written through the store's encrypting
// Env); restoring one needs that key.
//
// Each backup carries a dibao.v1.Backup (who took it, the audit chain's
// head when it began) as its metadata, and is an entry on the audit chain.
#ifndef DIBAO_STORAGE_BACKUPS_H_
#define DIBAO_STORAGE_BACKUPS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "dibao/v1/admin.pb.h"
#include "rocksdb/utilities/backup_engine.h"
#include "storage/audit_log.h"
#include "storage/store.h"

namespace dibao {

struct BackupOptions {
  // Where backups go; must not be inside the data directory nor contain it.
  std::string dir;
  // Backups kept after each new one (at least 1).
  int keep = 7;
};

class StoreBackups {
 public:
  // Opens (creating) the backup directory for `store`. `store`, `audit`
  // and `clock` must outlive it. INVALID_ARGUMENT for a directory inside
  // the data directory (or holding it) or keep < 1.
  static absl::StatusOr<std::unique_ptr<StoreBackups>> Open(
      Store* store, AuditLog* audit, Clock* clock, BackupOptions options);
  ~StoreBackups();

  // Takes a backup while writes go on, records it on the audit chain as
  // `actor`'s, then purges the oldest beyond `keep`. FAILED_PRECONDITION
  // when another backup is running; RESOURCE_EXHAUSTED when the backup
  // disk is full (the partial backup is removed).
  absl::StatusOr<v1::CreateBackupResponse> Create(absl::string_view actor);

  // The backups kept, oldest first.
  absl::StatusOr<v1::ListBackupsResponse> List() const;

  const BackupOptions& options() const { return options_; }

 private:
  StoreBackups(Store* store, AuditLog* audit, Clock* clock,
               BackupOptions options)
      : store_(store), audit_(audit), clock_(clock), options_(options) {}

  // The engine over options_.dir (created when missing), opened per call
  // so that a backup disk mounted later is found.
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> OpenEngine() const;

  Store* const store_;
  AuditLog* const audit_;
  Clock* const clock_;
  const BackupOptions options_;
  // One backup at a time; List waits for a running one.
  mutable absl::Mutex mu_;
};

// Restores backup `backup_id` (0: the newest) of `backup_dir` into
// `data_dir`, which must be missing or empty, checks every file against
// its checksum, and returns the backup restored. `encryption_key` is the
// store's key (empty for a plain store). Nothing is written to `data_dir`
// when the backup is missing, corrupt or needs another key.
absl::StatusOr<v1::Backup> RestoreBackup(const std::string& backup_dir,
                                         uint32_t backup_id,
                                         const std::string& data_dir,
                                         absl::string_view encryption_key);

// The readable backups of `backup_dir`, oldest first (no server needed).
absl::StatusOr<std::vector<v1::Backup>> ListBackups(
    const std::string& backup_dir, absl::string_view encryption_key);

// A SHA-256 over every key and value of every column family, in order:
// two stores with the same digest hold the same data. Reads the whole
// store (minutes on a province): for restore checks and tests.
absl::StatusOr<std::string> StateDigest(const Store& store);

}  // namespace dibao

#endif  // DIBAO_STORAGE_BACKUPS_H_
