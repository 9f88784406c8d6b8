// The beneficiary registry: households and members as they reported
// themselves, with the full history of every change.
//
// Each Upsert is one logical change and one synced WriteBatch: the household,
// its area-index entry, the member index, a history record (who, when, from
// where, which fields) and the registry-wide change sequence commit together,
// with an audit-trail entry when the registry has an AuditLog (the server's
// always does). A person may belong to one ACTIVE household only.
//
// Thread-safe: writes are serialised by an internal mutex (the duplicate-
// enrolment check is a read-modify-write); reads use RocksDB snapshots and run
// concurrently.
#ifndef DIBAO_REGISTRY_REGISTRY_H_
#define DIBAO_REGISTRY_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "dibao/v1/registry.pb.h"
#include "registry/household_validation.h"
#include "rocksdb/write_batch.h"
#include "storage/audit_log.h"
#include "storage/store.h"

namespace dibao {

// Who makes a change and where it came from, for the history.
struct ChangeContext {
  std::string actor;   // e.g. a caseworker or operator ID
  std::string source;  // e.g. "import households.csv:17", "api"
  // The version the caller read: the upsert is refused with
  // FAILED_PRECONDITION when the stored household is at another. 0: not
  // checked.
  int64_t expected_version = 0;
  // Called with the household as it will be stored, to add writes and audit
  // entries that must commit with the change or not at all (an approved
  // recommendation). Not called for an unchanged household.
  std::function<absl::Status(const v1::Household& stored,
                             rocksdb::WriteBatch* batch,
                             std::vector<v1::AuditEntry>* audit)>
      also = nullptr;
};

enum class UpsertOutcome { kCreated, kUpdated, kUnchanged };

struct UpsertResult {
  UpsertOutcome outcome = UpsertOutcome::kUnchanged;
  v1::Household household;  // as stored
};

struct ListFilter {
  std::string district_code;  // empty = any
  std::string street;         // needs district_code
  std::string community;      // needs street
  v1::HouseholdStatus status = v1::HOUSEHOLD_STATUS_UNSPECIFIED;  // = any
};

struct ListPage {
  std::vector<v1::Household> households;
  std::string next_page_token;  // empty on the last page
};

class Registry {
 public:
  static constexpr int kDefaultPageSize = 100;
  static constexpr int kMaxPageSize = 1000;

  // `store`, `clock` and `audit` (when given) must outlive the registry.
  Registry(Store* store, Clock* clock, AuditLog* audit = nullptr)
      : store_(store), clock_(clock), audit_(audit) {}

  // Creates or replaces `household` with exactly the members it lists.
  // Errors: INVALID_ARGUMENT for bad fields; FAILED_PRECONDITION when a
  // member is in another ACTIVE household (the message names it). When
  // `errors` is given it receives every problem, one per field.
  absl::StatusOr<UpsertResult> Upsert(
      v1::Household household, const ChangeContext& context,
      std::vector<FieldError>* errors = nullptr);

  // NOT_FOUND when absent.
  absl::StatusOr<v1::Household> Get(absl::string_view household_id) const;
  // The household as stored at instant `t` (its latest version at or before
  // `t`); NOT_FOUND if it did not exist yet.
  absl::StatusOr<v1::Household> GetAsOf(absl::string_view household_id,
                                        absl::Time t) const;
  // The household `id_number` (any accepted spelling) currently belongs to.
  absl::StatusOr<v1::Household> FindByMember(absl::string_view id_number) const;

  // One page of households matching `filter`, ordered by area then ID (or
  // by ID when no area is given). `page_size` <= 0 means the default.
  absl::StatusOr<ListPage> List(const ListFilter& filter, int page_size,
                                absl::string_view page_token) const;
  // Calls `fn` for every household matching `filter`, from one snapshot;
  // stops at the first error `fn` returns.
  absl::Status ForEach(
      const ListFilter& filter,
      const std::function<absl::Status(const v1::Household&)>& fn) const;

  // Every stored version of a household, oldest first.
  absl::StatusOr<std::vector<v1::HouseholdChange>> History(
      absl::string_view household_id) const;

 private:
  absl::StatusOr<std::optional<v1::Household>> Load(
      absl::string_view household_id, const rocksdb::Snapshot* snap) const;
  // Visits matching households in key order starting after `after_key`
  // (empty: from the start); `fn` returns false to stop. The key passed to
  // `fn` is the resumption point for paging.
  absl::Status Scan(const ListFilter& filter, absl::string_view after_key,
                    const rocksdb::Snapshot* snap,
                    const std::function<absl::StatusOr<bool>(
                        absl::string_view key, v1::Household&)>& fn) const;

  Store* const store_;
  Clock* const clock_;
  AuditLog* const audit_;
  absl::Mutex write_mu_;
};

}  // namespace dibao

#endif  // DIBAO_REGISTRY_REGISTRY_H_
