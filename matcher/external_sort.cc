#include "matcher/external_sort.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <queue>

#include "absl/strings/str_cat.h"
#include "matcher/keys.h"

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

absl::Status IoError(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// Reads one run file sequentially: [u32 key size][u32 value size][key][value].
class RunReader {
 public:
  static absl::StatusOr<std::unique_ptr<RunReader>> Open(
      const std::string& path) {
    std::unique_ptr<RunReader> r(new RunReader());
    r->path_ = path;
    r->file_ = std::fopen(path.c_str(), "rb");
    if (r->file_ == nullptr) return IoError("cannot read sort run", path);
    r->buffer_.resize(kIoBuffer);
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
      absl::StrCat(options_.scratch_dir, "/run-", run_paths_.size()));
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
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return IoError("cannot write sort run", path);
  std::vector<char> io(kIoBuffer);
  std::setvbuf(f, io.data(), _IOFBF, io.size());
  std::string header;
  bool ok = true;
  for (const Entry& e : buffer.entries) {
    header.clear();
    keys::PutFixed32(&header, e.key_size);
    keys::PutFixed32(&header, e.value_size);
    ok = ok && std::fwrite(header.data(), 1, header.size(), f) == header.size();
    const size_t n = size_t{e.key_size} + e.value_size;
    ok = ok && std::fwrite(buffer.arena.data() + e.offset, 1, n, f) == n;
  }
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) return IoError("cannot write sort run", path);
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
  std::vector<std::unique_ptr<RunReader>> runs;
  for (const auto& path : run_paths_) {
    auto r = RunReader::Open(path);
    if (!r.ok()) return r.status();
    runs.push_back(*std::move(r));
  }
  return std::unique_ptr<Iterator>(new MergeIterator(std::move(runs)));
}

}  // namespace dibao
