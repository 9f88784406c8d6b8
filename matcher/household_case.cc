#include "matcher/household_case.h"

#include <string>

#include "base/dates.h"
#include "base/status_macros.h"
#include "formats/feed_kinds.h"

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

namespace {

// Groups one person's stored versions into the facts in effect on a day.
class MemberFactsBuilder {
 public:
  MemberFactsBuilder(MemberCase* member, HouseholdCase* hc, absl::CivilDay day)
      : member_(member), hc_(hc), day_(day) {}

  absl::Status Add(const StoredFactVersion& stored) {
    const bool same = have_fact_ && stored.kind == kind_ &&
                      stored.natural_key == natural_key_;
    if (!same) {
      Finish();
      have_fact_ = true;
      kind_ = stored.kind;
      natural_key_.assign(stored.natural_key.data(), stored.natural_key.size());
      current_ = CurrentFact();
      current_.kind = static_cast<v1::FeedKind>(kind_);
    }
    v1::FactVersion* v = hc_->NewVersion();
    if (!v->ParseFromArray(stored.version.data(),
                           static_cast<int>(stored.version.size()))) {
      return absl::DataLossError("unreadable stored fact");
    }
    ASSIGN_OR_RETURN(absl::CivilDay from, FromProto(v->as_of()));
    if (from > day_) {
      // Stated after the day: ends what was in effect then.
      if (current_.version != nullptr && !current_.has_valid_to) {
        current_.has_valid_to = true;
        current_.valid_to = from;
      }
      return absl::OkStatus();
    }
    current_.version = v->retired() ? nullptr : v;
    current_.has_valid_to = false;
    return absl::OkStatus();
  }

  // Keeps the fact being read, if it is in effect.
  void Finish() {
    if (have_fact_ && current_.version != nullptr) {
      member_->facts.push_back(current_);
    }
    have_fact_ = false;
  }

 private:
  MemberCase* member_;
  HouseholdCase* hc_;
  const absl::CivilDay day_;
  uint32_t kind_ = 0;
  std::string natural_key_;
  bool have_fact_ = false;
  CurrentFact current_;
};

}  // namespace

FactReader::FactReader(const Store* store, const rocksdb::Snapshot* snapshot,
                       const FactPrefetch* prefetch)
    : facts_(store, snapshot, prefetch) {}

absl::Status FactReader::Load(const v1::Household& household,
                              absl::CivilDay day, HouseholdCase* out) {
  out->Reset(&household, day);
  for (int m = 0; m < household.members_size(); ++m) {
    MemberFactsBuilder builder(&out->member(m), out, day);
    RETURN_IF_ERROR(facts_.ForEach(
        household.members(m).id_number(),
        [&](const StoredFactVersion& v) { return builder.Add(v); }));
    builder.Finish();
  }
  return absl::OkStatus();
}

}  // namespace dibao
