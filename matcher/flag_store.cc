#include "matcher/flag_store.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/dates.h"
#include "base/money.h"
#include "base/resident_id.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "formats/feed_kinds.h"
#include "formats/names.h"
#include "matcher/policy.h"
#include "storage/keys.h"

namespace dibao {
namespace {

// The state field of a serialized Flag, read off the wire without parsing
// the rest (field numbers are forever: state is 3).
std::optional<v1::FlagState> StateOf(absl::string_view bytes) {
  auto varint = [&](uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && !bytes.empty(); shift += 7) {
      const uint8_t b = static_cast<uint8_t>(bytes[0]);
      bytes.remove_prefix(1);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  };
  v1::FlagState state = v1::FLAG_STATE_UNSPECIFIED;
  while (!bytes.empty()) {
    uint64_t tag, v;
    if (!varint(&tag)) return std::nullopt;
    switch (tag & 7) {
      case 0:
        if (!varint(&v)) return std::nullopt;
        if ((tag >> 3) == v1::Flag::kStateFieldNumber) {
          state = static_cast<v1::FlagState>(v);
        }
        break;
      case 1:
        if (bytes.size() < 8) return std::nullopt;
        bytes.remove_prefix(8);
        break;
      case 2:
        if (!varint(&v) || bytes.size() < v) return std::nullopt;
        bytes.remove_prefix(v);
        break;
      case 5:
        if (bytes.size() < 4) return std::nullopt;
        bytes.remove_prefix(4);
        break;
      default:
        return std::nullopt;
    }
  }
  return state;
}

// A flag stored before Flag.identity existed is keyed by its evidence
// fingerprint: the key's last part is its identity either way.
void AdoptIdentity(absl::string_view from_key, v1::Flag* flag) {
  if (flag->identity().empty()) flag->set_identity(std::string(from_key));
}

std::string KeyOf(const v1::Flag& flag) {
  return keys::FlagKey(
      flag.household_id(), flag.finding().rule(),
      flag.identity().empty() ? flag.finding().fingerprint() : flag.identity());
}

// Parses a stored flag and its identity from its key.
absl::Status ParseStoredFlag(const rocksdb::Slice& key,
                             const rocksdb::Slice& value, v1::Flag* flag) {
  if (!flag->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("unreadable stored flag");
  }
  ASSIGN_OR_RETURN(
      keys::FlagKeyParts parts,
      keys::DecodeFlagKey(absl::string_view(key.data(), key.size())));
  AdoptIdentity(parts.identity, flag);
  return absl::OkStatus();
}

bool Matches(const FlagFilter& f, const v1::Flag& flag) {
  return (f.rule.empty() || flag.finding().rule() == f.rule) &&
         (f.state == v1::FLAG_STATE_UNSPECIFIED || flag.state() == f.state);
}

// Why an OPEN flag no longer holds, in words a caseworker can check.
std::string ResolvedReason(const v1::Household& h, const v1::Flag& flag,
                           absl::CivilDay day,
                           const std::vector<v1::Finding>* findings,
                           const std::map<std::string, std::string>& now) {
  const std::string on = FormatDate(day);
  if (findings == nullptr) {
    absl::string_view status = v1::HouseholdStatus_Name(h.status());
    absl::ConsumePrefix(&status, "HOUSEHOLD_STATUS_");
    return absl::StrCat("the household is ", status, " on ", on);
  }
  const std::string& id = flag.finding().id_number();
  if (!id.empty()) {
    bool member = false;
    for (const v1::Member& m : h.members()) member |= m.id_number() == id;
    if (!member) return absl::StrCat("the member left the household by ", on);
  }
  const std::string who = absl::StrCat(flag.finding().rule(), "/", id);
  if (auto it = now.find(who); it != now.end()) {
    return absl::StrCat("another conflict of the rule by ", on, ": now flag ",
                        it->second);
  }
  return absl::StrCat("no longer detected on ", on,
                      ": the partner facts or the reported values changed");
}

// "withdrawn by labour on 2026-11-20 (batch L-77, NEVER_HAPPENED: ...)".
std::string WithdrawnReason(const v1::Fact& fact, const v1::Withdrawal& w) {
  const FeedKindSpec* spec = FindFeedKind(fact.kind());
  absl::string_view reason = v1::WithdrawalReason_Name(w.reason());
  absl::ConsumePrefix(&reason, "WITHDRAWAL_REASON_");
  return absl::StrCat("the ", spec != nullptr ? spec->name : "partner",
                      " fact of ", MaskId(fact.record().id_number()),
                      " was withdrawn by ", AgencyName(w.agency()), " on ",
                      FormatDate(w.as_of()), " (batch ", w.batch_id(), ", ",
                      reason, w.note().empty() ? "" : ": ", w.note(), ")");
}

// The first partner fact of the flag's evidence withdrawn by `day` by a
// batch that has not yet resolved or reopened this flag.
absl::StatusOr<std::optional<std::pair<v1::Fact, v1::Withdrawal>>>
NewWithdrawal(const v1::Flag& flag, absl::CivilDay day,
              WithdrawalFinder& withdrawals) {
  for (const v1::Fact& fact : flag.finding().facts()) {
    ASSIGN_OR_RETURN(std::optional<v1::Withdrawal> w,
                     withdrawals.Find(fact, day));
    if (!w) continue;
    if (absl::c_linear_search(flag.withdrawn_by_batches(), w->batch_id())) {
      continue;
    }
    return std::make_optional(std::make_pair(fact, *std::move(w)));
  }
  return std::optional<std::pair<v1::Fact, v1::Withdrawal>>();
}

}  // namespace

bool FaultsPartnerData(const v1::ReviewDecision& decision) {
  return decision.state() == v1::FLAG_STATE_DISMISSED &&
         (decision.reason() == v1::DISMISS_REASON_PARTNER_DATA_WRONG ||
          decision.reason() == v1::DISMISS_REASON_WRONG_PERSON);
}

std::string FormatFlagId(uint64_t seq) { return absl::StrFormat("F%07d", seq); }

absl::StatusOr<uint64_t> ParseFlagId(absl::string_view id) {
  uint64_t seq = 0;
  if (id.size() < 2 || (id[0] != 'F' && id[0] != 'f') ||
      !absl::SimpleAtoi(id.substr(1), &seq) || seq == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("flag ID \"", id, "\" is not F followed by digits"));
  }
  return seq;
}

absl::StatusOr<std::vector<v1::Flag>> FlagStore::HouseholdFlags(
    absl::string_view household_id, const rocksdb::Snapshot* snapshot) const {
  std::vector<StoredFlag> stored;
  Cursor cursor(*this, snapshot);
  RETURN_IF_ERROR(cursor.Read(household_id, &stored));
  std::vector<v1::Flag> out;
  for (StoredFlag& f : stored) {
    RETURN_IF_ERROR(f.Complete());
    out.push_back(std::move(f.flag));
  }
  return out;
}

absl::Status StoredFlag::Complete() {
  if (full) return absl::OkStatus();
  std::string identity = flag.identity();
  if (!flag.ParseFromString(raw)) {
    return absl::DataLossError("unreadable stored flag");
  }
  AdoptIdentity(identity, &flag);
  full = true;
  raw.clear();
  return absl::OkStatus();
}

absl::Status FlagStore::Cursor::Read(absl::string_view household_id,
                                     std::vector<StoredFlag>* out) {
  out->clear();
  const std::string prefix = keys::FlagPrefix(household_id);
  const rocksdb::Slice target(prefix);
  // The iterator stands on the first key after the households read so far
  // (or at the end): when that is already past this household's prefix,
  // the household has no flags and no seek is needed.
  if (!positioned_ || prefix <= last_ ||
      (it_->Valid() && it_->key().compare(target) < 0)) {
    it_->Seek(target);
    positioned_ = true;
  }
  last_ = prefix;
  for (; it_->Valid() && it_->key().starts_with(target); it_->Next()) {
    StoredFlag& f = out->emplace_back();
    const absl::string_view value(it_->value().data(), it_->value().size());
    const auto state = StateOf(value);
    if (!state) return absl::DataLossError("unreadable stored flag");
    ASSIGN_OR_RETURN(keys::FlagKeyParts parts,
                     keys::DecodeFlagKey(absl::string_view(it_->key().data(),
                                                           it_->key().size())));
    if (*state == v1::FLAG_STATE_AUTO_RESOLVED ||
        *state == v1::FLAG_STATE_DISMISSED) {
      f.raw.assign(value.data(), value.size());
      f.flag.set_state(*state);
      f.flag.set_identity(std::string(parts.identity));
      f.flag.mutable_finding()->set_rule(std::string(parts.rule));
      continue;
    }
    if (!f.flag.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError("unreadable stored flag");
    }
    AdoptIdentity(parts.identity, &f.flag);
    f.full = true;
  }
  return FromRocks(it_->status(), "read flags");
}

std::string FactIdentityKey(v1::FeedKind kind, const v1::FeedRecord& record) {
  std::string piece;
  keys::PutString(&piece, record.id_number());
  keys::PutFixed32(&piece, static_cast<uint32_t>(kind));
  keys::PutString(&piece, NaturalKeyText(kind, record));
  Sha256 sha;
  sha.Update(piece);
  return Sha256::Hex(sha.Finish()).substr(0, 16);
}

namespace {

// The identity keys of a finding: its own, or for evidence stored before
// findings carried them, those of all its facts.
std::vector<std::string> IdentityOf(const v1::Finding& f) {
  std::vector<std::string> out(f.identity_keys().begin(),
                               f.identity_keys().end());
  if (out.empty()) {
    for (const v1::Fact& fact : f.facts()) {
      out.push_back(FactIdentityKey(fact.kind(), fact.record()));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return out;
}

// How well a stored conflict's keys match a finding's (both sorted): 2 they
// share a fact, 1 one side has none (a conflict of reported values alone,
// or a household-level one), 0 not the same conflict.
int Overlap(const std::vector<std::string>& a,
            const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return 1;
  for (auto i = a.begin(), j = b.begin(); i != a.end() && j != b.end();) {
    if (*i == *j) return 2;
    if (*i < *j) {
      ++i;
    } else {
      ++j;
    }
  }
  return 0;
}

bool Active(v1::FlagState s) {
  return s == v1::FLAG_STATE_OPEN || s == v1::FLAG_STATE_NEEDS_VISIT;
}
bool Settled(v1::FlagState s) {
  return s == v1::FLAG_STATE_CONFIRMED || s == v1::FLAG_STATE_DISMISSED;
}

// The evidence version a finding is, first seen on `day`.
v1::EvidenceVersion VersionOf(const v1::Finding& f, const v1::Date& day) {
  v1::EvidenceVersion v;
  v.set_fingerprint(f.fingerprint());
  *v.mutable_seen_from() = day;
  for (const v1::Fact& fact : f.facts()) {
    if (std::find(v.batch_ids().begin(), v.batch_ids().end(),
                  fact.batch_id()) == v.batch_ids().end()) {
      v.add_batch_ids(fact.batch_id());
    }
  }
  v.set_est_monthly_overpayment_fen(f.est_monthly_overpayment_fen());
  v.set_summary(f.summary());
  return v;
}

// Adds `finding` to the flag's evidence history when it differs from the
// last version; true when it did. A flag stored before the history existed
// gets its stored evidence as the first version.
bool RecordEvidence(const v1::Finding& finding, const v1::Date& today,
                    v1::Flag* flag) {
  if (flag->evidence().empty()) {
    *flag->add_evidence() = VersionOf(flag->finding(), flag->first_seen());
  }
  if (flag->evidence().rbegin()->fingerprint() == finding.fingerprint()) {
    return false;
  }
  *flag->add_evidence() = VersionOf(finding, today);
  return true;
}

// What makes a decided flag's evidence materially new: a partner fact the
// decision did not rest on, or an estimated overpayment risen by more than
// the policy's material change. Empty when nothing is.
std::string MaterialChange(const v1::Finding& decided, const v1::Finding& now,
                           const v1::Policy& policy) {
  std::vector<std::string> reasons;
  // New facts count only when they are part of the conflict's identity,
  // and only against a decision that rested on facts.
  const std::vector<std::string> before = IdentityOf(decided);
  std::vector<std::string> added;
  if (!before.empty()) {
    const std::vector<std::string> keys_now = IdentityOf(now);
    for (const v1::Fact& fact : now.facts()) {
      const std::string key = FactIdentityKey(fact.kind(), fact.record());
      if (std::binary_search(keys_now.begin(), keys_now.end(), key) &&
          !std::binary_search(before.begin(), before.end(), key)) {
        const FeedKindSpec* spec = FindFeedKind(fact.kind());
        added.push_back(absl::StrCat(spec != nullptr ? spec->name : "fact",
                                     " from batch ", fact.batch_id()));
      }
    }
  }
  if (!added.empty()) {
    reasons.push_back(
        absl::StrCat("a partner fact the decision did not rest on: ",
                     absl::StrJoin(added, ", ")));
  }
  const int64_t rise =
      now.est_monthly_overpayment_fen() - decided.est_monthly_overpayment_fen();
  if (rise > MaterialChangeFen(policy)) {
    reasons.push_back(
        absl::StrCat("the estimated overpayment rose from ",
                     FormatYuan(decided.est_monthly_overpayment_fen()), " to ",
                     FormatYuan(now.est_monthly_overpayment_fen()),
                     " yuan/month, more than the policy's ",
                     FormatYuan(MaterialChangeFen(policy))));
  }
  return absl::StrJoin(reasons, "; ");
}

}  // namespace

absl::StatusOr<FlagMatch> FlagStore::Match(
    const std::vector<v1::Finding>* findings,
    const std::vector<v1::Finding>* sustaining,
    std::vector<StoredFlag>& existing, absl::CivilDay day,
    const v1::Policy& policy) {
  FlagMatch match;
  if (findings == nullptr) return match;  // the household is not active
  const size_t n = findings->size();
  const size_t m = sustaining != nullptr ? sustaining->size() : 0;
  match.flag_of.assign(n, -1);
  match.sustained_flag_of.assign(m, -1);
  if (existing.empty()) {
    match.new_flags = static_cast<int>(n);
    return match;
  }
  // The stored flags of the rules found, read in full, with their keys.
  std::set<std::string> rules;
  for (const v1::Finding& f : *findings) rules.insert(f.rule());
  for (size_t i = 0; i < m; ++i) rules.insert((*sustaining)[i].rule());
  std::vector<std::vector<std::string>> keys(existing.size());
  for (size_t j = 0; j < existing.size(); ++j) {
    if (!rules.count(existing[j].flag.finding().rule())) continue;
    RETURN_IF_ERROR(existing[j].Complete());
    keys[j] = IdentityOf(existing[j].flag.finding());
  }
  const absl::CivilDay oldest_reopened = day - ReopenWindowDays(policy);
  std::vector<bool> taken(existing.size(), false);
  // The best untaken flag for `f`: sharing a fact beats a wildcard; an
  // active or decided flag beats a resolved one; then key order.
  auto best = [&](const v1::Finding& f, bool sustain) {
    const std::vector<std::string> mine = IdentityOf(f);
    int pick = -1, pick_rank = 0;
    for (size_t j = 0; j < existing.size(); ++j) {
      if (taken[j]) continue;
      const v1::Flag& flag = existing[j].flag;
      if (!existing[j].full || flag.finding().rule() != f.rule() ||
          flag.finding().id_number() != f.id_number()) {
        continue;
      }
      const int overlap = Overlap(keys[j], mine);
      if (overlap == 0) continue;
      int standing;
      if (Active(flag.state())) {
        standing = 2;
      } else if (Settled(flag.state())) {
        if (sustain) continue;
        standing = 2;
      } else {  // AUTO_RESOLVED
        if (sustain) continue;
        const auto resolved = FromProto(flag.resolved_on());
        if (!resolved.ok() || *resolved < oldest_reopened) continue;
        standing = 1;
      }
      const int rank = overlap * 4 + standing;
      if (rank > pick_rank) {
        pick = static_cast<int>(j);
        pick_rank = rank;
      }
    }
    if (pick >= 0) taken[pick] = true;
    return pick;
  };
  for (size_t i = 0; i < n; ++i) {
    match.flag_of[i] = best((*findings)[i], false);
    if (match.flag_of[i] < 0) ++match.new_flags;
  }
  for (size_t i = 0; i < m; ++i) {
    match.sustained_flag_of[i] = best((*sustaining)[i], true);
  }
  return match;
}

absl::Status FlagStore::Reconcile(
    const v1::Household& household, absl::CivilDay day,
    const v1::Policy& policy, const std::vector<v1::Finding>* findings,
    const std::vector<v1::Finding>* sustaining,
    std::vector<StoredFlag> existing, const FlagMatch& match,
    uint64_t* next_flag_seq, rocksdb::WriteBatch* batch, FlagCounts* counts,
    WithdrawalFinder* withdrawals) const {
  if (existing.empty() && (findings == nullptr || findings->empty())) {
    return absl::OkStatus();  // most households: nothing found, ever
  }
  const v1::Date today = ToProto(day);
  std::set<int> seen;
  // rule/member -> flag ID of what was found now, for resolution reasons.
  std::map<std::string, std::string> now;
  std::vector<std::pair<v1::Flag, bool>> writes;  // flag, is new
  // Where the household is now, on every flag written.
  auto place = [&](v1::Flag* flag) {
    flag->set_policy_version(policy.version());
    flag->set_district_code(household.district_code());
    flag->set_street(household.street());
    flag->set_community(household.community());
  };
  // Writes `flag` when it differs from what is stored.
  auto keep = [&](v1::Flag flag, const v1::Flag& old) {
    if (flag.SerializeAsString() != old.SerializeAsString()) {
      writes.emplace_back(std::move(flag), false);
    }
  };
  const size_t n = findings != nullptr ? findings->size() : 0;
  for (size_t i = 0; i < n; ++i) {
    const v1::Finding& finding = (*findings)[i];
    RuleCounts& c = (*counts)[finding.rule()];
    const std::string who =
        absl::StrCat(finding.rule(), "/", finding.id_number());
    if (match.flag_of[i] < 0) {
      v1::Flag flag;
      flag.set_flag_id(FormatFlagId(++*next_flag_seq));
      flag.set_identity(flag.flag_id());
      flag.set_household_id(household.household_id());
      flag.set_state(v1::FLAG_STATE_OPEN);
      *flag.mutable_finding() = finding;
      *flag.mutable_first_seen() = today;
      *flag.mutable_last_seen() = today;
      *flag.add_evidence() = VersionOf(finding, today);
      flag.set_version(1);
      place(&flag);
      now[who] = flag.flag_id();
      ++c.new_flags;
      writes.emplace_back(std::move(flag), true);
      continue;
    }
    StoredFlag& stored = existing[match.flag_of[i]];
    seen.insert(match.flag_of[i]);
    RETURN_IF_ERROR(stored.Complete());
    const v1::Flag& old = stored.flag;
    now[who] = old.flag_id();
    v1::Flag flag = old;
    if (*FromProto(flag.last_seen()) < day) *flag.mutable_last_seen() = today;
    if (Settled(old.state())) {
      const std::string what = MaterialChange(old.finding(), finding, policy);
      if (what.empty()) {
        // Settled, and the conflict is the one decided: the evidence is
        // kept as decided, its later versions in the history.
        RecordEvidence(finding, today, &flag);
        if (old.state() == v1::FLAG_STATE_CONFIRMED) ++c.still_open;
        keep(std::move(flag), old);
        continue;
      }
      const v1::ReviewDecision* last =
          old.decisions().empty() ? nullptr : &*old.decisions().rbegin();
      flag.set_reopened_reason(absl::StrCat(
          "reopened on ", FormatDate(day), ": ", what, " (it was ",
          FlagStateName(old.state()),
          last != nullptr ? absl::StrCat(" by ", last->by()) : "", ")"));
      flag.set_state(v1::FLAG_STATE_OPEN);
      flag.set_reopened(flag.reopened() + 1);
      RecordEvidence(finding, today, &flag);
      *flag.mutable_finding() = finding;
      place(&flag);
      ++c.reopened;
      keep(std::move(flag), old);
      continue;
    }
    if (old.state() == v1::FLAG_STATE_AUTO_RESOLVED) {
      flag.set_state(v1::FLAG_STATE_OPEN);
      flag.set_reopened(flag.reopened() + 1);
      flag.clear_resolved_reason();
      flag.clear_resolved_on();
      ++c.reopened;
    } else {
      ++c.still_open;
    }
    if (RecordEvidence(finding, today, &flag) && Active(old.state())) {
      ++c.updated;
    }
    *flag.mutable_finding() = finding;
    place(&flag);
    keep(std::move(flag), old);
  }
  // Passing by no more than the margin keeps an open flag open.
  const size_t m = sustaining != nullptr ? sustaining->size() : 0;
  for (size_t i = 0; i < m && findings != nullptr; ++i) {
    const int j = match.sustained_flag_of[i];
    if (j < 0) continue;
    seen.insert(j);
    const v1::Finding& finding = (*sustaining)[i];
    RuleCounts& c = (*counts)[finding.rule()];
    const v1::Flag& old = existing[j].flag;
    v1::Flag flag = old;
    if (*FromProto(flag.last_seen()) < day) *flag.mutable_last_seen() = today;
    ++c.still_open;
    if (RecordEvidence(finding, today, &flag)) ++c.updated;
    *flag.mutable_finding() = finding;
    place(&flag);
    keep(std::move(flag), old);
  }
  for (size_t j = 0; j < existing.size(); ++j) {
    StoredFlag& stored = existing[j];
    const v1::FlagState state = stored.flag.state();
    if (seen.count(static_cast<int>(j)) ||
        (state != v1::FLAG_STATE_OPEN && state != v1::FLAG_STATE_CONFIRMED &&
         state != v1::FLAG_STATE_NEEDS_VISIT)) {
      continue;
    }
    // A decided flag is only revisited when a fact it rested on was
    // withdrawn; an open one resolves either way.
    std::optional<std::pair<v1::Fact, v1::Withdrawal>> withdrawn;
    if (withdrawals != nullptr) {
      RETURN_IF_ERROR(stored.Complete());
      ASSIGN_OR_RETURN(withdrawn,
                       NewWithdrawal(stored.flag, day, *withdrawals));
    }
    if (state != v1::FLAG_STATE_OPEN && !withdrawn) continue;
    v1::Flag flag = stored.flag;
    if (withdrawn) flag.add_withdrawn_by_batches(withdrawn->second.batch_id());
    if (state == v1::FLAG_STATE_OPEN) {
      flag.set_state(v1::FLAG_STATE_AUTO_RESOLVED);
      flag.set_resolved_reason(
          withdrawn ? WithdrawnReason(withdrawn->first, withdrawn->second)
                    : ResolvedReason(household, flag, day, findings, now));
      *flag.mutable_resolved_on() = today;
      ++(*counts)[flag.finding().rule()].auto_resolved;
    } else {
      // Never silently undone: the decision (and an exit resting on it)
      // goes back to a caseworker, with the reason.
      const v1::ReviewDecision* last =
          flag.decisions().empty() ? nullptr : &*flag.decisions().rbegin();
      flag.set_reopened_reason(
          absl::StrCat("reopened on ", FormatDate(day), ": ",
                       WithdrawnReason(withdrawn->first, withdrawn->second),
                       " (it was ", FlagStateName(state),
                       last != nullptr ? absl::StrCat(" by ", last->by()) : "",
                       "; decide it again)"));
      flag.set_state(v1::FLAG_STATE_OPEN);
      flag.set_reopened(flag.reopened() + 1);
      ++(*counts)[flag.finding().rule()].reopened;
    }
    writes.emplace_back(std::move(flag), false);
  }
  for (auto& [flag, is_new] : writes) {
    if (!is_new) flag.set_version(flag.version() + 1);
    const std::string key = KeyOf(flag);
    batch->Put(store_->handle(Cf::kFlags), key, flag.SerializeAsString());
    if (is_new) {
      batch->Put(store_->handle(Cf::kFlagIds),
                 keys::FlagIdKey(*ParseFlagId(flag.flag_id())), key);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Flag> FlagStore::Get(absl::string_view flag_id) const {
  ASSIGN_OR_RETURN(const uint64_t seq, ParseFlagId(flag_id));
  ASSIGN_OR_RETURN(auto key, store_->Get(Cf::kFlagIds, keys::FlagIdKey(seq)));
  if (!key) return absl::NotFoundError(absl::StrCat("no flag ", flag_id));
  ASSIGN_OR_RETURN(auto value, store_->Get(Cf::kFlags, *key));
  v1::Flag flag;
  if (!value || !ParseStoredFlag(*key, *value, &flag).ok()) {
    return absl::DataLossError(
        absl::StrCat("flag ", flag_id, " is unreadable"));
  }
  return flag;
}

absl::StatusOr<FlagPage> FlagStore::List(const FlagFilter& filter,
                                         int page_size,
                                         absl::string_view page_token) const {
  if (page_size <= 0) page_size = kDefaultPageSize;
  page_size = std::min(page_size, kMaxPageSize);
  std::string after;
  if (!page_token.empty() && !absl::Base64Unescape(page_token, &after)) {
    return absl::InvalidArgumentError("page_token is not one this server gave");
  }
  const std::string prefix = filter.household_id.empty()
                                 ? keys::FlagPrefix()
                                 : keys::FlagPrefix(filter.household_id);
  FlagPage page;
  auto it = store_->NewIterator(Cf::kFlags);
  it->Seek(after.empty() ? prefix : after);
  if (!after.empty() && it->Valid() && it->key() == after) it->Next();
  v1::Flag flag;
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    flag.Clear();
    RETURN_IF_ERROR(ParseStoredFlag(it->key(), it->value(), &flag));
    if (!Matches(filter, flag)) continue;
    if (static_cast<int>(page.flags.size()) == page_size) {
      // More follow: resume after the last one listed.
      absl::Base64Escape(KeyOf(page.flags.back()), &page.next_page_token);
      break;
    }
    flag.clear_comments();
    page.flags.push_back(flag);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "list flags"));
  return page;
}

absl::Status FlagStore::ForEach(
    const FlagFilter& filter,
    const std::function<absl::Status(const v1::Flag&)>& fn) const {
  const std::string prefix = filter.household_id.empty()
                                 ? keys::FlagPrefix()
                                 : keys::FlagPrefix(filter.household_id);
  auto it = store_->NewIterator(Cf::kFlags);
  v1::Flag flag;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    flag.Clear();
    RETURN_IF_ERROR(ParseStoredFlag(it->key(), it->value(), &flag));
    if (Matches(filter, flag)) RETURN_IF_ERROR(fn(flag));
  }
  return FromRocks(it->status(), "scan flags");
}

absl::Status FlagStore::Put(v1::Flag flag) {
  rocksdb::WriteBatch batch;
  Stage(&flag, &batch);
  return store_->Write(batch);
}

void FlagStore::Stage(v1::Flag* flag, rocksdb::WriteBatch* batch) const {
  flag->set_version(flag->version() + 1);
  batch->Put(store_->handle(Cf::kFlags), KeyOf(*flag),
             flag->SerializeAsString());
}

}  // namespace dibao
