#include "storage/audit_log.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "storage/keys.h"

namespace dibao {
namespace {

const std::string& ZeroHash() {
  static const std::string* zero = new std::string(32, '\0');
  return *zero;
}

// A stored entry is [SHA-256 of the entry's bytes][the entry's bytes]: an
// entry whose bytes changed is found by its own hash, one replaced whole
// (hash recomputed) by the next entry's prev_hash, so Verify() can name the
// entry that was touched either way.
constexpr size_t kHashSize = 32;

std::string EncodeStored(const std::string& entry_bytes) {
  return absl::StrCat(Sha256::Of(entry_bytes), entry_bytes);
}

bool DecodeStored(absl::string_view value, absl::string_view* hash,
                  absl::string_view* entry_bytes) {
  if (value.size() < kHashSize) return false;
  *hash = value.substr(0, kHashSize);
  *entry_bytes = value.substr(kHashSize);
  return true;
}

bool ParseStored(absl::string_view value, v1::AuditEntry* e) {
  absl::string_view hash, bytes;
  return DecodeStored(value, &hash, &bytes) &&
         e->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(Store* store,
                                                         Clock* clock) {
  std::unique_ptr<AuditLog> log(new AuditLog(store, clock));
  ASSIGN_OR_RETURN(auto head,
                   store->Get(Cf::kMeta, keys::MetaKey(kAuditHeadName)));
  absl::MutexLock lock(&log->mu_);
  if (head && !log->head_.ParseFromString(*head)) {
    return absl::DataLossError("the audit chain's head is unreadable");
  }
  if (!head) log->head_.set_hash(ZeroHash());
  return log;
}

uint64_t AuditLog::head_seq() const {
  absl::MutexLock lock(&mu_);
  return static_cast<uint64_t>(head_.seq());
}

absl::Status AuditLog::Append(v1::AuditEntry entry) {
  std::vector<v1::AuditEntry> entries;
  entries.push_back(std::move(entry));
  rocksdb::WriteBatch batch;
  return Commit(std::move(entries), &batch);
}

absl::Status AuditLog::Commit(std::vector<v1::AuditEntry> entries,
                              rocksdb::WriteBatch* batch) {
  for (const v1::AuditEntry& e : entries) {
    if (e.actor().empty()) {
      return absl::InvalidArgumentError(
          "an audited change needs an actor (a caseworker or operator ID)");
    }
    if (e.action() == v1::AUDIT_ACTION_UNSPECIFIED) {
      return absl::InvalidArgumentError("an audit entry needs an action");
    }
  }
  absl::MutexLock lock(&mu_);
  v1::AuditHead head = head_;
  const auto now = ToProto(clock_->Now());
  for (v1::AuditEntry& e : entries) {
    e.set_seq(head.seq() + 1);
    if (!e.has_at()) *e.mutable_at() = now;
    e.set_prev_hash(head.hash());
    const std::string stored = EncodeStored(e.SerializeAsString());
    const uint64_t seq = static_cast<uint64_t>(e.seq());
    batch->Put(store_->handle(Cf::kAudit), keys::AuditKey(seq), stored);
    if (!e.household_id().empty()) {
      batch->Put(store_->handle(Cf::kAuditByHousehold),
                 keys::AuditHouseholdKey(e.household_id(), seq), "");
    }
    head.set_seq(e.seq());
    head.set_hash(stored.substr(0, kHashSize));
  }
  batch->Put(store_->handle(Cf::kMeta), keys::MetaKey(kAuditHeadName),
             head.SerializeAsString());
  RETURN_IF_ERROR(store_->Write(*batch));
  head_ = std::move(head);
  return absl::OkStatus();
}

absl::StatusOr<v1::AuditVerification> AuditLog::Verify() const {
  v1::AuditVerification v;
  // One consistent view of the chain and its head.
  Store::Snapshot snapshot(*store_);
  ASSIGN_OR_RETURN(
      auto head_bytes,
      store_->Get(Cf::kMeta, keys::MetaKey(kAuditHeadName), snapshot.get()));
  v1::AuditHead head;
  if (head_bytes && !head.ParseFromString(*head_bytes)) {
    v.set_problem("the chain's head is unreadable");
    return v;
  }
  auto broken = [&v](int64_t seq, std::string problem) {
    v.set_ok(false);
    v.set_first_broken_seq(seq);
    v.set_problem(std::move(problem));
    return v;
  };
  std::string prev_hash = ZeroHash();
  int64_t expected = 1;
  const std::string prefix = keys::AuditPrefix();
  auto it = store_->NewIterator(Cf::kAudit, snapshot.get());
  v1::AuditEntry e;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next(), ++expected) {
    ASSIGN_OR_RETURN(const uint64_t seq,
                     keys::DecodeAuditKey(absl::string_view(it->key().data(),
                                                            it->key().size())));
    v.set_entries(v.entries() + 1);
    if (static_cast<int64_t>(seq) != expected) {
      return broken(expected, absl::StrCat("entry ", expected,
                                           " is missing (the chain "
                                           "goes on at entry ",
                                           seq, ")"));
    }
    absl::string_view hash, bytes;
    if (!DecodeStored(absl::string_view(it->value().data(), it->value().size()),
                      &hash, &bytes) ||
        !e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return broken(expected,
                    absl::StrCat("entry ", expected, " is unreadable"));
    }
    if (Sha256::Of(bytes) != hash) {
      return broken(expected,
                    absl::StrCat("entry ", expected,
                                 " was changed after it was written"));
    }
    if (e.seq() != expected) {
      return broken(expected, absl::StrCat("entry ", expected,
                                           " says it is entry ", e.seq()));
    }
    if (e.prev_hash() != prev_hash) {
      // This entry is as written, so the one before was replaced since.
      return broken(expected - 1, absl::StrCat("entry ", expected - 1,
                                               " was replaced after entry ",
                                               expected, " was chained to it"));
    }
    prev_hash.assign(hash.data(), hash.size());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the audit chain"));
  const int64_t last = expected - 1;
  if (head.seq() != last) {
    return broken(last + 1,
                  absl::StrCat("the chain ends at entry ", last,
                               " but its head says entry ", head.seq()));
  }
  if (last > 0 && head.hash() != prev_hash) {
    return broken(last, absl::StrCat("entry ", last,
                                     " was replaced after it was written"));
  }
  v.set_ok(true);
  v.set_head_hash(Sha256::Hex(prev_hash));
  return v;
}

absl::Status AuditLog::ForHousehold(
    absl::string_view household_id,
    const std::function<absl::Status(const v1::AuditEntry&)>& fn) const {
  const std::string prefix = keys::AuditHouseholdPrefix(household_id);
  auto it = store_->NewIterator(Cf::kAuditByHousehold);
  v1::AuditEntry e;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    ASSIGN_OR_RETURN(keys::AuditHouseholdKeyParts parts,
                     keys::DecodeAuditHouseholdKey(absl::string_view(
                         it->key().data(), it->key().size())));
    ASSIGN_OR_RETURN(auto stored,
                     store_->Get(Cf::kAudit, keys::AuditKey(parts.seq)));
    if (!stored || !ParseStored(*stored, &e)) {
      return absl::DataLossError(
          absl::StrCat("audit entry ", parts.seq, " is missing or unreadable"));
    }
    RETURN_IF_ERROR(fn(e));
  }
  return FromRocks(it->status(), "read the audit index");
}

absl::StatusOr<std::vector<v1::AuditEntry>> AuditLog::List(uint64_t after_seq,
                                                           int limit) const {
  std::vector<v1::AuditEntry> out;
  const std::string prefix = keys::AuditPrefix();
  auto it = store_->NewIterator(Cf::kAudit);
  for (it->Seek(keys::AuditKey(after_seq + 1));
       it->Valid() && it->key().starts_with(prefix) &&
       static_cast<int>(out.size()) < limit;
       it->Next()) {
    if (!ParseStored(absl::string_view(it->value().data(), it->value().size()),
                     &out.emplace_back())) {
      return absl::DataLossError("unreadable audit entry");
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the audit chain"));
  return out;
}

}  // namespace dibao
