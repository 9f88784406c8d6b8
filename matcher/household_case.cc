#include "matcher/household_case.h"

#include <atomic>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/status_macros.h"
#include "formats/feed_kinds.h"
#include "storage/keys.h"

namespace dibao {

v1::Fact CurrentFact::ToProto() const {
  v1::Fact fact;
  if (const FeedKindSpec* spec = FindFeedKind(kind); spec != nullptr) {
    fact.set_agency(spec->agency);
  }
  fact.set_kind(kind);
  *fact.mutable_record() = version->record();
  fact.set_batch_id(version->batch_id());
  *fact.mutable_valid_from() = version->as_of();
  if (has_valid_to) *fact.mutable_valid_to() = dibao::ToProto(valid_to);
  return fact;
}

void HouseholdCase::Reset(const v1::Household* household, absl::CivilDay day) {
  household_ = household;
  day_ = day;
  members_.resize(household->members_size());
  for (int m = 0; m < household->members_size(); ++m) {
    members_[m].member = &household->members(m);
    members_[m].facts.clear();
  }
  // A household's facts take a few KiB: the arena is emptied only once it
  // holds a few hundred households' worth, so its blocks are reused rather
  // than freed and allocated again for every household.
  if (arena_->SpaceUsed() > (1 << 20)) arena_->Reset();
}

v1::FactVersion* HouseholdCase::NewVersion() {
  return google::protobuf::Arena::CreateMessage<v1::FactVersion>(arena_.get());
}

namespace {

// Groups one person's stored versions into the facts in effect on a day.
class MemberFactsBuilder {
 public:
  MemberFactsBuilder(MemberCase* member, HouseholdCase* hc, absl::CivilDay day)
      : member_(member), hc_(hc), day_(day) {}

  absl::Status Add(absl::string_view key, absl::string_view value) {
    ASSIGN_OR_RETURN(keys::FactKeyParts parts, keys::DecodeFactKey(key));
    const bool same =
        have_fact_ && parts.kind == kind_ && parts.natural_key == natural_key_;
    if (!same) {
      Finish();
      have_fact_ = true;
      kind_ = parts.kind;
      natural_key_.assign(parts.natural_key.data(), parts.natural_key.size());
      current_ = CurrentFact();
      current_.kind = static_cast<v1::FeedKind>(kind_);
    }
    v1::FactVersion* v = hc_->NewVersion();
    if (!v->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError("unreadable stored fact");
    }
    ASSIGN_OR_RETURN(absl::CivilDay from, FromProto(v->as_of()));
    if (from > day_) {
      // Stated after the day: ends what was in effect then.
      if (current_.version != nullptr && !current_.has_valid_to) {
        current_.has_valid_to = true;
        current_.valid_to = from;
      }
      return absl::OkStatus();
    }
    current_.version = v->retired() ? nullptr : v;
    current_.has_valid_to = false;
    return absl::OkStatus();
  }

  // Keeps the fact being read, if it is in effect.
  void Finish() {
    if (have_fact_ && current_.version != nullptr) {
      member_->facts.push_back(current_);
    }
    have_fact_ = false;
  }

 private:
  MemberCase* member_;
  HouseholdCase* hc_;
  const absl::CivilDay day_;
  uint32_t kind_ = 0;
  std::string natural_key_;
  bool have_fact_ = false;
  CurrentFact current_;
};

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
                                const rocksdb::Snapshot* snapshot, int threads,
                                size_t budget_bytes) {
  parts_.clear();
  // Everyone in the registry, in ID order.
  std::vector<std::string> ids;
  {
    auto it = store.NewIterator(Cf::kMemberIndex, snapshot);
    const std::string prefix = keys::MemberPrefix();
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      ASSIGN_OR_RETURN(absl::string_view id,
                       keys::DecodeMemberKey(absl::string_view(
                           it->key().data(), it->key().size())));
      ids.emplace_back(id);
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "read the member index"));
  }
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

FactReader::FactReader(const Store* store, const rocksdb::Snapshot* snapshot,
                       const FactPrefetch* prefetch)
    : it_(store->NewIterator(Cf::kFacts, snapshot)), prefetch_(prefetch) {}

absl::Status FactReader::Load(const v1::Household& household,
                              absl::CivilDay day, HouseholdCase* out) {
  out->Reset(&household, day);
  std::string prefix;
  for (int m = 0; m < household.members_size(); ++m) {
    MemberFactsBuilder builder(&out->member(m), out, day);
    const std::string& id = household.members(m).id_number();
    // Someone who joined a household after the prefetch is read from the
    // store.
    if (prefetch_ != nullptr) {
      absl::Status status;
      const bool found = prefetch_->ForEach(
          id, [&](absl::string_view key, absl::string_view value) {
            if (status.ok()) status = builder.Add(key, value);
          });
      RETURN_IF_ERROR(status);
      if (found) {
        builder.Finish();
        continue;
      }
    }
    prefix = keys::FactPrefix(id);
    for (it_->Seek(prefix); it_->Valid() && it_->key().starts_with(prefix);
         it_->Next()) {
      RETURN_IF_ERROR(builder.Add(
          absl::string_view(it_->key().data(), it_->key().size()),
          absl::string_view(it_->value().data(), it_->value().size())));
    }
    builder.Finish();
    RETURN_IF_ERROR(FromRocks(it_->status(), "read facts"));
  }
  return absl::OkStatus();
}

}  // namespace dibao
