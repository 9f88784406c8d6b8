// The audit trail: one append-only chain of dibao.v1.AuditEntry, each
// holding the SHA-256 of the stored bytes of the entry before it, with the
// chain's head (last seq and hash) kept beside it. Changing one stored byte
// of an entry, removing one, or cutting the end off is found by Verify(),
// which names the first entry that no longer fits.
//
// Entries commit in the same write as the change they record: a component
// that changes something audited builds its WriteBatch and hands it to
// Commit() with the entries, so there is never a change without its entry
// or an entry without its change.
//
// Thread-safe. Commit() serialises writers (the chain has one order).
// Callers with a write lock of their own (the registry's, the flags') hold
// it around Commit(): the lock order is theirs, then the log's.
#ifndef DIBAO_STORAGE_AUDIT_LOG_H_
#define DIBAO_STORAGE_AUDIT_LOG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "dibao/v1/audit.pb.h"
#include "rocksdb/write_batch.h"
#include "storage/store.h"

namespace dibao {

class AuditLog {
 public:
  // `store` and `clock` must outlive the log. Reads the chain's head.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(Store* store,
                                                        Clock* clock);

  // Numbers, stamps (`at`, when unset) and chains `entries`, adds them and
  // their household index keys to `batch`, and writes `batch` (synced).
  // The head moves only when the write succeeds. INVALID_ARGUMENT for an
  // entry without an actor or an action.
  absl::Status Commit(std::vector<v1::AuditEntry> entries,
                      rocksdb::WriteBatch* batch);

  // Commit() of one entry that records no change of its own (a read, a
  // sign-in).
  absl::Status Append(v1::AuditEntry entry);

  // Recomputes the whole chain.
  absl::StatusOr<v1::AuditVerification> Verify() const;

  // The entries about one household, in chain order.
  absl::Status ForHousehold(
      absl::string_view household_id,
      const std::function<absl::Status(const v1::AuditEntry&)>& fn) const;
  // Entries with seq > `after_seq`, in chain order, at most `limit`.
  absl::StatusOr<std::vector<v1::AuditEntry>> List(uint64_t after_seq,
                                                   int limit) const;

  // The last entry's seq (0 before any).
  uint64_t head_seq() const;

 private:
  AuditLog(Store* store, Clock* clock) : store_(store), clock_(clock) {}

  Store* const store_;
  Clock* const clock_;
  mutable absl::Mutex mu_;
  v1::AuditHead head_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dibao

#endif  // DIBAO_STORAGE_AUDIT_LOG_H_
