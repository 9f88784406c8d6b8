#include "storage/commit_sink.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/sst_file_writer.h"
#include "storage/keys.h"

namespace dibao {
namespace {

// Entries are handed to a family's thread in blocks of about this size;
// at most kMaxQueuedBlocks wait, which bounds the sink's memory.
constexpr size_t kBlockBytes = 1 << 20;
constexpr size_t kMaxQueuedBlocks = 8;

// Families read by range scans only: a whole-key Bloom filter never helps
// them, so their ingested files are built without one (compaction adds it
// back under the family's own options).
bool ScannedOnly(Cf cf) {
  return cf == Cf::kFacts || cf == Cf::kDirtyPersons ||
         cf == Cf::kDirtyHouseholds || cf == Cf::kFeedRejections;
}

// Files are synced when finished; asking the kernel to write them out as
// they grow means the final sync (which the commit waits for) finds little
// left to do, and the disk works while the CPU builds the rest.
rocksdb::EnvOptions SstEnvOptions() {
  rocksdb::EnvOptions o;
  o.bytes_per_sync = 1 << 20;
  return o;
}

}  // namespace

// One family's SST file, built on its own thread from blocks of entries:
// [u8 op][u32 key size][u32 value size][key][value], op 1 = put, 0 = delete.
class CommitSink::FileWriter {
 public:
  FileWriter(Store* store, Cf cf, std::string path)
      : path_(std::move(path)),
        writer_(SstEnvOptions(), store->sst_options(cf), store->handle(cf),
                /*invalidate_page_cache=*/false, rocksdb::Env::IO_TOTAL,
                /*skip_filters=*/ScannedOnly(cf)) {
    status_ = FromRocks(writer_.Open(path_), "open " + path_);
    thread_ = std::thread([this] { Run(); });
  }

  ~FileWriter() {
    Close();
    // A file not ingested (an abandoned or failed commit) is removed.
    if (!ingested_) {
      std::error_code ec;
      std::filesystem::remove(path_, ec);
    }
  }

  void Add(absl::string_view key, std::optional<absl::string_view> value) {
    block_.push_back(value ? 1 : 0);
    keys::PutFixed32(&block_, static_cast<uint32_t>(key.size()));
    keys::PutFixed32(&block_, static_cast<uint32_t>(value ? value->size() : 0));
    block_.append(key.data(), key.size());
    if (value) block_.append(value->data(), value->size());
    if (block_.size() >= kBlockBytes) Hand();
  }

  // Finishes the file (waiting for the thread). OK with `has_file` false
  // when nothing was written.
  absl::Status Finish(bool* has_file) {
    Close();
    absl::MutexLock lock(&mu_);
    *has_file = has_file_;
    return status_;
  }

  const std::string& path() const { return path_; }
  void set_ingested() { ingested_ = true; }

 private:
  void Hand() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](FileWriter* w) {
          return w->done_ || w->queue_.size() < kMaxQueuedBlocks;
        },
        this));
    // After a failure the thread has stopped: the entries go nowhere, and
    // Finish() reports the failure.
    if (!done_) queue_.push_back(std::move(block_));
    block_.clear();
    if (!spare_.empty()) {
      block_ = std::move(spare_.back());
      spare_.pop_back();
      block_.clear();
    }
  }

  void Close() {
    if (!thread_.joinable()) return;
    if (!block_.empty()) Hand();
    {
      absl::MutexLock lock(&mu_);
      closing_ = true;
    }
    thread_.join();
  }

  void Run() {
    rocksdb::Status s;
    while (true) {
      std::string block;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](FileWriter* w) { return w->closing_ || !w->queue_.empty(); },
            this));
        if (queue_.empty()) break;
        block = std::move(queue_.front());
        queue_.pop_front();
      }
      absl::string_view in = block;
      while (s.ok() && !in.empty()) {
        const bool put = in[0] == 1;
        in.remove_prefix(1);
        uint32_t key_size = 0, value_size = 0;
        keys::GetFixed32(&in, &key_size);
        keys::GetFixed32(&in, &value_size);
        const rocksdb::Slice key(in.data(), key_size);
        const rocksdb::Slice value(in.data() + key_size, value_size);
        in.remove_prefix(size_t{key_size} + value_size);
        s = put ? writer_.Put(key, value) : writer_.Delete(key);
      }
      absl::MutexLock lock(&mu_);
      if (spare_.size() < 2) spare_.push_back(std::move(block));
      if (!s.ok()) break;
    }
    bool has_file = false;
    if (s.ok()) {
      s = writer_.Finish();
      // RocksDB refuses to finish an empty file: nothing to ingest there.
      has_file = s.ok();
      if (s.IsInvalidArgument() && writer_.FileSize() == 0) s = {};
    }
    absl::MutexLock lock(&mu_);
    if (status_.ok()) status_ = FromRocks(s, "write " + path_);
    has_file_ = has_file;
    done_ = true;
    queue_.clear();
  }

  const std::string path_;
  rocksdb::SstFileWriter writer_;
  std::string block_;  // being filled by the caller
  std::thread thread_;
  absl::Mutex mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> spare_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool has_file_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;  // the thread has stopped
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  bool ingested_ = false;
};

CommitSink::CommitSink(Store* store, std::string scratch_dir,
                       std::vector<Cf> streamed)
    : store_(store),
      scratch_dir_(std::move(scratch_dir)),
      streamed_(std::move(streamed)) {}

CommitSink::~CommitSink() = default;

bool CommitSink::IsStreamed(Cf cf) const {
  return std::find(streamed_.begin(), streamed_.end(), cf) != streamed_.end();
}

CommitSink::FileWriter& CommitSink::WriterOf(Cf cf) {
  std::unique_ptr<FileWriter>& w = writers_[cf];
  if (w == nullptr) {
    std::error_code ec;
    std::filesystem::create_directories(scratch_dir_, ec);
    w = std::make_unique<FileWriter>(
        store_, cf,
        absl::StrCat(scratch_dir_, "/", kCfNames[static_cast<int>(cf)],
                     ".sst"));
  }
  return *w;
}

void CommitSink::Write(Cf cf, absl::string_view key,
                       std::optional<absl::string_view> value) {
  if (!uses_sst()) {
    const rocksdb::Slice k(key.data(), key.size());
    if (value) {
      batch_.Put(store_->handle(cf), k,
                 rocksdb::Slice(value->data(), value->size()));
    } else {
      batch_.Delete(store_->handle(cf), k);
    }
    return;
  }
  if (!IsStreamed(cf)) {
    buffered_[cf][std::string(key)] =
        value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
    return;
  }
  WriterOf(cf).Add(key, value);
}

void CommitSink::Put(Cf cf, absl::string_view key, absl::string_view value) {
  Write(cf, key, value);
}

void CommitSink::Delete(Cf cf, absl::string_view key) {
  Write(cf, key, std::nullopt);
}

absl::Status CommitSink::Commit() {
  if (!uses_sst()) return store_->Write(batch_);

  // Buffered families become files now, in key order.
  for (auto& [cf, entries] : buffered_) {
    FileWriter& w = WriterOf(cf);
    for (const auto& [key, value] : entries) {
      w.Add(key,
            value ? std::optional<absl::string_view>(*value) : std::nullopt);
    }
  }
  buffered_.clear();
  std::vector<std::pair<Cf, std::string>> files;
  absl::Status status;
  for (auto& [cf, writer] : writers_) {
    bool has_file = false;
    absl::Status s = writer->Finish(&has_file);
    if (!s.ok() && status.ok()) status = s;
    if (has_file) files.emplace_back(cf, writer->path());
  }
  if (!status.ok()) return status;
  absl::Status ingested = store_->IngestAtomically(files);
  if (ingested.ok()) {
    for (auto& [cf, writer] : writers_) writer->set_ingested();  // moved away
  }
  return ingested;
}

}  // namespace dibao
