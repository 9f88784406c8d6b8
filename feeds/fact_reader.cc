#include "feeds/fact_reader.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/status_macros.h"
#include "feeds/internal/feed_validation.h"
#include "formats/feed_kinds.h"
#include "storage/keys.h"

namespace dibao {
namespace {

// A facts-family entry as the callers see it.
absl::Status Visit(
    absl::string_view key, absl::string_view value,
    absl::FunctionRef<absl::Status(const StoredFactVersion&)> fn) {
  ASSIGN_OR_RETURN(keys::FactKeyParts parts, keys::DecodeFactKey(key));
  StoredFactVersion v;
  v.kind = parts.kind;
  v.natural_key = parts.natural_key;
  v.version = value;
  return fn(v);
}

}  // namespace

struct FactPrefetch::Part {
  std::string first_id;  // the part's range starts here
  // Each person is [u32 ID size][ID][u32 entries size][entries].
  std::vector<std::unique_ptr<char[]>> blocks;
  // ID (viewing the copy in `blocks`, so no string of its own) -> where
  // its entries start.
  absl::flat_hash_map<absl::string_view, const char*> where;
};

FactPrefetch::FactPrefetch() = default;
FactPrefetch::~FactPrefetch() = default;

const char* FactPrefetch::Find(absl::string_view id_number,
                               const char** end) const {
  // The last part starting at or before the ID.
  const Part* part = nullptr;
  for (const auto& p : parts_) {
    if (p->first_id <= id_number) part = p.get();
  }
  if (part == nullptr) return nullptr;
  auto it = part->where.find(id_number);
  if (it == part->where.end()) return nullptr;
  uint32_t n;
  std::memcpy(&n, it->second, 4);
  *end = it->second + 4 + n;
  return it->second + 4;
}

absl::Status FactPrefetch::Load(const Store& store,
                                const rocksdb::Snapshot* snapshot,
                                const std::vector<std::string>& ids,
                                int threads, size_t budget_bytes) {
  parts_.clear();
  threads = std::max(1, std::min<int>(threads, static_cast<int>(ids.size())));
  constexpr size_t kBlock = 16 << 20;
  std::atomic<size_t> total{0};
  std::vector<absl::Status> errors(threads);
  for (int t = 0; t < threads; ++t) parts_.push_back(std::make_unique<Part>());
  auto work = [&](int t) {
    Part& part = *parts_[t];
    const size_t from = ids.size() * t / threads;
    const size_t to = ids.size() * (t + 1) / threads;
    if (from < to) part.first_id = ids[from];
    part.where.reserve(to - from);
    auto it = store.NewScanIterator(Cf::kFacts, snapshot);
    char* block = nullptr;
    size_t used = kBlock;
    std::string prefix;
    std::string entries;
    for (size_t i = from; i < to; ++i) {
      prefix = keys::FactPrefix(ids[i]);
      const rocksdb::Slice target(prefix);
      // A seek, even to the next key: cheaper than stepping over the
      // people between two members (most people the partners report on are
      // not beneficiaries), and it reuses the block it is already in.
      it->Seek(target);
      entries.clear();
      for (; it->Valid() && it->key().starts_with(target); it->Next()) {
        const uint32_t k = static_cast<uint32_t>(it->key().size());
        const uint32_t v = static_cast<uint32_t>(it->value().size());
        entries.append(reinterpret_cast<const char*>(&k), 4);
        entries.append(it->key().data(), k);
        entries.append(reinterpret_cast<const char*>(&v), 4);
        entries.append(it->value().data(), v);
      }
      if (entries.empty()) continue;
      const std::string& id = ids[i];
      const size_t size = 8 + id.size() + entries.size();
      if (total.fetch_add(size) + size > budget_bytes) {
        errors[t] = absl::ResourceExhaustedError(
            absl::StrCat("the registry members' facts take more than ",
                         budget_bytes >> 20, " MiB"));
        return;
      }
      if (used + size > kBlock) {
        part.blocks.push_back(std::make_unique<char[]>(std::max(kBlock, size)));
        block = part.blocks.back().get();
        used = 0;
      }
      char* p = block + used;
      const uint32_t id_size = static_cast<uint32_t>(id.size());
      const uint32_t entries_size = static_cast<uint32_t>(entries.size());
      std::memcpy(p, &id_size, 4);
      std::memcpy(p + 4, id.data(), id_size);
      std::memcpy(p + 4 + id_size, &entries_size, 4);
      std::memcpy(p + 8 + id_size, entries.data(), entries_size);
      part.where.emplace(absl::string_view(p + 4, id_size), p + 4 + id_size);
      used += size;
    }
    errors[t] = FromRocks(it->status(), "read facts");
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back(work, t);
  work(0);
  for (std::thread& w : workers) w.join();
  for (const absl::Status& e : errors) {
    if (!e.ok()) {
      parts_.clear();
      return e;
    }
  }
  return absl::OkStatus();
}

PersonFactReader::PersonFactReader(const Store* store,
                                   const rocksdb::Snapshot* snapshot,
                                   const FactPrefetch* prefetch)
    : it_(store->NewIterator(Cf::kFacts, snapshot)), prefetch_(prefetch) {}

absl::Status PersonFactReader::ForEach(
    absl::string_view id_number,
    absl::FunctionRef<absl::Status(const StoredFactVersion&)> fn) {
  if (prefetch_ != nullptr) {
    const char* end = nullptr;
    const char* p = prefetch_->Find(id_number, &end);
    if (p != nullptr) {
      while (p < end) {
        uint32_t n;
        std::memcpy(&n, p, 4);
        const absl::string_view key(p + 4, n);
        p += 4 + n;
        std::memcpy(&n, p, 4);
        const absl::string_view value(p + 4, n);
        p += 4 + n;
        RETURN_IF_ERROR(Visit(key, value, fn));
      }
      return absl::OkStatus();
    }
  }
  prefix_ = keys::FactPrefix(id_number);
  for (it_->Seek(prefix_); it_->Valid() && it_->key().starts_with(prefix_);
       it_->Next()) {
    RETURN_IF_ERROR(
        Visit(absl::string_view(it_->key().data(), it_->key().size()),
              absl::string_view(it_->value().data(), it_->value().size()), fn));
  }
  return FromRocks(it_->status(), "read facts");
}

WithdrawalFinder::WithdrawalFinder(const Store* store,
                                   const rocksdb::Snapshot* snapshot)
    : store_(store), snapshot_(snapshot) {}

WithdrawalFinder::~WithdrawalFinder() = default;

absl::StatusOr<std::optional<v1::Withdrawal>> WithdrawalFinder::Find(
    const v1::Fact& fact, absl::CivilDay day) {
  const FeedKindSpec* spec = FindFeedKind(fact.kind());
  if (spec == nullptr) return std::optional<v1::Withdrawal>();
  // The natural key as the commit made it: read off the record's bytes.
  fact.record().SerializeToString(&bytes_);
  std::vector<RecordError> errors;
  ValidateFeedFields(*spec, bytes_, /*withdrawal=*/true, &errors,
                     &natural_key_);
  if (!errors.empty()) return std::optional<v1::Withdrawal>();
  if (it_ == nullptr) it_ = store_->NewIterator(Cf::kFacts, snapshot_);
  const std::string prefix = keys::FactVersionsPrefix(
      fact.record().id_number(), static_cast<uint32_t>(fact.kind()),
      natural_key_);
  std::optional<v1::Withdrawal> found;
  v1::FactVersion v;
  for (it_->Seek(prefix); it_->Valid() && it_->key().starts_with(prefix);
       it_->Next()) {
    if (!v.ParseFromArray(it_->value().data(),
                          static_cast<int>(it_->value().size()))) {
      return absl::DataLossError("unreadable stored fact version");
    }
    if (!v.has_withdrawal()) continue;
    auto as_of = FromProto(v.as_of());
    if (as_of.ok() && *as_of <= day) found = v.withdrawal();
  }
  RETURN_IF_ERROR(FromRocks(it_->status(), "read fact versions"));
  return found;
}

absl::Status ForEachPersonWithCurrentFacts(
    const Store& store, const rocksdb::Snapshot* snapshot, v1::FeedKind kind,
    absl::FunctionRef<absl::Status(absl::string_view id_number)> fn) {
  const std::string prefix = keys::FactIndexPrefix(kind);
  auto it = store.NewIterator(Cf::kFactIndex, snapshot);
  std::string last_id;
  for (it->Seek(prefix);
       it->Valid() && it->key().starts_with(rocksdb::Slice(prefix));
       it->Next()) {
    ASSIGN_OR_RETURN(keys::FactIndexKeyParts parts,
                     keys::DecodeFactIndexKey(absl::string_view(
                         it->key().data(), it->key().size())));
    if (parts.id_number == last_id) continue;
    last_id = std::string(parts.id_number);
    RETURN_IF_ERROR(fn(last_id));
  }
  return FromRocks(it->status(), "read the fact index");
}

}  // namespace dibao
