#include "registry/registry.h"

#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "base/status_macros.h"
#include "google/protobuf/util/message_differencer.h"
#include "storage/keys.h"

namespace dibao {
namespace {

using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;
using SpecificField = MessageDifferencer::SpecificField;

// Collects the names of changed fields, each under `prefix`.
class ChangedFields : public MessageDifferencer::Reporter {
 public:
  ChangedFields(std::set<std::string>& out, std::string prefix)
      : out_(out), prefix_(std::move(prefix)) {}

  void ReportAdded(const Message&, const Message&,
                   const std::vector<SpecificField>& path) override {
    Record(path);
  }
  void ReportDeleted(const Message&, const Message&,
                     const std::vector<SpecificField>& path) override {
    Record(path);
  }
  void ReportModified(const Message&, const Message&,
                      const std::vector<SpecificField>& path) override {
    Record(path);
  }

 private:
  void Record(const std::vector<SpecificField>& path) {
    if (path.empty() || path[0].field == nullptr) return;
    out_.insert(absl::StrCat(prefix_, path[0].field->name()));
  }

  std::set<std::string>& out_;
  const std::string prefix_;
};

// Names of the top-level fields in which `a` and `b` differ, under `prefix`,
// ignoring `ignored` fields.
void DiffFields(
    const Message& a, const Message& b, const std::string& prefix,
    const std::vector<const google::protobuf::FieldDescriptor*>& ignored,
    std::set<std::string>& out) {
  ChangedFields reporter(out, prefix);
  MessageDifferencer differ;
  for (const auto* f : ignored) differ.IgnoreField(f);
  differ.ReportDifferencesTo(&reporter);
  differ.Compare(a, b);
}

// Field paths that differ between two stored forms of one household:
// "street", "members[ID].reported_monthly_income_fen", "members+ID" (joined),
// "members-ID" (left). Members are matched by ID, not by position.
std::vector<std::string> Diff(const v1::Household& before,
                              const v1::Household& after) {
  std::set<std::string> changed;
  const auto* d = v1::Household::descriptor();
  DiffFields(before, after, "",
             {d->FindFieldByName("version"), d->FindFieldByName("updated_at"),
              d->FindFieldByName("updated_by"), d->FindFieldByName("members")},
             changed);
  std::map<absl::string_view, const v1::Member*> old_members;
  for (const v1::Member& m : before.members()) old_members[m.id_number()] = &m;
  for (const v1::Member& m : after.members()) {
    auto it = old_members.find(m.id_number());
    if (it == old_members.end()) {
      changed.insert(absl::StrCat("members+", m.id_number()));
      continue;
    }
    DiffFields(*it->second, m, absl::StrCat("members[", m.id_number(), "]."),
               {}, changed);
    old_members.erase(it);
  }
  for (const auto& [id, m] : old_members) {
    changed.insert(absl::StrCat("members-", id));
  }
  return {changed.begin(), changed.end()};
}

absl::Status CheckFilter(const ListFilter& f) {
  if (!f.street.empty() && f.district_code.empty()) {
    return absl::InvalidArgumentError("a street filter needs district_code");
  }
  if (!f.community.empty() && f.street.empty()) {
    return absl::InvalidArgumentError("a community filter needs street");
  }
  return absl::OkStatus();
}

std::string ScanPrefix(const ListFilter& f) {
  if (f.district_code.empty()) return keys::HouseholdPrefix();
  if (f.street.empty()) return keys::AreaPrefix(f.district_code);
  if (f.community.empty()) return keys::AreaPrefix(f.district_code, f.street);
  return keys::AreaPrefix(f.district_code, f.street, f.community);
}

template <typename T>
absl::StatusOr<T> ParseStored(const std::string& bytes,
                              absl::string_view what) {
  T msg;
  if (!msg.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("unreadable stored ", what));
  }
  return msg;
}

}  // namespace

absl::StatusOr<std::optional<v1::Household>> Registry::Load(
    absl::string_view household_id, const rocksdb::Snapshot* snap) const {
  ASSIGN_OR_RETURN(
      std::optional<std::string> bytes,
      store_->Get(Cf::kHouseholds, keys::HouseholdKey(household_id), snap));
  if (!bytes) return std::optional<v1::Household>();
  ASSIGN_OR_RETURN(v1::Household h,
                   ParseStored<v1::Household>(*bytes, "household"));
  return std::optional<v1::Household>(std::move(h));
}

absl::StatusOr<UpsertResult> Registry::Upsert(
    v1::Household h, const ChangeContext& context,
    std::vector<FieldError>* errors_out) {
  std::vector<FieldError> errors = ValidateAndNormalize(h, clock_->Today());
  if (!errors.empty()) {
    if (errors_out) *errors_out = errors;
    return ToStatus(h, errors);
  }

  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(std::optional<v1::Household> old,
                   Load(h.household_id(), nullptr));
  if (context.expected_version > 0 &&
      (!old || old->version() != context.expected_version)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "household ", h.household_id(),
        " changed since it was read: it is "
        "at version ",
        old ? old->version() : 0, ", not ", context.expected_version));
  }

  // A person may be in one ACTIVE household only.
  for (int i = 0; i < h.members_size(); ++i) {
    ASSIGN_OR_RETURN(std::optional<std::string> current,
                     store_->Get(Cf::kMemberIndex,
                                 keys::MemberKey(h.members(i).id_number())));
    if (!current || *current == h.household_id()) continue;
    ASSIGN_OR_RETURN(std::optional<v1::Household> other,
                     Load(*current, nullptr));
    if (other && other->status() == v1::HOUSEHOLD_STATUS_ACTIVE) {
      errors.push_back({i, "id_number",
                        absl::StrCat("this person is already a member of "
                                     "ACTIVE household ",
                                     *current)});
    }
  }
  if (!errors.empty()) {
    if (errors_out) *errors_out = errors;
    return absl::FailedPreconditionError(ToStatus(h, errors).message());
  }

  std::vector<std::string> changed;
  if (old) {
    changed = Diff(*old, h);
    if (changed.empty()) return UpsertResult{UpsertOutcome::kUnchanged, *old};
  } else {
    changed.push_back("created");
  }

  h.set_version(old ? old->version() + 1 : 1);
  *h.mutable_updated_at() = ToProto(clock_->Now());
  h.set_updated_by(context.actor);

  const std::string seq_key = keys::MetaKey(kRegistryChangeSeqCounter);
  ASSIGN_OR_RETURN(uint64_t seq, store_->GetCounter(kRegistryChangeSeqCounter));
  ++seq;

  v1::HouseholdChange change;
  change.set_household_id(h.household_id());
  change.set_version(h.version());
  change.set_change_seq(static_cast<int64_t>(seq));
  *change.mutable_at() = h.updated_at();
  change.set_actor(context.actor);
  change.set_source(context.source);
  for (auto& c : changed) change.add_changed_fields(std::move(c));
  *change.mutable_after() = h;

  rocksdb::WriteBatch batch;
  batch.Put(store_->handle(Cf::kHouseholds),
            keys::HouseholdKey(h.household_id()), h.SerializeAsString());
  if (old) {
    batch.Delete(store_->handle(Cf::kAreaIndex),
                 keys::AreaKey(old->district_code(), old->street(),
                               old->community(), old->household_id()));
    for (const v1::Member& m : old->members()) {
      const bool kept = std::any_of(
          h.members().begin(), h.members().end(),
          [&](const v1::Member& n) { return n.id_number() == m.id_number(); });
      if (kept) continue;
      ASSIGN_OR_RETURN(
          std::optional<std::string> current,
          store_->Get(Cf::kMemberIndex, keys::MemberKey(m.id_number())));
      if (current && *current == h.household_id()) {
        batch.Delete(store_->handle(Cf::kMemberIndex),
                     keys::MemberKey(m.id_number()));
      }
    }
  }
  batch.Put(store_->handle(Cf::kAreaIndex),
            keys::AreaKey(h.district_code(), h.street(), h.community(),
                          h.household_id()),
            std::string(1, static_cast<char>(h.status())));
  for (const v1::Member& m : h.members()) {
    batch.Put(store_->handle(Cf::kMemberIndex), keys::MemberKey(m.id_number()),
              h.household_id());
  }
  const std::string history_key =
      keys::HistoryKey(h.household_id(), h.version());
  batch.Put(store_->handle(Cf::kHouseholdHistory), history_key,
            change.SerializeAsString());
  batch.Put(store_->handle(Cf::kRegistryChanges), keys::ChangeKey(seq),
            history_key);
  std::string seq_value;
  keys::PutFixed64(&seq_value, seq);
  batch.Put(store_->handle(Cf::kMeta), seq_key, seq_value);
  std::vector<v1::AuditEntry> also_audit;
  if (context.also) RETURN_IF_ERROR(context.also(h, &batch, &also_audit));
  if (audit_ == nullptr && !also_audit.empty()) {
    return absl::InternalError("audit entries given but no audit log");
  }
  if (audit_ != nullptr) {
    v1::AuditEntry entry;
    entry.set_actor(context.actor);
    entry.set_action(v1::AUDIT_ACTION_REGISTRY_CHANGE);
    entry.set_household_id(h.household_id());
    *entry.mutable_at() = change.at();
    entry.set_detail(
        absl::StrCat("version ", h.version(), " from ", context.source, ": ",
                     absl::StrJoin(change.changed_fields(), ", ")));
    entry.set_ref(
        absl::StrCat("household_history ", h.household_id(), "/", h.version()));
    std::vector<v1::AuditEntry> entries;
    entries.push_back(std::move(entry));
    for (auto& e : also_audit) entries.push_back(std::move(e));
    RETURN_IF_ERROR(audit_->Commit(std::move(entries), &batch));
  } else {
    RETURN_IF_ERROR(store_->Write(batch));
  }

  return UpsertResult{old ? UpsertOutcome::kUpdated : UpsertOutcome::kCreated,
                      std::move(h)};
}

absl::StatusOr<v1::Household> Registry::Get(
    absl::string_view household_id) const {
  ASSIGN_OR_RETURN(std::optional<v1::Household> h, Load(household_id, nullptr));
  if (!h) {
    return absl::NotFoundError(
        absl::StrCat("household ", household_id, " is not in the registry"));
  }
  return *std::move(h);
}

absl::StatusOr<v1::Household> Registry::GetAsOf(absl::string_view household_id,
                                                absl::Time t) const {
  ASSIGN_OR_RETURN(std::vector<v1::HouseholdChange> history,
                   History(household_id));
  const v1::HouseholdChange* found = nullptr;
  for (const auto& change : history) {
    if (FromProto(change.at()) > t) break;
    found = &change;
  }
  if (found == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "household ", household_id, " did not exist at ", absl::FormatTime(t)));
  }
  return found->after();
}

absl::StatusOr<v1::Household> Registry::FindByMember(
    absl::string_view id_number) const {
  auto id = ParseResidentId(id_number, clock_->Today());
  if (!id.ok()) return id.status();
  ASSIGN_OR_RETURN(
      std::optional<std::string> household_id,
      store_->Get(Cf::kMemberIndex, keys::MemberKey(id->number())));
  if (!household_id) {
    return absl::NotFoundError(absl::StrCat(
        "no household has a member with ID ", MaskId(id->number())));
  }
  return Get(*household_id);
}

absl::Status Registry::Scan(const ListFilter& filter,
                            absl::string_view after_key,
                            const rocksdb::Snapshot* snap,
                            const std::function<absl::StatusOr<bool>(
                                absl::string_view, v1::Household&)>& fn) const {
  RETURN_IF_ERROR(CheckFilter(filter));
  const std::string prefix = ScanPrefix(filter);
  if (!after_key.empty() && !absl::StartsWith(after_key, prefix)) {
    return absl::InvalidArgumentError(
        "page_token does not belong to this query");
  }
  const bool by_area = !filter.district_code.empty();
  auto it =
      store_->NewIterator(by_area ? Cf::kAreaIndex : Cf::kHouseholds, snap);
  if (after_key.empty()) {
    it->Seek(prefix);
  } else {
    it->Seek(rocksdb::Slice(after_key.data(), after_key.size()));
    if (it->Valid() &&
        absl::string_view(it->key().data(), it->key().size()) == after_key)
      it->Next();
  }
  for (; it->Valid() && it->key().starts_with(rocksdb::Slice(prefix));
       it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    v1::Household h;
    if (by_area) {
      const absl::string_view value(it->value().data(), it->value().size());
      if (filter.status != v1::HOUSEHOLD_STATUS_UNSPECIFIED &&
          (value.size() != 1 || value[0] != static_cast<char>(filter.status))) {
        continue;
      }
      ASSIGN_OR_RETURN(keys::AreaKeyParts parts, keys::DecodeAreaKey(key));
      ASSIGN_OR_RETURN(std::optional<v1::Household> loaded,
                       Load(parts.household_id, snap));
      if (!loaded) {
        return absl::DataLossError(absl::StrCat(
            "area index names missing household ", parts.household_id));
      }
      h = *std::move(loaded);
    } else {
      if (!h.ParseFromArray(it->value().data(),
                            static_cast<int>(it->value().size()))) {
        return absl::DataLossError("unreadable stored household");
      }
      if (filter.status != v1::HOUSEHOLD_STATUS_UNSPECIFIED &&
          h.status() != filter.status) {
        continue;
      }
    }
    ASSIGN_OR_RETURN(bool more, fn(key, h));
    if (!more) return absl::OkStatus();
  }
  return FromRocks(it->status(), "scan households");
}

absl::StatusOr<ListPage> Registry::List(const ListFilter& filter, int page_size,
                                        absl::string_view page_token) const {
  if (page_size <= 0) page_size = kDefaultPageSize;
  if (page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size ", page_size, " is more than the maximum of ",
                     kMaxPageSize));
  }
  std::string after_key;
  if (!page_token.empty() &&
      !absl::WebSafeBase64Unescape(page_token, &after_key)) {
    return absl::InvalidArgumentError("page_token is not a token we issued");
  }
  Store::Snapshot snap(*store_);
  ListPage page;
  std::string last_key;
  RETURN_IF_ERROR(Scan(
      filter, after_key, snap.get(),
      [&](absl::string_view key, v1::Household& h) -> absl::StatusOr<bool> {
        if (static_cast<int>(page.households.size()) == page_size) {
          // One more exists: the page is full, not the last.
          page.next_page_token = absl::WebSafeBase64Escape(last_key);
          return false;
        }
        last_key = std::string(key);
        page.households.push_back(std::move(h));
        return true;
      }));
  return page;
}

absl::Status Registry::ForEach(
    const ListFilter& filter,
    const std::function<absl::Status(const v1::Household&)>& fn) const {
  Store::Snapshot snap(*store_);
  return Scan(filter, "", snap.get(),
              [&](absl::string_view, v1::Household& h) -> absl::StatusOr<bool> {
                RETURN_IF_ERROR(fn(h));
                return true;
              });
}

absl::StatusOr<std::vector<v1::HouseholdChange>> Registry::History(
    absl::string_view household_id) const {
  const std::string prefix = keys::HistoryPrefix(household_id);
  auto it = store_->NewIterator(Cf::kHouseholdHistory);
  std::vector<v1::HouseholdChange> out;
  for (it->Seek(prefix);
       it->Valid() && it->key().starts_with(rocksdb::Slice(prefix));
       it->Next()) {
    v1::HouseholdChange change;
    if (!change.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable stored household change");
    }
    out.push_back(std::move(change));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan history"));
  if (out.empty()) {
    return absl::NotFoundError(
        absl::StrCat("household ", household_id, " is not in the registry"));
  }
  return out;
}

}  // namespace dibao
