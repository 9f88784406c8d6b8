#include "matcher/household_case.h"

#include <string>

#include "matcher/dates.h"
#include "matcher/feed_kinds.h"
#include "matcher/keys.h"
#include "matcher/status_macros.h"

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

FactReader::FactReader(const Store* store, const rocksdb::Snapshot* snapshot)
    : it_(store->NewIterator(Cf::kFacts, snapshot)) {}

absl::Status FactReader::Load(const v1::Household& household,
                              absl::CivilDay day, HouseholdCase* out) {
  out->Reset(&household, day);
  std::string prefix;
  for (int m = 0; m < household.members_size(); ++m) {
    MemberCase& member = out->member(m);
    prefix = keys::FactPrefix(household.members(m).id_number());
    // The fact being read: its kind and natural key, and the version in
    // effect so far (nullptr: none yet, or retired).
    uint32_t kind = 0;
    std::string natural_key;
    bool have_fact = false;
    CurrentFact current;
    auto flush = [&] {
      if (have_fact && current.version != nullptr) {
        member.facts.push_back(current);
      }
    };
    for (it_->Seek(prefix); it_->Valid() && it_->key().starts_with(prefix);
         it_->Next()) {
      ASSIGN_OR_RETURN(keys::FactKeyParts parts,
                       keys::DecodeFactKey(absl::string_view(
                           it_->key().data(), it_->key().size())));
      const bool same =
          have_fact && parts.kind == kind && parts.natural_key == natural_key;
      if (!same) {
        flush();
        have_fact = true;
        kind = parts.kind;
        natural_key.assign(parts.natural_key.data(), parts.natural_key.size());
        current = CurrentFact();
        current.kind = static_cast<v1::FeedKind>(kind);
      }
      v1::FactVersion* v = out->NewVersion();
      if (!v->ParseFromArray(it_->value().data(),
                             static_cast<int>(it_->value().size()))) {
        return absl::DataLossError("unreadable stored fact");
      }
      ASSIGN_OR_RETURN(absl::CivilDay from, FromProto(v->as_of()));
      if (from > day) {
        // Stated after the day: ends what was in effect then.
        if (current.version != nullptr && !current.has_valid_to) {
          current.has_valid_to = true;
          current.valid_to = from;
        }
        continue;
      }
      current.version = v->retired() ? nullptr : v;
      current.has_valid_to = false;
    }
    flush();
    RETURN_IF_ERROR(FromRocks(it_->status(), "read facts"));
  }
  return absl::OkStatus();
}

}  // namespace dibao
