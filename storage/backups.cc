#include "storage/backups.h"

#include <filesystem>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/dates.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "storage/encryption.h"

namespace dibao {
namespace {

namespace fs = std::filesystem;

// True when `inner` is `outer` or lies inside it (both made absolute and
// normal, without resolving links that may not exist yet).
bool Within(const fs::path& inner, const fs::path& outer) {
  const fs::path a = fs::absolute(inner).lexically_normal();
  const fs::path b = fs::absolute(outer).lexically_normal();
  auto [end, _] = std::mismatch(b.begin(), b.end(), a.begin(), a.end());
  return end == b.end() || (std::next(end) == b.end() && end->empty());
}

absl::Status FromBackupEngine(const rocksdb::Status& s,
                              absl::string_view context,
                              const std::string& dir) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsNoSpace()) {
    return absl::ResourceExhaustedError(
        absl::StrCat(context, ": the disk of ", dir, " is full (", s.ToString(),
                     "); nothing partial was left"));
  }
  return FromRocks(s, absl::StrCat(context, " (", dir, ")"));
}

// Bytes of the regular files under `dir` (0 when it cannot be read).
int64_t BytesUnder(const std::string& dir) {
  std::error_code ec;
  int64_t total = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      total += static_cast<int64_t>(it->file_size(ec));
    }
  }
  return total;
}

v1::Backup Describe(const rocksdb::BackupInfo& info) {
  v1::Backup backup;
  // Metadata a backup was given; a backup made by other means has none.
  if (!info.app_metadata.empty()) {
    backup.ParseFromString(info.app_metadata);
  }
  backup.set_backup_id(info.backup_id);
  backup.set_size_bytes(static_cast<int64_t>(info.size));
  backup.set_files(static_cast<int32_t>(info.number_files));
  if (!backup.has_at()) {
    *backup.mutable_at() = ToProto(absl::FromUnixSeconds(info.timestamp));
  }
  return backup;
}

absl::StatusOr<std::unique_ptr<rocksdb::Env>> BackupEnv(absl::string_view key) {
  if (key.empty()) return std::unique_ptr<rocksdb::Env>();
  return NewEncryptingEnv(key);
}

// A backup directory opened for reading, with its (readable) backups.
struct ReadOnlyBackups {
  std::unique_ptr<rocksdb::Env> encrypted;  // outlives the engine
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine;
  std::vector<rocksdb::BackupInfo> infos;
};

absl::StatusOr<ReadOnlyBackups> OpenReadOnly(const std::string& backup_dir,
                                             absl::string_view key) {
  std::error_code ec;
  if (!fs::is_directory(backup_dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("no backup directory ", backup_dir));
  }
  ReadOnlyBackups b;
  ASSIGN_OR_RETURN(b.encrypted, BackupEnv(key));
  rocksdb::Env* env = b.encrypted ? b.encrypted.get() : rocksdb::Env::Default();
  rocksdb::BackupEngineOptions engine_options(backup_dir, env);
  engine_options.max_background_operations = 2;
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  RETURN_IF_ERROR(FromBackupEngine(
      rocksdb::BackupEngineReadOnly::Open(engine_options, env, &raw),
      "cannot open the backups", backup_dir));
  b.engine.reset(raw);
  b.engine->GetBackupInfo(&b.infos);
  if (b.infos.empty()) {
    std::vector<rocksdb::BackupID> corrupt;
    b.engine->GetCorruptedBackups(&corrupt);
    if (!corrupt.empty()) {
      return absl::DataLossError(absl::StrCat(
          "the ", corrupt.size(), " backups in ", backup_dir, " cannot be read",
          key.empty() ? ": if the store was encrypted, give its key file"
                      : ": is this the key the store was encrypted with?"));
    }
    return absl::NotFoundError(absl::StrCat("no backup in ", backup_dir));
  }
  return b;
}

}  // namespace

absl::StatusOr<std::vector<v1::Backup>> ListBackups(
    const std::string& backup_dir, absl::string_view encryption_key) {
  ASSIGN_OR_RETURN(ReadOnlyBackups backups,
                   OpenReadOnly(backup_dir, encryption_key));
  std::vector<v1::Backup> list;
  for (const rocksdb::BackupInfo& info : backups.infos) {
    list.push_back(Describe(info));
  }
  return list;
}

absl::StatusOr<std::unique_ptr<StoreBackups>> StoreBackups::Open(
    Store* store, AuditLog* audit, Clock* clock, BackupOptions options) {
  if (options.dir.empty()) {
    return absl::InvalidArgumentError("backup.dir is empty");
  }
  if (options.keep < 1) {
    return absl::InvalidArgumentError("backup.keep must be at least 1");
  }
  if (Within(options.dir, store->dir()) || Within(store->dir(), options.dir)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "backup.dir ", options.dir, " and the data directory ", store->dir(),
        " must be apart: a backup inside the store it saves is "
        "lost with it"));
  }
  // Opened on the first backup: a server whose backup disk is missing
  // still serves, and says so when a backup is asked for.
  return std::unique_ptr<StoreBackups>(
      new StoreBackups(store, audit, clock, std::move(options)));
}

StoreBackups::~StoreBackups() = default;

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>>
StoreBackups::OpenEngine() const {
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create the backup directory ", options_.dir, ": ",
                     ec.message()));
  }
  // The store's own Env: an encrypted store's backups are encrypted under
  // its key.
  rocksdb::BackupEngineOptions engine_options(options_.dir, store_->env());
  engine_options.max_background_operations = 2;
  rocksdb::BackupEngine* engine = nullptr;
  RETURN_IF_ERROR(FromBackupEngine(
      rocksdb::BackupEngine::Open(engine_options, store_->env(), &engine),
      "cannot open the backups", options_.dir));
  return std::unique_ptr<rocksdb::BackupEngine>(engine);
}

absl::StatusOr<v1::CreateBackupResponse> StoreBackups::Create(
    absl::string_view actor) {
  if (!mu_.TryLock()) {
    return absl::FailedPreconditionError(
        "a backup is already running; try again when it has finished");
  }
  absl::Cleanup unlock = [this] { mu_.Unlock(); };
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine, OpenEngine());
  const absl::Time started = clock_->Now();
  v1::Backup meta;
  *meta.mutable_at() = ToProto(started);
  meta.set_taken_by(std::string(actor));
  meta.set_audit_seq_at_least(static_cast<int64_t>(audit_->head_seq()));
  const int64_t bytes_before = BytesUnder(options_.dir);
  rocksdb::CreateBackupOptions create;
  // No flush: the write-ahead log is copied with the tables, which keeps
  // every column family at the same moment without stalling writers.
  create.flush_before_backup = false;
  rocksdb::BackupID id = 0;
  rocksdb::IOStatus made = engine->CreateNewBackupWithMetadata(
      create, store_->db(), meta.SerializeAsString(), &id);
  if (!made.ok()) {
    // A half-copied backup is not a backup: its files go now, not at the
    // next successful one.
    engine->GarbageCollect();
    return FromBackupEngine(made, "backup failed", options_.dir);
  }
  const absl::Duration took = clock_->Now() - started;
  v1::CreateBackupResponse response;
  rocksdb::BackupInfo info;
  RETURN_IF_ERROR(FromBackupEngine(engine->GetBackupInfo(id, &info),
                                   "cannot read the new backup", options_.dir));
  *response.mutable_backup() = Describe(info);
  response.mutable_backup()->set_seconds(absl::ToDoubleSeconds(took));
  response.set_new_bytes(BytesUnder(options_.dir) - bytes_before);
  response.set_backup_dir(options_.dir);
  response.set_keep(options_.keep);

  v1::AuditEntry entry;
  entry.set_actor(std::string(actor));
  entry.set_action(v1::AUDIT_ACTION_BACKUP_CREATED);
  entry.set_ref(absl::StrCat(id));
  entry.set_detail(absl::StrCat("backup ", id, " in ", options_.dir, ": ",
                                info.number_files, " files, ", info.size,
                                " bytes (", response.new_bytes(),
                                " new), holding the audit "
                                "chain to entry ",
                                meta.audit_seq_at_least(), " at least"));
  RETURN_IF_ERROR(audit_->Append(std::move(entry)));

  std::vector<rocksdb::BackupInfo> kept;
  engine->GetBackupInfo(&kept);
  if (static_cast<int>(kept.size()) > options_.keep) {
    RETURN_IF_ERROR(FromBackupEngine(
        engine->PurgeOldBackups(static_cast<uint32_t>(options_.keep)),
        "backup taken, but purging old ones failed", options_.dir));
    for (size_t i = 0; i + options_.keep < kept.size(); ++i) {
      response.add_purged_ids(kept[i].backup_id);
    }
  }
  return response;
}

absl::StatusOr<v1::ListBackupsResponse> StoreBackups::List() const {
  absl::MutexLock lock(&mu_);
  v1::ListBackupsResponse response;
  response.set_backup_dir(options_.dir);
  response.set_keep(options_.keep);
  std::error_code ec;
  if (!fs::exists(options_.dir, ec)) return response;  // none taken yet
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine, OpenEngine());
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  for (const rocksdb::BackupInfo& info : infos) {
    *response.add_backups() = Describe(info);
  }
  return response;
}

absl::StatusOr<v1::Backup> RestoreBackup(const std::string& backup_dir,
                                         uint32_t backup_id,
                                         const std::string& data_dir,
                                         absl::string_view encryption_key) {
  std::error_code ec;
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", data_dir,
        " is not empty: restore into a new directory, then point the "
        "server at it (nothing was written)"));
  }
  ASSIGN_OR_RETURN(ReadOnlyBackups backups,
                   OpenReadOnly(backup_dir, encryption_key));
  const std::vector<rocksdb::BackupInfo>& infos = backups.infos;
  rocksdb::BackupEngineReadOnly* engine = backups.engine.get();
  const rocksdb::BackupInfo* chosen = &infos.back();
  if (backup_id != 0) {
    chosen = nullptr;
    for (const rocksdb::BackupInfo& info : infos) {
      if (info.backup_id == backup_id) chosen = &info;
    }
    if (chosen == nullptr) {
      return absl::NotFoundError(absl::StrCat(
          "no backup ", backup_id, " in ", backup_dir, " (it has ",
          infos.front().backup_id, " to ", infos.back().backup_id, ")"));
    }
  }
  // Every file read back against its checksum before a byte is restored:
  // a damaged backup is refused rather than half restored. Reading an
  // encrypted backup with another key fails here too.
  if (rocksdb::IOStatus verified = engine->VerifyBackup(
          chosen->backup_id, /*verify_with_checksum=*/true);
      !verified.ok()) {
    return absl::DataLossError(
        absl::StrCat("backup ", chosen->backup_id, " in ", backup_dir,
                     " does not verify (", verified.ToString(), ")",
                     encryption_key.empty()
                         ? "; if the store was encrypted, give its key file"
                         : "; is this the key the store was encrypted with?"));
  }
  fs::create_directories(data_dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot create data directory ",
                                               data_dir, ": ", ec.message()));
  }
  fs::permissions(data_dir, fs::perms::owner_all, ec);
  rocksdb::IOStatus restored = engine->RestoreDBFromBackup(
      rocksdb::RestoreOptions(), chosen->backup_id, data_dir, data_dir);
  if (!restored.ok()) {
    // Leave no half-restored store behind to be started by mistake.
    std::vector<fs::path> made;
    for (fs::directory_iterator it(data_dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      made.push_back(it->path());
    }
    for (const fs::path& p : made) fs::remove_all(p, ec);
    return FromBackupEngine(restored, "restore failed", data_dir);
  }
  return Describe(*chosen);
}

absl::StatusOr<std::string> StateDigest(const Store& store) {
  Sha256 sha;
  Store::Snapshot snapshot(store);
  for (int cf = 0; cf < kCfCount; ++cf) {
    std::unique_ptr<rocksdb::Iterator> it =
        store.NewScanIterator(static_cast<Cf>(cf), snapshot.get());
    uint64_t entries = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      // Lengths first: ("ab","c") and ("a","bc") must not hash alike.
      const uint32_t sizes[2] = {static_cast<uint32_t>(it->key().size()),
                                 static_cast<uint32_t>(it->value().size())};
      sha.Update(absl::string_view(reinterpret_cast<const char*>(sizes),
                                   sizeof(sizes)));
      sha.Update(absl::string_view(it->key().data(), it->key().size()));
      sha.Update(absl::string_view(it->value().data(), it->value().size()));
      ++entries;
    }
    RETURN_IF_ERROR(
        FromRocks(it->status(), absl::StrCat("digest of ", kCfNames[cf])));
    sha.Update(absl::StrCat("|", kCfNames[cf], "=", entries, "|"));
  }
  return Sha256::Hex(sha.Finish());
}

}  // namespace dibao
