#include "storage/external_sort.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <queue>

#include "absl/strings/str_cat.h"
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
  return absl::UnavailableError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// Reads one run file sequentially: [u32 key size][u32 value size][key][value].
class RunReader {
 public:
  static absl::StatusOr<std::unique_ptr<RunReader>> Open(
      const std::string& path, size_t buffer_bytes) {
    std::unique_ptr<RunReader> r(new RunReader());
    r->path_ = path;
    r->file_ = std::fopen(path.c_str(), "rb");
    if (r->file_ == nullptr) return IoError("cannot read sort run", path);
    r->buffer_.resize(buffer_bytes);
    std::setvbuf(r->file_, r->buffer_.data(), _IOFBF, r->buffer_.size());
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
    const size_t n = std::fread(header, 1, sizeof(header), file_);
    if (n == 0 && std::feof(file_)) {
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
    if (std::fread(record_.data(), 1, record_.size(), file_) !=
        record_.size()) {
      Fail();
      return;
    }
    key_size_ = k;
    valid_ = true;
  }

 private:
  RunReader() = default;
  void Fail() {
    valid_ = false;
    status_ = absl::DataLossError(absl::StrCat("truncated sort run ", path_));
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
  std::string record_;
  size_t key_size_ = 0;
  bool valid_ = false;
  absl::Status status_;
};

// Writes one run file.
class RunWriter {
 public:
  explicit RunWriter(std::string path) : path_(std::move(path)) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ != nullptr) {
      std::setvbuf(file_, buffer_.data(), _IOFBF, buffer_.size());
    }
    ok_ = file_ != nullptr;
  }
  ~RunWriter() {
    if (file_ != nullptr) std::fclose(file_);
  }
  void Append(absl::string_view key, absl::string_view value) {
    header_.clear();
    keys::PutFixed32(&header_, static_cast<uint32_t>(key.size()));
    keys::PutFixed32(&header_, static_cast<uint32_t>(value.size()));
    ok_ = ok_ && Write(header_) && Write(key) && Write(value);
  }
  absl::Status Close() {
    if (file_ != nullptr) {
      ok_ = (std::fclose(file_) == 0) && ok_;
      file_ = nullptr;
    }
    return ok_ ? absl::OkStatus() : IoError("cannot write sort run", path_);
  }

 private:
  bool Write(absl::string_view bytes) {
    return std::fwrite(bytes.data(), 1, bytes.size(), file_) == bytes.size();
  }
  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_ = std::vector<char>(kIoBuffer);
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
  for (const auto& path : run_paths_) std::filesystem::remove(path, ec);
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
  run_paths_.push_back(
      absl::StrCat(options_.scratch_dir, "/run-", runs_spilled_++));
  std::swap(filling_, spilling_);
  spill_thread_ = std::thread([this, path = run_paths_.back()] {
    spill_status_ = WriteRun(spilling_, path);
  });
  return wait ? WaitForSpill() : absl::OkStatus();
}

absl::Status ExternalSorter::WriteRun(Buffer& buffer, const std::string& path) {
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
  RunWriter out(path);
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
      auto r = RunReader::Open(run_paths_[i], buffer_bytes);
      if (!r.ok()) return r.status();
      runs.push_back(*std::move(r));
    }
    return std::unique_ptr<Iterator>(new MergeIterator(std::move(runs)));
  };
  while (run_paths_.size() > kMaxFanIn) {
    auto merging = open(kMaxFanIn);
    if (!merging.ok()) return merging.status();
    const std::string path =
        absl::StrCat(options_.scratch_dir, "/merged-", merges_++);
    RunWriter out(path);
    for (; (*merging)->Valid(); (*merging)->Next()) {
      out.Append((*merging)->key(), (*merging)->value());
    }
    if (!(*merging)->status().ok()) return (*merging)->status();
    if (absl::Status s = out.Close(); !s.ok()) return s;
    merging->reset();
    std::error_code ec;
    for (size_t i = 0; i < kMaxFanIn; ++i) {
      std::filesystem::remove(run_paths_[i], ec);
    }
    run_paths_.erase(run_paths_.begin(), run_paths_.begin() + kMaxFanIn);
    run_paths_.insert(run_paths_.begin(), path);
  }
  return open(run_paths_.size());
}

}  // namespace dibao
