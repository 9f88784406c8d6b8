// Flags: findings stored with their state. A flag is the conflict, not its
// numbers: a finding is the same conflict as a flag of the same household,
// rule and member whose identity keys (the partner facts' natural keys,
// Finding.identity_keys) overlap its own, or when either has none; amounts,
// reported values and the day never make a new flag.
//
// Match() and Reconcile() are the cycle's step for one household:
// - a finding of no flag becomes an OPEN flag with the next flag ID;
// - an OPEN or NEEDS_VISIT flag found again is updated in place: its
//   evidence gains a version when it changed (an amount moved, a fact was
//   added), last_seen moves, claim, comments, visits and first_seen stay;
// - an AUTO_RESOLVED flag whose conflict is back within the policy's
//   reopen window is reopened (REOPENED), not raised anew;
// - a CONFIRMED or DISMISSED flag stays settled while its conflict
//   persists; when the evidence changes materially (a partner fact the
//   decision did not rest on, or an estimated overpayment up by more than
//   the policy's material change) it is reopened with what is new beside
//   the earlier decision;
// - an OPEN flag no longer found becomes AUTO_RESOLVED with the reason,
//   unless a sustaining finding (the household passes the rule's test by no
//   more than the resolution margin) keeps it open.
// Writes go into the caller's WriteBatch, so they commit with the rest of
// the cycle's progress.
//
// Flags stored before identity keys existed are matched by the keys of
// their stored evidence and keep the key they were stored under (their
// fingerprint, now their Flag.identity): no migration step, no state lost.
//
// Thread-safe for reads. Writers of flags (the cycle, reviews) hold mutex()
// from reading a flag to writing it.
#ifndef DIBAO_MATCHER_FLAG_STORE_H_
#define DIBAO_MATCHER_FLAG_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/policy.pb.h"
#include "dibao/v1/registry.pb.h"
#include "feeds/fact_reader.h"
#include "rocksdb/write_batch.h"
#include "storage/store.h"

namespace dibao {

// What a cycle did to the flags of one rule.
struct RuleCounts {
  int64_t new_flags = 0;
  int64_t still_open = 0;
  int64_t auto_resolved = 0;
  int64_t reopened = 0;
  // Of still_open: the evidence changed and the flag was updated in place.
  int64_t updated = 0;
};

// How a household's findings line up with its stored flags (Match()).
struct FlagMatch {
  // For each finding, the index in `existing` of the flag that is the same
  // conflict, or -1: a new flag.
  std::vector<int> flag_of;
  // For each sustaining finding, the open flag it keeps open, or -1.
  std::vector<int> sustained_flag_of;
  // Findings that become new flags (take a new flag ID).
  int new_flags = 0;
};

// One partner fact's contribution to a conflict's identity: 16 hex digits
// of SHA-256 over its person, kind and natural key (NaturalKeyText), never
// its amounts. Finding.identity_keys holds these.
std::string FactIdentityKey(v1::FeedKind kind, const v1::FeedRecord& record);
// By rule code, in code order.
using FlagCounts = std::map<std::string, RuleCounts>;

// A stored flag as the cycle reads it. Settled flags (AUTO_RESOLVED,
// DISMISSED) pile up over the years and are rarely touched again, so they
// are kept as bytes with only their key fields and state filled in, and
// parsed in full only when a finding of their rule is matched against them.
struct StoredFlag {
  // Complete when `full`; otherwise only state, identity and finding.rule
  // are set.
  v1::Flag flag;
  std::string raw;
  bool full = false;
  // Parses `raw` into `flag` once.
  absl::Status Complete();
};

// Whether a caseworker's decision dismissed a flag because the partner's
// fact was wrong (PARTNER_DATA_WRONG, WRONG_PERSON): feedback for the agency.
bool FaultsPartnerData(const v1::ReviewDecision& decision);

struct FlagFilter {
  std::string rule;                                  // empty: any
  v1::FlagState state = v1::FLAG_STATE_UNSPECIFIED;  // any
  std::string household_id;                          // empty: any
};

struct FlagPage {
  std::vector<v1::Flag> flags;
  std::string next_page_token;  // empty on the last page
};

// "F0000123" for 123.
std::string FormatFlagId(uint64_t seq);
// INVALID_ARGUMENT unless `id` is F followed by digits.
absl::StatusOr<uint64_t> ParseFlagId(absl::string_view id);

class FlagStore {
 public:
  static constexpr int kDefaultPageSize = 1000;
  static constexpr int kMaxPageSize = 10000;

  // `store` must outlive the FlagStore.
  explicit FlagStore(Store* store) : store_(store) {}

  absl::Mutex& mutex() { return mu_; }

  // Every flag of one household, in key order (rule, fingerprint).
  absl::StatusOr<std::vector<v1::Flag>> HouseholdFlags(
      absl::string_view household_id,
      const rocksdb::Snapshot* snapshot = nullptr) const;
  // Reads the flags of households in ascending household order with one
  // iterator: a household without flags (most of them) costs a key
  // comparison, not a seek. Not thread-safe; one per reader.
  class Cursor {
   public:
    Cursor(const FlagStore& flags, const rocksdb::Snapshot* snapshot)
        : it_(flags.store_->NewIterator(Cf::kFlags, snapshot)) {}
    // The flags of `household_id` into `out`. Fastest in ascending key
    // order (the households family's order); any order is correct.
    absl::Status Read(absl::string_view household_id,
                      std::vector<StoredFlag>* out);

   private:
    std::unique_ptr<rocksdb::Iterator> it_;
    bool positioned_ = false;
    std::string last_;  // the previous household's prefix
  };

  // Which stored flag each finding is (see the top of this file), reading
  // in full the settled flags of the findings' rules. `findings` null means
  // the household is no longer active. `sustaining` may be null. The
  // match's new_flags is how many flag IDs Reconcile() will take:
  // households can be matched in parallel, each numbering from its own
  // start, and still get the IDs a one-by-one pass would give. DATA_LOSS
  // when a stored flag cannot be read.
  static absl::StatusOr<FlagMatch> Match(
      const std::vector<v1::Finding>* findings,
      const std::vector<v1::Finding>* sustaining,
      std::vector<StoredFlag>& existing, absl::CivilDay day,
      const v1::Policy& policy);

  // Brings the household's `existing` flags in line with `findings` found on
  // `day` under `policy`, as `match` (from Match() on the same arguments)
  // pairs them; `findings` null means the household is no longer active
  // (every OPEN flag resolves). New flag IDs come from `*next_flag_seq`
  // (the caller stores the counter). Only changed flags are written.
  // With `withdrawals`, a flag no longer found whose partner fact its agency
  // withdrew says so: an OPEN one resolves with the withdrawal as its
  // reason, a CONFIRMED or NEEDS_VISIT one is reopened for a caseworker
  // (once per withdrawal).
  absl::Status Reconcile(const v1::Household& household, absl::CivilDay day,
                         const v1::Policy& policy,
                         const std::vector<v1::Finding>* findings,
                         const std::vector<v1::Finding>* sustaining,
                         std::vector<StoredFlag> existing,
                         const FlagMatch& match, uint64_t* next_flag_seq,
                         rocksdb::WriteBatch* batch, FlagCounts* counts,
                         WithdrawalFinder* withdrawals = nullptr) const;

  // NOT_FOUND for an unknown ID; INVALID_ARGUMENT for a malformed one.
  absl::StatusOr<v1::Flag> Get(absl::string_view flag_id) const;

  // Flags matching `filter` in household order, a page at a time, without
  // their comments (Get has them): a page's size must not depend on what
  // caseworkers wrote.
  absl::StatusOr<FlagPage> List(const FlagFilter& filter, int page_size,
                                absl::string_view page_token) const;

  // Calls `fn` for every flag matching `filter`; stops at its first error.
  absl::Status ForEach(
      const FlagFilter& filter,
      const std::function<absl::Status(const v1::Flag&)>& fn) const;

  // Writes one flag as it is (its key from household, rule, identity),
  // bumping its version. For tests.
  absl::Status Put(v1::Flag flag);
  // The same into `batch` (the review queue commits it with its audit
  // entry); bumps flag->version.
  void Stage(v1::Flag* flag, rocksdb::WriteBatch* batch) const;

 private:
  Store* const store_;
  absl::Mutex mu_;
};

}  // namespace dibao

#endif  // DIBAO_MATCHER_FLAG_STORE_H_
