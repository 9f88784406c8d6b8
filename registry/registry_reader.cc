#include "registry/registry_reader.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "storage/keys.h"

namespace dibao {

absl::StatusOr<bool> RegistryReader::ReadHousehold(
    absl::string_view household_id, const rocksdb::Snapshot* snapshot,
    std::string* bytes) const {
  ASSIGN_OR_RETURN(
      std::optional<std::string> stored,
      store_->Get(Cf::kHouseholds, keys::HouseholdKey(household_id), snapshot));
  if (!stored) return false;
  *bytes = *std::move(stored);
  return true;
}

absl::StatusOr<std::optional<v1::Household>> RegistryReader::GetHousehold(
    absl::string_view household_id, const rocksdb::Snapshot* snapshot) const {
  std::string bytes;
  ASSIGN_OR_RETURN(const bool found,
                   ReadHousehold(household_id, snapshot, &bytes));
  if (!found) return std::optional<v1::Household>();
  v1::Household h;
  if (!h.ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("household ", household_id, " is unreadable"));
  }
  return std::optional<v1::Household>(std::move(h));
}

absl::StatusOr<std::optional<std::string>> RegistryReader::HouseholdOfMember(
    absl::string_view id_number, const rocksdb::Snapshot* snapshot) const {
  return store_->Get(Cf::kMemberIndex, keys::MemberKey(id_number), snapshot);
}

absl::StatusOr<std::vector<std::string>> RegistryReader::MemberIds(
    const rocksdb::Snapshot* snapshot) const {
  std::vector<std::string> ids;
  auto it = store_->NewIterator(Cf::kMemberIndex, snapshot);
  const std::string prefix = keys::MemberPrefix();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    ASSIGN_OR_RETURN(absl::string_view id,
                     keys::DecodeMemberKey(absl::string_view(
                         it->key().data(), it->key().size())));
    ids.emplace_back(id);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the member index"));
  return ids;
}

absl::StatusOr<uint64_t> RegistryReader::LastChangeSeq() const {
  return store_->GetCounter(kRegistryChangeSeqCounter);
}

absl::Status RegistryReader::ForEachChangedHousehold(
    uint64_t after_seq, uint64_t through_seq,
    absl::FunctionRef<void(absl::string_view household_id)> fn) const {
  auto it = store_->NewIterator(Cf::kRegistryChanges);
  const std::string end = keys::ChangeKey(through_seq + 1);
  for (it->Seek(keys::ChangeKey(after_seq + 1));
       it->Valid() && it->key().compare(end) < 0; it->Next()) {
    // The value is the change's history key, which leads with the household.
    ASSIGN_OR_RETURN(keys::HistoryKeyParts parts,
                     keys::DecodeHistoryKey(absl::string_view(
                         it->value().data(), it->value().size())));
    fn(parts.household_id);
  }
  return FromRocks(it->status(), "read registry changes");
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
RegistryReader::Streets(absl::string_view district,
                        const rocksdb::Snapshot* snapshot) const {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string prefix =
      district.empty() ? keys::AreaPrefix() : keys::AreaPrefix(district);
  auto it = store_->NewIterator(Cf::kAreaIndex, snapshot);
  it->Seek(prefix);
  while (it->Valid() && it->key().starts_with(rocksdb::Slice(prefix))) {
    ASSIGN_OR_RETURN(keys::AreaKeyParts parts,
                     keys::DecodeAreaKey(absl::string_view(it->key().data(),
                                                           it->key().size())));
    out.emplace_back(std::string(parts.district), std::string(parts.street));
    // Past every key of this street: the next component's length starts
    // with a zero byte.
    it->Seek(keys::AreaPrefix(parts.district, parts.street) + "\xff");
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the area index"));
  return out;
}

HouseholdScan::HouseholdScan(const Store* store, absl::string_view after_id)
    : it_(store->NewIterator(Cf::kHouseholds)),
      prefix_(keys::HouseholdPrefix()) {
  if (after_id.empty()) {
    it_->Seek(prefix_);
  } else {
    const std::string after = keys::HouseholdKey(after_id);
    it_->Seek(after);
    if (it_->Valid() && it_->key() == after) it_->Next();
  }
  Settle();
}

absl::string_view HouseholdScan::bytes() const {
  return absl::string_view(it_->value().data(), it_->value().size());
}

void HouseholdScan::Next() {
  it_->Next();
  Settle();
}

void HouseholdScan::Settle() {
  valid_ = it_->Valid() && it_->key().starts_with(prefix_);
  if (!valid_) return;
  auto id = keys::DecodeHouseholdKey(
      absl::string_view(it_->key().data(), it_->key().size()));
  if (!id.ok()) {
    status_ = id.status();
    valid_ = false;
    return;
  }
  id_ = *id;
}

absl::Status HouseholdScan::status() const {
  RETURN_IF_ERROR(status_);
  return FromRocks(it_->status(), "read households");
}

MemberCursor::MemberCursor(const Store* store,
                           const rocksdb::Snapshot* snapshot)
    : it_(store->NewIterator(Cf::kMemberIndex, snapshot)) {
  // Member-index keys ('M' + ID) sort like the IDs asked for.
  it_->Seek(keys::MemberKey(""));
}

std::optional<absl::string_view> MemberCursor::HouseholdOf(
    absl::string_view id_number) {
  constexpr int kMaxSteps = 16;
  keys::MemberKey(id_number, &key_);
  int steps = 0;
  while (it_->Valid() &&
         absl::string_view(it_->key().data(), it_->key().size()) < key_) {
    if (++steps > kMaxSteps) {
      it_->Seek(key_);
      break;
    }
    it_->Next();
  }
  if (it_->Valid() &&
      absl::string_view(it_->key().data(), it_->key().size()) == key_) {
    return absl::string_view(it_->value().data(), it_->value().size());
  }
  return std::nullopt;
}

absl::Status MemberCursor::status() const {
  return FromRocks(it_->status(), "read the member index");
}

}  // namespace dibao
