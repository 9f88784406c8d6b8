// A household as the matching rules see it on one day: the registry's
// household with, for each member, the partner facts in effect that day.
//
// "In effect" is about the store, not the fact's own dates: of each fact
// (person, kind, natural key) the version stated by the last batch whose
// as-of day is on or before the day, unless that version retired it.
// Whether a job had ended by then is the rules' business (its end_date);
// which batches the engine believes is decided here, once, so that the same
// store and day always give the same case.
//
// Not thread-safe; a FactReader is used by one thread (each has its own
// RocksDB iterator).
#ifndef DIBAO_MATCHER_HOUSEHOLD_CASE_H_
#define DIBAO_MATCHER_HOUSEHOLD_CASE_H_

#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/feeds.pb.h"
#include "dibao/v1/registry.pb.h"
#include "feeds/fact_reader.h"
#include "google/protobuf/arena.h"
#include "storage/store.h"

namespace dibao {

// One partner fact in effect on the case's day.
struct CurrentFact {
  v1::FeedKind kind = v1::FEED_KIND_UNSPECIFIED;
  // The stored version: record, batch_id, as_of (valid from).
  const v1::FactVersion* version = nullptr;
  // The as-of day of a later batch that changed or ended the fact, when the
  // store already has one (a re-run for an earlier day).
  bool has_valid_to = false;
  absl::CivilDay valid_to;

  const v1::FeedRecord& record() const { return version->record(); }
  // The fact as evidence: agency, kind, batch, validity and values.
  v1::Fact ToProto() const;
};

struct MemberCase {
  const v1::Member* member = nullptr;
  // In kind order, then natural key.
  std::vector<CurrentFact> facts;

  // The facts of one kind (a contiguous run of `facts`).
  template <typename Fn>
  void ForKind(v1::FeedKind kind, Fn&& fn) const {
    for (const CurrentFact& f : facts) {
      if (f.kind == kind) fn(f);
    }
  }
};

class HouseholdCase {
 public:
  HouseholdCase() = default;
  HouseholdCase(const HouseholdCase&) = delete;
  HouseholdCase& operator=(const HouseholdCase&) = delete;

  const v1::Household& household() const { return *household_; }
  absl::CivilDay day() const { return day_; }
  // Parallel to household().members().
  const std::vector<MemberCase>& members() const { return members_; }

  // Empties the case for another household, keeping its memory.
  void Reset(const v1::Household* household, absl::CivilDay day);
  // For FactReader and tests: a new stored version for member `m`, owned by
  // the case.
  v1::FactVersion* NewVersion();
  MemberCase& member(int m) { return members_[m]; }

 private:
  const v1::Household* household_ = nullptr;
  absl::CivilDay day_;
  std::vector<MemberCase> members_;
  std::unique_ptr<google::protobuf::Arena> arena_ =
      std::make_unique<google::protobuf::Arena>();
};

// Reads members' facts (feeds/fact_reader.h) into a case: from one
// snapshot, or from a prefetch when the cycle made one.
class FactReader {
 public:
  // `store`, `snapshot` and `prefetch` (each when given) must outlive the
  // reader.
  FactReader(const Store* store, const rocksdb::Snapshot* snapshot,
             const FactPrefetch* prefetch = nullptr);

  // Fills `out` for `household` (which must outlive `out`'s use) on `day`.
  absl::Status Load(const v1::Household& household, absl::CivilDay day,
                    HouseholdCase* out);

 private:
  PersonFactReader facts_;
};

}  // namespace dibao

#endif  // DIBAO_MATCHER_HOUSEHOLD_CASE_H_
