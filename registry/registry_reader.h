// Read-only views of the registry's column families (households,
// member_index, area_index, registry_changes) for the libraries above it:
// the cycle, the intake check, the forecast and the feed store's dirty
// marks ask here instead of decoding the registry's keys and values
// themselves. Writes go through Registry (registry.h).
//
// Every read takes an optional RocksDB snapshot (Store::Snapshot::get()),
// so a caller can make several reads from one consistent view.
//
// Thread-safe: RegistryReader holds nothing but the store. A HouseholdScan
// or MemberCursor is used by one thread at a time.
#ifndef DIBAO_REGISTRY_REGISTRY_READER_H_
#define DIBAO_REGISTRY_REGISTRY_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/registry.pb.h"
#include "storage/store.h"

namespace dibao {

class RegistryReader {
 public:
  // `store` must outlive the reader.
  explicit RegistryReader(const Store* store) : store_(store) {}

  // The stored bytes of a household (a serialized v1::Household) into
  // `bytes`; false when there is no such household. Bytes rather than a
  // message so that a caller assessing many households can parse each on the
  // thread that works on it.
  absl::StatusOr<bool> ReadHousehold(absl::string_view household_id,
                                     const rocksdb::Snapshot* snapshot,
                                     std::string* bytes) const;
  // The household parsed; nullopt when absent. DATA_LOSS when unreadable.
  absl::StatusOr<std::optional<v1::Household>> GetHousehold(
      absl::string_view household_id,
      const rocksdb::Snapshot* snapshot = nullptr) const;

  // The household a person (normalised 18-character ID) currently belongs
  // to; nullopt when none.
  absl::StatusOr<std::optional<std::string>> HouseholdOfMember(
      absl::string_view id_number,
      const rocksdb::Snapshot* snapshot = nullptr) const;

  // Every registry member's ID, in ID order.
  absl::StatusOr<std::vector<std::string>> MemberIds(
      const rocksdb::Snapshot* snapshot) const;

  // The registry change sequence number of the latest change (0: none).
  absl::StatusOr<uint64_t> LastChangeSeq() const;
  // Calls fn(household_id) for each change numbered after `after_seq` up to
  // `through_seq`, in change order (a household changed twice comes twice).
  absl::Status ForEachChangedHousehold(
      uint64_t after_seq, uint64_t through_seq,
      absl::FunctionRef<void(absl::string_view household_id)> fn) const;

  // Every (district, street) with households under `district` (all when
  // empty), in area order: one seek per street, not a read per household.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Streets(
      absl::string_view district, const rocksdb::Snapshot* snapshot) const;

 private:
  const Store* store_;
};

// Every household in ID order with its stored bytes: how a full cycle reads
// the registry, one pass in key order. Sees the store as it was when the
// scan was made.
class HouseholdScan {
 public:
  // Starts after `after_id` (empty: at the first household).
  HouseholdScan(const Store* store, absl::string_view after_id);

  // False at the end or on an error (see status()).
  bool Valid() const { return valid_; }
  absl::string_view id() const { return id_; }
  // A serialized v1::Household, valid until Next().
  absl::string_view bytes() const;
  void Next();
  absl::Status status() const;

 private:
  void Settle();

  std::unique_ptr<rocksdb::Iterator> it_;
  const std::string prefix_;
  bool valid_ = false;
  absl::string_view id_;
  absl::Status status_;
};

// The member index walked alongside a stream of ascending IDs: the feed
// store asks it for each person a batch changed, in ID order. It steps a
// few keys forward rather than seeking for each person (most people the
// partners report on are not beneficiaries, so most answers are "none"),
// and seeks when the next person is further ahead.
class MemberCursor {
 public:
  // `store` and `snapshot` must outlive the cursor.
  MemberCursor(const Store* store, const rocksdb::Snapshot* snapshot);

  // The household of `id_number`, or nullopt; IDs must not descend from
  // call to call. The view is valid until the next call.
  std::optional<absl::string_view> HouseholdOf(absl::string_view id_number);
  absl::Status status() const;

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string key_;  // reused for every lookup
};

}  // namespace dibao

#endif  // DIBAO_REGISTRY_REGISTRY_READER_H_
