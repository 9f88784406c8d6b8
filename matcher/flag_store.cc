#include "matcher/flag_store.h"

#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "base/dates.h"
#include "base/status_macros.h"
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
    return absl::StrCat("the evidence changed by ", on, ": now flag ",
                        it->second);
  }
  return absl::StrCat("no longer detected on ", on,
                      ": the partner facts or the reported values changed");
}

}  // namespace

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
  if (!flag.ParseFromString(raw)) {
    return absl::DataLossError("unreadable stored flag");
  }
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
    if (*state == v1::FLAG_STATE_AUTO_RESOLVED ||
        *state == v1::FLAG_STATE_DISMISSED) {
      ASSIGN_OR_RETURN(keys::FlagKeyParts parts,
                       keys::DecodeFlagKey(absl::string_view(
                           it_->key().data(), it_->key().size())));
      f.raw.assign(value.data(), value.size());
      f.flag.set_state(*state);
      f.flag.mutable_finding()->set_rule(std::string(parts.rule));
      f.flag.mutable_finding()->set_fingerprint(std::string(parts.fingerprint));
      continue;
    }
    if (!f.flag.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError("unreadable stored flag");
    }
    f.full = true;
  }
  return FromRocks(it_->status(), "read flags");
}

namespace {

// Findings and flags are the same conflict when rule and fingerprint agree.
std::string MatchKey(const v1::Finding& finding) {
  return absl::StrCat(finding.rule(), "\n", finding.fingerprint());
}

}  // namespace

int FlagStore::CountNewFlags(const std::vector<v1::Finding>* findings,
                             const std::vector<StoredFlag>& existing) {
  if (findings == nullptr) return 0;
  int fresh = 0;
  for (const v1::Finding& finding : *findings) {
    bool known = false;
    for (const StoredFlag& f : existing) {
      known |= f.flag.finding().rule() == finding.rule() &&
               f.flag.finding().fingerprint() == finding.fingerprint();
    }
    fresh += known ? 0 : 1;
  }
  return fresh;
}

absl::Status FlagStore::Reconcile(
    const v1::Household& household, absl::CivilDay day,
    absl::string_view policy_version, const std::vector<v1::Finding>* findings,
    std::vector<StoredFlag> existing, uint64_t* next_flag_seq,
    rocksdb::WriteBatch* batch, FlagCounts* counts) const {
  if (existing.empty() && (findings == nullptr || findings->empty())) {
    return absl::OkStatus();  // most households: nothing found, ever
  }
  const v1::Date today = ToProto(day);
  std::map<std::string, StoredFlag*> by_key;
  for (StoredFlag& f : existing) {
    by_key[MatchKey(f.flag.finding())] = &f;
  }
  std::set<const StoredFlag*> seen;
  // rule/member -> flag ID of what was found now, for resolution reasons.
  std::map<std::string, std::string> now;
  std::vector<std::pair<v1::Flag, bool>> writes;  // flag, is new
  if (findings != nullptr) {
    for (const v1::Finding& finding : *findings) {
      RuleCounts& c = (*counts)[finding.rule()];
      auto it = by_key.find(MatchKey(finding));
      if (it == by_key.end()) {
        v1::Flag flag;
        flag.set_flag_id(FormatFlagId(++*next_flag_seq));
        flag.set_household_id(household.household_id());
        flag.set_state(v1::FLAG_STATE_OPEN);
        *flag.mutable_finding() = finding;
        *flag.mutable_first_seen() = today;
        *flag.mutable_last_seen() = today;
        flag.set_policy_version(std::string(policy_version));
        flag.set_version(1);
        flag.set_district_code(household.district_code());
        flag.set_street(household.street());
        flag.set_community(household.community());
        now[absl::StrCat(finding.rule(), "/", finding.id_number())] =
            flag.flag_id();
        ++c.new_flags;
        writes.emplace_back(std::move(flag), true);
        continue;
      }
      StoredFlag& stored = *it->second;
      seen.insert(&stored);
      // A caseworker dismissed exactly this evidence: leave it alone.
      if (stored.flag.state() == v1::FLAG_STATE_DISMISSED) continue;
      RETURN_IF_ERROR(stored.Complete());
      const v1::Flag& old = stored.flag;
      now[absl::StrCat(finding.rule(), "/", finding.id_number())] =
          old.flag_id();
      // Seen again the same day with the same finding (a re-run): nothing
      // to write, and no copy to make.
      if (old.state() != v1::FLAG_STATE_AUTO_RESOLVED &&
          *FromProto(old.last_seen()) >= day &&
          old.policy_version() == policy_version &&
          old.street() == household.street() &&
          old.community() == household.community() &&
          old.district_code() == household.district_code() &&
          old.finding().SerializeAsString() == finding.SerializeAsString()) {
        ++c.still_open;
        continue;
      }
      v1::Flag flag = old;
      if (flag.state() == v1::FLAG_STATE_AUTO_RESOLVED) {
        flag.set_state(v1::FLAG_STATE_OPEN);
        flag.set_reopened(flag.reopened() + 1);
        flag.clear_resolved_reason();
        flag.clear_resolved_on();
        ++c.reopened;
      } else {
        ++c.still_open;
      }
      *flag.mutable_finding() = finding;
      if (*FromProto(flag.last_seen()) < day) *flag.mutable_last_seen() = today;
      flag.set_policy_version(std::string(policy_version));
      flag.set_district_code(household.district_code());
      flag.set_street(household.street());
      flag.set_community(household.community());
      if (flag.SerializeAsString() != old.SerializeAsString()) {
        writes.emplace_back(std::move(flag), false);
      }
    }
  }
  for (const StoredFlag& stored : existing) {
    if (seen.count(&stored) || stored.flag.state() != v1::FLAG_STATE_OPEN) {
      continue;
    }
    v1::Flag flag = stored.flag;
    flag.set_state(v1::FLAG_STATE_AUTO_RESOLVED);
    flag.set_resolved_reason(
        ResolvedReason(household, flag, day, findings, now));
    *flag.mutable_resolved_on() = today;
    ++(*counts)[flag.finding().rule()].auto_resolved;
    writes.emplace_back(std::move(flag), false);
  }
  for (auto& [flag, is_new] : writes) {
    if (!is_new) flag.set_version(flag.version() + 1);
    const std::string key =
        keys::FlagKey(flag.household_id(), flag.finding().rule(),
                      flag.finding().fingerprint());
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
  if (!value || !flag.ParseFromString(*value)) {
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
    if (!flag.ParseFromArray(it->value().data(),
                             static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable stored flag");
    }
    if (!Matches(filter, flag)) continue;
    if (static_cast<int>(page.flags.size()) == page_size) {
      // More follow: resume after the last one listed.
      const v1::Flag& last = page.flags.back();
      absl::Base64Escape(
          keys::FlagKey(last.household_id(), last.finding().rule(),
                        last.finding().fingerprint()),
          &page.next_page_token);
      break;
    }
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
    if (!flag.ParseFromArray(it->value().data(),
                             static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable stored flag");
    }
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
  batch->Put(store_->handle(Cf::kFlags),
             keys::FlagKey(flag->household_id(), flag->finding().rule(),
                           flag->finding().fingerprint()),
             flag->SerializeAsString());
}

}  // namespace dibao
