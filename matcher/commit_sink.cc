#include "matcher/commit_sink.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace dibao {

CommitSink::CommitSink(Store* store, std::string scratch_dir,
                       std::vector<Cf> streamed)
    : store_(store),
      scratch_dir_(std::move(scratch_dir)),
      streamed_(std::move(streamed)) {}

CommitSink::~CommitSink() {
  // Files not ingested (an abandoned or failed commit) are removed.
  std::error_code ec;
  for (auto& [cf, family] : families_) {
    family.writer.reset();
    if (!family.path.empty()) std::filesystem::remove(family.path, ec);
  }
}

bool CommitSink::IsStreamed(Cf cf) const {
  return std::find(streamed_.begin(), streamed_.end(), cf) != streamed_.end();
}

CommitSink::Family& CommitSink::FamilyOf(Cf cf) {
  Family& f = families_[cf];
  if (f.writer == nullptr && status_.ok()) {
    std::error_code ec;
    std::filesystem::create_directories(scratch_dir_, ec);
    f.path =
        absl::StrCat(scratch_dir_, "/", kCfNames[static_cast<int>(cf)], ".sst");
    f.writer = std::make_unique<rocksdb::SstFileWriter>(
        rocksdb::EnvOptions(), store_->sst_options(), store_->handle(cf));
    status_ = FromRocks(f.writer->Open(f.path), "open " + f.path);
  }
  return f;
}

void CommitSink::Write(Cf cf, absl::string_view key,
                       std::optional<absl::string_view> value) {
  if (!status_.ok()) return;
  const rocksdb::Slice k(key.data(), key.size());
  if (!uses_sst()) {
    if (value) {
      batch_.Put(store_->handle(cf), k,
                 rocksdb::Slice(value->data(), value->size()));
    } else {
      batch_.Delete(store_->handle(cf), k);
    }
    return;
  }
  if (!IsStreamed(cf)) {
    families_[cf].buffered[std::string(key)] =
        value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
    return;
  }
  Family& f = FamilyOf(cf);
  if (!status_.ok()) return;
  if (!f.last_key.empty() && key <= f.last_key) {
    status_ = absl::InternalError(absl::StrCat(
        "keys for ", kCfNames[static_cast<int>(cf)], " out of order"));
    return;
  }
  f.last_key.assign(key.data(), key.size());
  status_ = FromRocks(
      value ? f.writer->Put(k, rocksdb::Slice(value->data(), value->size()))
            : f.writer->Delete(k),
      "write " + f.path);
}

void CommitSink::Put(Cf cf, absl::string_view key, absl::string_view value) {
  Write(cf, key, value);
}

void CommitSink::Delete(Cf cf, absl::string_view key) {
  Write(cf, key, std::nullopt);
}

absl::Status CommitSink::Commit() {
  if (!status_.ok()) return status_;
  if (!uses_sst()) return store_->Write(batch_);

  // Buffered families become files now, in key order.
  for (auto& [cf, family] : families_) {
    if (family.buffered.empty()) continue;
    auto buffered = std::move(family.buffered);
    Family& f = FamilyOf(cf);
    for (const auto& [key, value] : buffered) {
      if (!status_.ok()) break;
      status_ =
          FromRocks(value ? f.writer->Put(key, *value) : f.writer->Delete(key),
                    "write " + f.path);
    }
  }
  if (!status_.ok()) return status_;
  std::vector<std::pair<Cf, std::string>> files;
  for (auto& [cf, family] : families_) {
    if (family.writer == nullptr) continue;
    rocksdb::Status s = family.writer->Finish();
    // RocksDB refuses to finish an empty file: nothing to ingest there.
    if (s.IsInvalidArgument()) continue;
    if (!s.ok()) return FromRocks(s, "finish " + family.path);
    files.emplace_back(cf, family.path);
  }
  absl::Status ingested = store_->IngestAtomically(files);
  if (ingested.ok()) {
    for (auto& [cf, family] : families_) family.path.clear();  // moved away
  }
  return ingested;
}

}  // namespace dibao
