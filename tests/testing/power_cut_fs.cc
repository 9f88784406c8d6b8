#include "tests/testing/power_cut_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"

namespace dibao::testing {
namespace {

// Journal lines: "new F", "sync F N", "rename A B", "delete F", "open F N"
// (a file reopened with N bytes already on the disk).
class TrackedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string name,
              uint64_t size, PowerCutFs* fs)
      : FSWritableFileOwnerWrapper(std::move(file)),
        name_(std::move(name)),
        size_(size),
        fs_(fs) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) size_ += data.size();
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->Append(data, options, info, dbg);
    if (s.ok()) size_ += data.size();
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s =
        target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) size_ = std::max<uint64_t>(size_, offset + data.size());
    return s;
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->Truncate(size, options, dbg);
    if (s.ok()) size_ = size;
    return s;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* dbg) override {
    const uint64_t size = size_;
    rocksdb::IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) fs_->Log(absl::StrCat("sync ", name_, " ", size));
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    const uint64_t size = size_;
    rocksdb::IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->Log(absl::StrCat("sync ", name_, " ", size));
    return s;
  }

 private:
  const std::string name_;
  uint64_t size_;
  PowerCutFs* const fs_;
};

}  // namespace

PowerCutFs::PowerCutFs(std::shared_ptr<rocksdb::FileSystem> base,
                       const std::string& journal)
    : rocksdb::FileSystemWrapper(std::move(base)),
      fd_(::open(journal.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                 0600)) {}

PowerCutFs::~PowerCutFs() {
  if (fd_ >= 0) ::close(fd_);
}

void PowerCutFs::Log(const std::string& line) {
  const std::string l = line + "\n";
  if (::write(fd_, l.data(), l.size()) < 0) {
    // A journal that cannot be written makes the test meaningless.
    std::abort();
  }
}

rocksdb::IOStatus PowerCutFs::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
  if (!s.ok()) return s;
  Log(absl::StrCat("new ", fname));
  *result = std::make_unique<TrackedFile>(std::move(*result), fname, 0, this);
  return s;
}

rocksdb::IOStatus PowerCutFs::ReopenWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  uint64_t size = 0;
  target()
      ->GetFileSize(fname, rocksdb::IOOptions(), &size, dbg)
      .PermitUncheckedError();
  rocksdb::IOStatus s =
      target()->ReopenWritableFile(fname, options, result, dbg);
  if (!s.ok()) return s;
  Log(absl::StrCat("open ", fname, " ", size));
  *result =
      std::make_unique<TrackedFile>(std::move(*result), fname, size, this);
  return s;
}

rocksdb::IOStatus PowerCutFs::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname,
    const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s =
      target()->ReuseWritableFile(fname, old_fname, options, result, dbg);
  if (!s.ok()) return s;
  Log(absl::StrCat("rename ", old_fname, " ", fname));
  Log(absl::StrCat("new ", fname));
  *result = std::make_unique<TrackedFile>(std::move(*result), fname, 0, this);
  return s;
}

rocksdb::IOStatus PowerCutFs::RenameFile(const std::string& src,
                                         const std::string& target_name,
                                         const rocksdb::IOOptions& options,
                                         rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->RenameFile(src, target_name, options, dbg);
  if (s.ok()) Log(absl::StrCat("rename ", src, " ", target_name));
  return s;
}

rocksdb::IOStatus PowerCutFs::DeleteFile(const std::string& fname,
                                         const rocksdb::IOOptions& options,
                                         rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) Log(absl::StrCat("delete ", fname));
  return s;
}

absl::StatusOr<int64_t> CutToSynced(const std::string& journal) {
  std::ifstream in(journal);
  if (!in) return absl::NotFoundError(absl::StrCat("no journal ", journal));
  // File -> length synced (files the journal never saw are left alone).
  std::map<std::string, uint64_t> synced;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string verb, a, b;
    words >> verb >> a >> b;
    if (verb == "new") {
      synced[a] = 0;
    } else if (verb == "open") {
      if (!synced.contains(a)) synced[a] = std::stoull(b);
    } else if (verb == "sync") {
      synced[a] = std::stoull(b);
    } else if (verb == "rename") {
      auto it = synced.find(a);
      if (it != synced.end()) {
        synced[b] = it->second;
        synced.erase(it);
      } else {
        synced.erase(b);
      }
    } else if (verb == "delete") {
      synced.erase(a);
    }
  }
  int64_t dropped = 0;
  for (const auto& [name, length] : synced) {
    struct stat st;
    if (::stat(name.c_str(), &st) != 0) continue;
    if (static_cast<uint64_t>(st.st_size) <= length) continue;
    if (::truncate(name.c_str(), static_cast<off_t>(length)) == 0) {
      dropped += st.st_size - static_cast<int64_t>(length);
    }
  }
  return dropped;
}

}  // namespace dibao::testing
