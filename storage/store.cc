#include "storage/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/sst_file_manager.h"
#include "rocksdb/table.h"
#include "storage/encryption.h"
#include "storage/keys.h"

namespace dibao {
namespace {

constexpr char kLockFile[] = "dibao.lock";
constexpr char kSchemaVersionName[] = "schema_version";

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  const int err = errno;
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::UnavailableError(msg);
}

// Takes the directory lock, writing our pid into the lock file so the next
// server can say who holds it.
absl::StatusOr<int> LockDirectory(const std::string& dir) {
  const std::string path = dir + "/" + kLockFile;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("cannot open lock file", path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    ::close(fd);
    std::string holder;
    if (n > 0)
      holder = absl::StrCat(
          " (pid ", absl::StripAsciiWhitespace(absl::string_view(buf, n)), ")");
    return absl::FailedPreconditionError(
        absl::StrCat("data directory ", dir, " is in use by another process",
                     holder, "; stop it or choose another data directory"));
  }
  const std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) !=
                                     static_cast<ssize_t>(pid.size())) {
    absl::Status s = ErrnoError("cannot write lock file", path);
    ::close(fd);
    return s;
  }
  return fd;
}

// The directory holds every beneficiary's ID, name and income: only the
// service's own user may read it, whatever umask created it. Tightens the
// directory and everything under it (a store made by an older version or by
// hand with 0755/0644 included); the server also runs under umask 077, so
// what RocksDB creates later is the owner's alone. Symlinks are left as they
// are: their modes mean nothing and their targets are not ours to change.
absl::Status RestrictToOwner(const std::string& dir) {
  namespace fs = std::filesystem;
  constexpr fs::perms kDir = fs::perms::owner_all;
  constexpr fs::perms kFile = fs::perms::owner_read | fs::perms::owner_write;
  auto restrict = [](const fs::path& p, fs::perms mode) -> absl::Status {
    std::error_code ec;
    fs::permissions(p, mode, fs::perm_options::replace, ec);
    if (ec) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot restrict ", p.string(), " to its owner: ", ec.message()));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(restrict(dir, kDir));
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::file_status st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(st)) continue;
    const fs::perms want = fs::is_directory(st) ? kDir : kFile;
    if ((st.permissions() & fs::perms::mask) != want) {
      RETURN_IF_ERROR(restrict(it->path(), want));
    }
  }
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot list data directory ", dir, ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(context, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return absl::UnavailableError(msg);
  }
  // Before IsIOError: no space is an I/O error with its own sub-code.
  if (s.IsNoSpace()) {
    return absl::ResourceExhaustedError(
        absl::StrCat(msg, " (no space left on the disk)"));
  }
  if (s.IsIOError()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const std::string& dir, const StoreOptions& options) {
  std::error_code ec;
  if (options.create_if_missing) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return absl::UnavailableError(absl::StrCat(
          "cannot create data directory ", dir, ": ", ec.message()));
    }
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("data directory ", dir, " does not exist"));
  }
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    return ErrnoError("cannot use data directory", dir);
  }

  std::unique_ptr<Store> store(new Store());
  store->dir_ = dir;
  store->options_ = options;
  auto fd = LockDirectory(dir);
  if (!fd.ok()) return fd.status();
  store->lock_fd_ = *fd;
  RETURN_IF_ERROR(RestrictToOwner(dir));
  RETURN_IF_ERROR(CheckStoreEncryption(dir, options.encryption_key));
  if (!options.encryption_key.empty()) {
    ASSIGN_OR_RETURN(store->env_, NewEncryptingEnv(options.encryption_key));
  }

  rocksdb::BlockBasedTableOptions table;
  table.block_cache =
      rocksdb::NewLRUCache(static_cast<size_t>(options.block_cache_mb) << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks live in the block cache, not beside it: the
  // server's memory stays bounded by the cache however large the store (a
  // thirty-million-fact snapshot's filters alone would be ~40 MB more).
  table.cache_index_and_filter_blocks = true;
  // Partitioned filters and a two-level index: a lookup loads one small
  // partition of each, never a whole file's multi-megabyte filter (which,
  // cached with the data, would be evicted and read again seek after seek
  // once the data outgrows the cache). The top levels stay pinned.
  table.partition_filters = true;
  table.index_type =
      rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.pin_top_level_index_and_filter = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.write_buffer_size = static_cast<size_t>(options.write_buffer_mb)
                                 << 20;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.compression = rocksdb::kLZ4Compression;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  db_options.max_open_files = options.max_open_files;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 5;
  // Every file RocksDB writes goes through it (the ingested batches too:
  // sst_options_ below inherits it).
  if (store->env_) {
    db_options.env = store->env_.get();
  } else if (options.env != nullptr) {
    db_options.env = options.env;
  }
  // With an SstFileManager RocksDB recovers by itself from a flush or
  // compaction that ran out of space, once space is back; ProbeWritable()
  // covers the rest.
  store->sst_file_manager_.reset(rocksdb::NewSstFileManager(
      db_options.env != nullptr ? db_options.env : rocksdb::Env::Default()));
  db_options.sst_file_manager = store->sst_file_manager_;

  // The facts family is only ever read one person at a time (every key of a
  // person shares the first keys::kFactPersonPrefixLength bytes): a prefix
  // Bloom filter per file lets a person's seek skip every file, of the
  // many overlapping ingested batches, that has nothing about them.
  rocksdb::ColumnFamilyOptions facts_options = cf_options;
  facts_options.prefix_extractor.reset(
      rocksdb::NewFixedPrefixTransform(keys::kFactPersonPrefixLength));
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int cf = 0; cf < kCfCount; ++cf) {
    families.emplace_back(kCfNames[cf], cf == static_cast<int>(Cf::kFacts)
                                            ? facts_options
                                            : cf_options);
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, dir, families, &store->handles_, &raw);
  if (!s.ok()) {
    return FromRocks(s, absl::StrCat("cannot open the store in ", dir));
  }
  store->db_.reset(raw);
  store->sst_options_ = rocksdb::Options(db_options, cf_options);
  // Ingested files are compressed like the rest (LZ4): a ten-million-record
  // snapshot writes and syncs about 1 GB instead of 3, and on a disk of a
  // few hundred MB/s the commit waits for the disk, not for the CPU.
  store->sst_options_.compression = rocksdb::kLZ4Compression;
  {
    // Bigger blocks for ingested files: a block and index entry per 16 KiB
    // rather than per 4 KiB is less work per key written.
    rocksdb::BlockBasedTableOptions sst_table = table;
    sst_table.block_size = 16 << 10;
    // Partitioned filters (above) also keep building one bounded: a
    // whole-file filter holds every key's hash until the file is finished
    // (800 MB for a hundred-million-record batch).
    store->sst_options_.table_factory.reset(
        rocksdb::NewBlockBasedTableFactory(sst_table));
  }
  store->sst_facts_options_ = store->sst_options_;
  store->sst_facts_options_.prefix_extractor = facts_options.prefix_extractor;
  if (absl::Status v = store->CheckSchemaVersion(); !v.ok()) return v;
  return store;
}

absl::Status Store::CheckSchemaVersion() {
  const std::string key = keys::MetaKey(kSchemaVersionName);
  auto value = Get(Cf::kMeta, key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    std::string v;
    keys::PutFixed32(&v, kSchemaVersion);
    rocksdb::WriteBatch batch;
    batch.Put(handle(Cf::kMeta), key, v);
    return Write(batch);
  }
  absl::string_view in = **value;
  uint32_t on_disk = 0;
  if (!keys::GetFixed32(&in, &on_disk) || !in.empty()) {
    return absl::DataLossError(
        absl::StrCat("data directory ", dir_, ": unreadable schema version"));
  }
  if (on_disk > kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory ", dir_, " has schema version ", on_disk,
                     " but this build understands up to ", kSchemaVersion,
                     "; run a newer dibao-server"));
  }
  return absl::OkStatus();
}

absl::Status Store::Write(rocksdb::WriteBatch& batch) {
  if (!db_) return absl::FailedPreconditionError("store is closed");
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  return Written(db_->Write(wo, &batch), "write");
}

absl::Status Store::WriteBuffered(rocksdb::WriteBatch& batch) {
  if (!db_) return absl::FailedPreconditionError("store is closed");
  return Written(db_->Write(rocksdb::WriteOptions(), &batch), "write");
}

absl::Status Store::Written(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  if (!s.IsIOError()) return FromRocks(s, what);
  // RocksDB refuses every write after one that failed on the disk, until
  // it recovers: the server says so (health) until ProbeWritable() works.
  const bool full = s.IsNoSpace();
  std::string why =
      full ? absl::StrCat("the disk of data directory ", dir_, " is full")
           : absl::StrCat("data directory ", dir_, " cannot be written");
  NoteWriteFailure(absl::StrCat(why, " (", s.ToString(), ")"));
  why = absl::StrCat(why, ": nothing of this change was stored (", what, ": ",
                     s.ToString(), "); reads go on, and writes resume once ",
                     full ? "space is freed" : "the disk works again");
  return full ? absl::ResourceExhaustedError(why) : absl::UnavailableError(why);
}

void Store::NoteWriteFailure(std::string why) {
  absl::MutexLock lock(&failure_mu_);
  if (write_failure_.empty()) write_failure_ = std::move(why);
}

std::string Store::write_failure() const {
  absl::MutexLock lock(&failure_mu_);
  return write_failure_;
}

absl::StatusOr<int64_t> Store::FreeBytes() const {
  struct statvfs fs;
  if (::statvfs(dir_.c_str(), &fs) != 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot read the free space of ", dir_, ": ", std::strerror(errno)));
  }
  return static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
}

absl::Status Store::ProbeWritable() {
  if (!db_) return absl::FailedPreconditionError("store is closed");
  // Leaves the background-error state if RocksDB has not already (an
  // error here is the probe write's to report).
  db_->Resume().PermitUncheckedError();
  rocksdb::WriteBatch probe;
  probe.Put(handle(Cf::kMeta), keys::MetaKey(kWriteProbeName), "");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &probe);
  if (!s.ok()) return Written(s, "write probe");
  absl::MutexLock lock(&failure_mu_);
  write_failure_.clear();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Store::Get(
    Cf cf, absl::string_view key, const rocksdb::Snapshot* snapshot) const {
  if (!db_) return absl::FailedPreconditionError("store is closed");
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  rocksdb::Status s =
      db_->Get(ro, handle(cf), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok())
    return FromRocks(s, absl::StrCat("read ", kCfNames[static_cast<int>(cf)]));
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<uint64_t> Store::GetCounter(absl::string_view name) const {
  auto bytes = Get(Cf::kMeta, keys::MetaKey(name));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return uint64_t{0};
  absl::string_view in = **bytes;
  uint64_t value = 0;
  if (!keys::GetFixed64(&in, &value) || !in.empty()) {
    return absl::DataLossError(absl::StrCat("unreadable counter ", name));
  }
  return value;
}

std::unique_ptr<rocksdb::Iterator> Store::NewIterator(
    Cf cf, const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  // Facts are read per person (the prefix): seeks use the prefix filters
  // and iteration ends at the person's last key.
  ro.prefix_same_as_start = cf == Cf::kFacts;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, handle(cf)));
}

std::unique_ptr<rocksdb::Iterator> Store::NewScanIterator(
    Cf cf, const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.total_order_seek = true;
  ro.fill_cache = false;
  ro.readahead_size = 2 << 20;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, handle(cf)));
}

absl::Status Store::CompactAll() {
  if (!db_) return absl::FailedPreconditionError("store is closed");
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(options, h, nullptr, nullptr), "compact"));
  }
  return absl::OkStatus();
}

absl::Status Store::IngestAtomically(
    const std::vector<std::pair<Cf, std::string>>& files) {
  if (!db_) return absl::FailedPreconditionError("store is closed");
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const auto& [cf, path] : files) {
    rocksdb::ColumnFamilyHandle* const family = handle(cf);
    auto it = std::find_if(args.begin(), args.end(), [&](const auto& a) {
      return a.column_family == family;
    });
    if (it == args.end()) {
      args.emplace_back();
      it = args.end() - 1;
      it->column_family = handle(cf);
      it->options.move_files = true;
      it->options.snapshot_consistency = true;
      it->options.allow_global_seqno = true;
      it->options.allow_blocking_flush = true;
    }
    it->external_files.push_back(path);
  }
  if (args.empty()) return absl::OkStatus();
  return Written(db_->IngestExternalFiles(args), "ingest");
}

absl::Status Store::Close() {
  absl::Status result;
  if (db_) {
    result = FromRocks(db_->FlushWAL(/*sync=*/true), "flush WAL");
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    rocksdb::Status s = db_->Close();
    if (result.ok()) result = FromRocks(s, "close");
    db_.reset();
  }
  if (lock_fd_ >= 0) {
    ::flock(lock_fd_, LOCK_UN);
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  return result;
}

Store::~Store() { Close().IgnoreError(); }

}  // namespace dibao
