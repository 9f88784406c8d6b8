#include "storage/external_sort.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <queue>

#include "absl/strings/str_cat.h"
#include "base/aes_ctr.h"
#include "storage/keys.h"

namespace dibao {
namespace {

constexpr size_t kEntryOverhead = sizeof(int64_t) * 6;
constexpr size_t kPrefixBytes = 24;

uint64_t BigEndianWord(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
constexpr size_t kIoBuffer = 1 << 20;
constexpr size_t kMinReadBuffer = 64 << 10;

absl::Status IoError(absl::string_view what, const std::string& path) {
  if (errno == ENOSPC || errno == EDQUOT) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, " ", path, ": ", std::strerror(errno),
                     " (the disk is full: nothing of this upload was stored)"));
  }
  return absl::UnavailableError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// Reads one run file sequentially: [u32 key size][u32 value size][key][value],
// decrypting each buffer it reads.
class RunReader {
 public:
  static absl::StatusOr<std::unique_ptr<RunReader>> Open(
      const std::string& path, const AesCtr& cipher, size_t buffer_bytes) {
    std::unique_ptr<RunReader> r(new RunReader(cipher));
    r->path_ = path;
    r->file_ = std::fopen(path.c_str(), "rb");
    if (r->file_ == nullptr) return IoError("cannot read sort run", path);
    std::setvbuf(r->file_, nullptr, _IONBF, 0);
    r->buffer_.resize(buffer_bytes);
    r->Next();
    return r;
  }
  ~RunReader() {
    if (file_ != nullptr) std::fclose(file_);
  }
  bool valid() const { return valid_; }
  absl::string_view key() const { return {record_.data(), key_size_}; }
  absl::string_view value() const {
    return {record_.data() + key_size_, record_.size() - key_size_};
  }
  const absl::Status& status() const { return status_; }

  void Next() {
    char header[8];
    const size_t n = Read(header, sizeof(header));
    if (n == 0 && status_.ok()) {
      valid_ = false;
      return;
    }
    absl::string_view in(header, n);
    uint32_t k = 0, v = 0;
    if (n != sizeof(header) || !keys::GetFixed32(&in, &k) ||
        !keys::GetFixed32(&in, &v)) {
      Fail();
      return;
    }
    record_.resize(size_t{k} + v);
    if (Read(record_.data(), record_.size()) != record_.size()) {
      Fail();
      return;
    }
    key_size_ = k;
    valid_ = true;
  }

 private:
  explicit RunReader(const AesCtr& cipher) : cipher_(cipher) {}
  void Fail() {
    valid_ = false;
    if (status_.ok()) {
      status_ = absl::DataLossError(absl::StrCat("truncated sort run ", path_));
    }
  }
  // Up to `n` bytes into `out`: fewer only at the end of the file (or on an
  // error, which status_ then holds).
  size_t Read(char* out, size_t n) {
    size_t done = 0;
    while (done < n) {
      if (pos_ == end_ && !Fill()) break;
      const size_t take = std::min(n - done, end_ - pos_);
      std::memcpy(out + done, buffer_.data() + pos_, take);
      pos_ += take;
      done += take;
    }
    return done;
  }
  bool Fill() {
    const size_t got = std::fread(buffer_.data(), 1, buffer_.size(), file_);
    if (got == 0) return false;
    if (absl::Status s = cipher_.Apply(offset_, buffer_.data(), got); !s.ok()) {
      status_ = s;
      return false;
    }
    offset_ += got;
    pos_ = 0;
    end_ = got;
    return true;
  }

  const AesCtr cipher_;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t offset_ = 0;
  std::string record_;
  size_t key_size_ = 0;
  bool valid_ = false;
  absl::Status status_;
};

// Writes one run file, each buffer encrypted before it reaches the disk:
// a run holds a batch's records, people's IDs and incomes among them.
class RunWriter {
 public:
  RunWriter(std::string path, const AesCtr& cipher)
      : path_(std::move(path)), cipher_(cipher) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ != nullptr) std::setvbuf(file_, nullptr, _IONBF, 0);
    ok_ = file_ != nullptr;
  }
  ~RunWriter() {
    if (file_ != nullptr) std::fclose(file_);
  }
  void Append(absl::string_view key, absl::string_view value) {
    header_.clear();
    keys::PutFixed32(&header_, static_cast<uint32_t>(key.size()));
    keys::PutFixed32(&header_, static_cast<uint32_t>(value.size()));
    Write(header_);
    Write(key);
    Write(value);
  }
  absl::Status Close() {
    Flush();
    if (file_ != nullptr) {
      ok_ = (std::fclose(file_) == 0) && ok_;
      file_ = nullptr;
    }
    return ok_ ? absl::OkStatus() : IoError("cannot write sort run", path_);
  }

 private:
  void Write(absl::string_view bytes) {
    while (!bytes.empty() && ok_) {
      const size_t take = std::min(bytes.size(), buffer_.size() - used_);
      std::memcpy(buffer_.data() + used_, bytes.data(), take);
      used_ += take;
      bytes.remove_prefix(take);
      if (used_ == buffer_.size()) Flush();
    }
  }
  void Flush() {
    if (!ok_ || used_ == 0) return;
    ok_ = cipher_.Apply(offset_, buffer_.data(), used_).ok() &&
          std::fwrite(buffer_.data(), 1, used_, file_) == used_;
    offset_ += used_;
    used_ = 0;
  }
  std::string path_;
  const AesCtr cipher_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_ = std::vector<char>(kIoBuffer);
  size_t used_ = 0;
  uint64_t offset_ = 0;
  std::string header_;
  bool ok_ = false;
};

// Merges runs with a heap; ties go to the earlier run (earlier insertions).
class MergeIterator : public ExternalSorter::Iterator {
 public:
  explicit MergeIterator(std::vector<std::unique_ptr<RunReader>> runs)
      : runs_(std::move(runs)) {
    for (size_t i = 0; i < runs_.size(); ++i) {
      if (!runs_[i]->status().ok()) status_ = runs_[i]->status();
      if (runs_[i]->valid()) heap_.push(i);
    }
  }
  bool Valid() const override { return status_.ok() && !heap_.empty(); }
  absl::string_view key() const override { return runs_[heap_.top()]->key(); }
  absl::string_view value() const override {
    return runs_[heap_.top()]->value();
  }
  void Next() override {
    const size_t i = heap_.top();
    heap_.pop();
    runs_[i]->Next();
    if (!runs_[i]->status().ok()) status_ = runs_[i]->status();
    if (runs_[i]->valid()) heap_.push(i);
  }
  absl::Status status() const override { return status_; }

 private:
  struct Greater {
    const std::vector<std::unique_ptr<RunReader>>* runs;
    bool operator()(size_t a, size_t b) const {
      const int c = (*runs)[a]->key().compare((*runs)[b]->key());
      return c > 0 || (c == 0 && a > b);
    }
  };
  std::vector<std::unique_ptr<RunReader>> runs_;
  std::priority_queue<size_t, std::vector<size_t>, Greater> heap_{
      Greater{&runs_}};
  absl::Status status_;
};

}  // namespace

ExternalSorter::ExternalSorter(Options options)
    : options_(std::move(options)) {}

ExternalSorter::~ExternalSorter() {
  if (spill_thread_.joinable()) spill_thread_.join();
  std::error_code ec;
  for (const Run& run : runs_) std::filesystem::remove(run.path, ec);
}

absl::Status ExternalSorter::Add(absl::string_view key,
                                 absl::string_view value) {
  if (finished_)
    return absl::FailedPreconditionError("sorter already finished");
  if (key.size() > UINT32_MAX || value.size() > UINT32_MAX) {
    return absl::InvalidArgumentError("sort entry too large");
  }
  if (filling_.arena.capacity() == 0) {
    // Grown once, not by doubling: copying tens of megabytes on every
    // growth step cost more than the sort.
    filling_.arena.reserve(options_.memory_budget_bytes);
  }
  Entry& e = filling_.entries.emplace_back();
  char padded[kPrefixBytes] = {};
  std::memcpy(padded, key.data(), std::min(key.size(), kPrefixBytes));
  for (int i = 0; i < 3; ++i) e.prefix[i] = BigEndianWord(padded + 8 * i);
  e.offset = filling_.arena.size();
  e.key_size = static_cast<uint32_t>(key.size());
  e.value_size = static_cast<uint32_t>(value.size());
  e.seq = count_++;
  filling_.arena.append(key.data(), key.size());
  filling_.arena.append(value.data(), value.size());
  if (filling_.arena.size() + filling_.entries.size() * kEntryOverhead >=
      options_.memory_budget_bytes) {
    return Spill(/*wait=*/false);
  }
  return absl::OkStatus();
}

absl::Status ExternalSorter::WaitForSpill() {
  if (spill_thread_.joinable()) spill_thread_.join();
  return spill_status_;
}

absl::Status ExternalSorter::Spill(bool wait) {
  if (absl::Status s = WaitForSpill(); !s.ok()) return s;
  if (filling_.entries.empty()) return absl::OkStatus();
  std::error_code ec;
  std::filesystem::create_directories(options_.scratch_dir, ec);
  absl::StatusOr<Run> run =
      NewRun(absl::StrCat(options_.scratch_dir, "/run-", runs_spilled_++));
  if (!run.ok()) return run.status();
  runs_.push_back(*std::move(run));
  std::swap(filling_, spilling_);
  spill_thread_ = std::thread(
      [this, run = runs_.back()] { spill_status_ = WriteRun(spilling_, run); });
  return wait ? WaitForSpill() : absl::OkStatus();
}

absl::StatusOr<ExternalSorter::Run> ExternalSorter::NewRun(std::string path) {
  // A key of its own for every run, never written anywhere: what a crash
  // leaves in the scratch directory cannot be read by anyone.
  absl::StatusOr<std::string> secret =
      AesCtr::RandomBytes(AesCtr::kKeyBytes + AesCtr::kNonceBytes);
  if (!secret.ok()) return secret.status();
  absl::StatusOr<AesCtr> cipher =
      AesCtr::Create(absl::string_view(*secret).substr(0, AesCtr::kKeyBytes),
                     absl::string_view(*secret).substr(AesCtr::kKeyBytes));
  if (!cipher.ok()) return cipher.status();
  return Run{std::move(path), *std::move(cipher)};
}

absl::Status ExternalSorter::WriteRun(Buffer& buffer, const Run& run) {
  auto key_of = [&buffer](const Entry& e) {
    return absl::string_view(buffer.arena.data() + e.offset, e.key_size);
  };
  std::sort(buffer.entries.begin(), buffer.entries.end(),
            [&](const Entry& a, const Entry& b) {
              for (int i = 0; i < 3; ++i) {
                if (a.prefix[i] != b.prefix[i])
                  return a.prefix[i] < b.prefix[i];
              }
              const int c = key_of(a).compare(key_of(b));
              return c < 0 || (c == 0 && a.seq < b.seq);
            });
  RunWriter out(run.path, run.cipher);
  for (const Entry& e : buffer.entries) {
    const absl::string_view kv(buffer.arena.data() + e.offset,
                               size_t{e.key_size} + e.value_size);
    out.Append(kv.substr(0, e.key_size), kv.substr(e.key_size));
  }
  if (absl::Status s = out.Close(); !s.ok()) return s;
  buffer.arena.clear();
  buffer.entries.clear();
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ExternalSorter::Iterator>>
ExternalSorter::Finish() {
  if (finished_)
    return absl::FailedPreconditionError("sorter already finished");
  finished_ = true;
  // The last run is spilled too: one code path, and the memory is released
  // before the merge's reads begin.
  if (absl::Status s = Spill(/*wait=*/true); !s.ok()) return s;
  filling_ = Buffer();
  spilling_ = Buffer();
  // At most kMaxFanIn runs are read at once, each through a buffer sized so
  // that all of them fit the memory budget: a batch of any size merges in
  // bounded memory and open files. Beyond that, the earliest runs are merged
  // into one first (it replaces them at the front, so ties still go to
  // earlier insertions).
  const size_t buffer_bytes = std::clamp<size_t>(
      options_.memory_budget_bytes / kMaxFanIn, kMinReadBuffer, kIoBuffer);
  auto open = [&](size_t n) -> absl::StatusOr<std::unique_ptr<Iterator>> {
    std::vector<std::unique_ptr<RunReader>> runs;
    for (size_t i = 0; i < n; ++i) {
      auto r = RunReader::Open(runs_[i].path, runs_[i].cipher, buffer_bytes);
      if (!r.ok()) return r.status();
      runs.push_back(*std::move(r));
    }
    return std::unique_ptr<Iterator>(new MergeIterator(std::move(runs)));
  };
  while (runs_.size() > kMaxFanIn) {
    auto merging = open(kMaxFanIn);
    if (!merging.ok()) return merging.status();
    absl::StatusOr<Run> merged =
        NewRun(absl::StrCat(options_.scratch_dir, "/merged-", merges_++));
    if (!merged.ok()) return merged.status();
    RunWriter out(merged->path, merged->cipher);
    for (; (*merging)->Valid(); (*merging)->Next()) {
      out.Append((*merging)->key(), (*merging)->value());
    }
    if (!(*merging)->status().ok()) return (*merging)->status();
    if (absl::Status s = out.Close(); !s.ok()) return s;
    merging->reset();
    std::error_code ec;
    for (size_t i = 0; i < kMaxFanIn; ++i) {
      std::filesystem::remove(runs_[i].path, ec);
    }
    runs_.erase(runs_.begin(), runs_.begin() + kMaxFanIn);
    runs_.insert(runs_.begin(), *std::move(merged));
  }
  return open(runs_.size());
}

}  // namespace dibao
