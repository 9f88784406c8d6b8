// Builders for the matching engine's unit tests: a registry household whose
// members have valid resident IDs, partner facts about them, the sample
// policy built in code, and one call to run a rule on the resulting case.
//
// Typical use:
//   CaseBuilder b;
//   const int zhang = b.AddMember("张伟");
//   const int job = b.AddFact(zhang, Job("武汉钢铁", Day(2026, 7, 2), 280000));
//   std::vector<Detection> out = b.Run(CheckUndeclaredEmployment);
//   EXPECT_THAT(out[0].facts, ElementsAre(b.fact(job)));
//
// Not thread-safe; one builder per test.
#ifndef DIBAO_TESTS_MATCHER_RULES_RULE_TEST_UTIL_H_
#define DIBAO_TESTS_MATCHER_RULES_RULE_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "base/dates.h"
#include "dibao/v1/feeds.pb.h"
#include "dibao/v1/policy.pb.h"
#include "dibao/v1/registry.pb.h"
#include "gtest/gtest.h"
#include "matcher/household_case.h"
#include "matcher/reassessment.h"
#include "matcher/rules/rule.h"

namespace dibao {

// Readable failure messages for the rules' outputs (found by ADL).
inline void PrintTo(IfTrue::Kind kind, std::ostream* os) {
  switch (kind) {
    case IfTrue::Kind::kNothing:
      *os << "kNothing";
      return;
    case IfTrue::Kind::kVerifiedIncome:
      *os << "kVerifiedIncome";
      return;
    case IfTrue::Kind::kMemberLeaves:
      *os << "kMemberLeaves";
      return;
    case IfTrue::Kind::kAssetsFail:
      *os << "kAssetsFail";
      return;
    case IfTrue::Kind::kReassessed:
      *os << "kReassessed";
      return;
  }
  *os << "IfTrue::Kind(" << static_cast<int>(kind) << ")";
}

inline void PrintTo(const Detection& d, std::ostream* os) {
  *os << "{member " << d.member << ", \"" << d.summary << "\", "
      << d.facts.size() << " facts}";
}

namespace testing {

// The day cases are assessed on unless a test says otherwise.
inline constexpr absl::CivilDay kDay(2026, 11, 20);
// Short spellings for dates in tests (CivilDay's constructor is explicit).
inline absl::CivilDay Day(int year, int month, int day) {
  return absl::CivilDay(year, month, day);
}
inline absl::CivilMonth Month(int year, int month) {
  return absl::CivilMonth(year, month);
}

// The district of every test household.
inline constexpr char kDistrict[] = "420102";

// ISO 7064 MOD 11-2 check character of 17 digits (GB 11643-1999), written
// out here rather than taken from matcher/resident_id so that the IDs the
// tests use do not depend on the code under test.
inline char IdCheckCharacter(absl::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                       3, 7, 9,  10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return "10X98765432"[sum % 11];
}

// A valid 18-character ID in district 420102 for someone born on `birth`:
// the sequence number is odd for men and even for women; `serial` (0-499)
// tells people with the same birth date apart.
inline std::string MakeResidentId(absl::CivilDay birth, v1::Sex sex,
                                  int serial) {
  const int sequence = 2 * serial + (sex == v1::SEX_MALE ? 1 : 0);
  const std::string first17 =
      absl::StrFormat("%s%04d%02d%02d%03d", kDistrict, birth.year(),
                      birth.month(), birth.day(), sequence);
  return first17 + IdCheckCharacter(first17);
}

// The sample policy (deploy/policy.textproto) built in code, with the
// standard of 205 yuan from 2008 only.
inline v1::Policy SamplePolicy() {
  v1::Policy p;
  p.set_version("test-2026-11");
  v1::DistrictStandard* s = p.add_standards();
  s->set_district_code("*");
  *s->mutable_effective_from() = ToProto(absl::CivilDay(2008, 1, 1));
  s->set_monthly_standard_fen(20500);
  v1::IncomePolicy* income = p.mutable_income();
  income->set_count_wages(true);
  income->set_count_unemployment_benefit(true);
  income->set_count_pension(true);
  income->set_count_union_assistance(true);
  income->set_one_off_average_months(3);
  income->set_work_expense_disregard_fen(10000);
  income->set_tolerance_fen(2000);
  income->set_unemployment_benefit_max_months(24);
  v1::AssetPolicy* assets = p.mutable_assets();
  assets->set_vehicle_value_threshold_fen(2000000);
  assets->add_exempt_vehicle_types("残疾人专用机动轮椅车");
  assets->set_max_properties(1);
  assets->set_max_area_m2_per_member(0);
  assets->set_land_compensation_lookback_months(24);
  const std::pair<v1::Category, int64_t> supplements[] = {
      {v1::CATEGORY_THREE_NO, 5000},      {v1::CATEGORY_DISABLED, 3000},
      {v1::CATEGORY_SERIOUSLY_ILL, 3000}, {v1::CATEGORY_ELDERLY, 2000},
      {v1::CATEGORY_LAID_OFF, 1000},      {v1::CATEGORY_UNEMPLOYED, 1000},
  };
  for (const auto& [category, fen] : supplements) {
    v1::CategorySupplement* c = p.add_supplements();
    c->set_category(category);
    c->set_monthly_fen(fen);
  }
  p.set_gradual_exit_months(3);
  p.mutable_signals()->set_benefit_ending_months(2);
  p.mutable_signals()->set_lookback_months(6);
  return p;
}

inline v1::Month MonthProto(absl::CivilMonth m) {
  v1::Month out;
  out.set_year(static_cast<int32_t>(m.year()));
  out.set_month(m.month());
  return out;
}

// Partner records, without id_number and name (CaseBuilder::AddFact fills
// them from the member). Optional dates are left unset when nullopt.

inline v1::FeedRecord Job(absl::string_view employer_name, absl::CivilDay start,
                          int64_t monthly_wage_fen,
                          std::optional<absl::CivilDay> end = std::nullopt) {
  v1::FeedRecord r;
  v1::EmploymentRecord* e = r.mutable_employment();
  e->set_employer_code("E-0001");
  e->set_employer_name(std::string(employer_name));
  *e->mutable_start_date() = ToProto(start);
  if (end) *e->mutable_end_date() = ToProto(*end);
  e->set_monthly_wage_fen(monthly_wage_fen);
  return r;
}

// An open-ended benefit when `end` is nullopt.
inline v1::FeedRecord Benefit(absl::CivilMonth start,
                              std::optional<absl::CivilMonth> end,
                              int64_t monthly_fen) {
  v1::FeedRecord r;
  v1::UnemploymentBenefitRecord* b = r.mutable_unemployment_benefit();
  *b->mutable_start_month() = MonthProto(start);
  if (end) *b->mutable_end_month() = MonthProto(*end);
  b->set_monthly_amount_fen(monthly_fen);
  return r;
}

inline v1::FeedRecord Pension(absl::CivilDay start, int64_t monthly_fen) {
  v1::FeedRecord r;
  *r.mutable_pension()->mutable_start_date() = ToProto(start);
  r.mutable_pension()->set_monthly_amount_fen(monthly_fen);
  return r;
}

inline v1::FeedRecord Training(absl::CivilDay offered,
                               v1::TrainingOutcome outcome) {
  v1::FeedRecord r;
  *r.mutable_training()->mutable_offered_date() = ToProto(offered);
  r.mutable_training()->set_outcome(outcome);
  return r;
}

// Land compensation, converted 90 days before it was paid.
inline v1::FeedRecord Conversion(absl::CivilDay paid,
                                 int64_t compensation_fen) {
  v1::FeedRecord r;
  v1::ConversionRecord* c = r.mutable_conversion();
  *c->mutable_conversion_date() = ToProto(paid - 90);
  c->set_compensation_fen(compensation_fen);
  *c->mutable_paid_date() = ToProto(paid);
  return r;
}

inline v1::FeedRecord Property(
    absl::string_view property_id, double area_m2, absl::CivilDay acquired,
    std::optional<absl::CivilDay> disposed = std::nullopt) {
  v1::FeedRecord r;
  v1::PropertyRecord* p = r.mutable_property();
  p->set_property_id(std::string(property_id));
  p->set_area_m2(area_m2);
  *p->mutable_acquired_date() = ToProto(acquired);
  if (disposed) *p->mutable_disposed_date() = ToProto(*disposed);
  return r;
}

inline v1::FeedRecord Hardship(absl::string_view employer_code,
                               absl::CivilDay registered,
                               v1::HardshipStatus status) {
  v1::FeedRecord r;
  v1::HardshipRecord* h = r.mutable_hardship();
  h->set_employer_code(std::string(employer_code));
  *h->mutable_registered_date() = ToProto(registered);
  h->set_status(status);
  return r;
}

inline v1::FeedRecord Assistance(absl::CivilDay paid, int64_t amount_fen) {
  v1::FeedRecord r;
  *r.mutable_assistance()->mutable_paid_date() = ToProto(paid);
  r.mutable_assistance()->set_amount_fen(amount_fen);
  return r;
}

// A hukou record registered in `address_code` (a 9- or 12-digit code whose
// first 6 digits are the district). Sex and birth date are left unset:
// IDENTITY_MISMATCH then compares the name only.
inline v1::FeedRecord Hukou(
    v1::HukouStatus status,
    std::optional<absl::CivilDay> status_date = std::nullopt,
    absl::string_view address_code = "420102003") {
  v1::FeedRecord r;
  v1::HukouRecord* h = r.mutable_hukou();
  h->set_address_code(std::string(address_code));
  h->set_status(status);
  if (status_date) *h->mutable_status_date() = ToProto(*status_date);
  return r;
}

inline v1::FeedRecord Residence(
    absl::string_view address,
    std::optional<absl::CivilDay> since = std::nullopt) {
  v1::FeedRecord r;
  r.mutable_residence()->set_residence_address(std::string(address));
  if (since) *r.mutable_residence()->mutable_since_date() = ToProto(*since);
  return r;
}

inline v1::FeedRecord Vehicle(
    absl::string_view plate, absl::string_view vehicle_type,
    absl::CivilDay registered, int64_t value_fen,
    std::optional<absl::CivilDay> deregistered = std::nullopt) {
  v1::FeedRecord r;
  v1::VehicleRecord* v = r.mutable_vehicle();
  v->set_plate(std::string(plate));
  v->set_vehicle_type(std::string(vehicle_type));
  *v->mutable_registered_date() = ToProto(registered);
  if (deregistered) *v->mutable_deregistered_date() = ToProto(*deregistered);
  v->set_value_fen(value_fen);
  return r;
}

inline v1::FeedRecord Custody(v1::CustodyEvent event, absl::CivilDay when,
                              absl::string_view institution = "") {
  v1::FeedRecord r;
  r.mutable_custody()->set_event(event);
  *r.mutable_custody()->mutable_event_date() = ToProto(when);
  r.mutable_custody()->set_institution(std::string(institution));
  return r;
}

// The feed kind of a record's sub-record.
inline v1::FeedKind KindOf(const v1::FeedRecord& r) {
  switch (r.record_case()) {
    case v1::FeedRecord::kEmployment:
      return v1::FEED_KIND_EMPLOYMENT;
    case v1::FeedRecord::kUnemploymentBenefit:
      return v1::FEED_KIND_UNEMPLOYMENT_BENEFIT;
    case v1::FeedRecord::kPension:
      return v1::FEED_KIND_PENSION;
    case v1::FeedRecord::kLaidOff:
      return v1::FEED_KIND_LAID_OFF;
    case v1::FeedRecord::kTraining:
      return v1::FEED_KIND_TRAINING;
    case v1::FeedRecord::kConversion:
      return v1::FEED_KIND_CONVERSION;
    case v1::FeedRecord::kProperty:
      return v1::FEED_KIND_PROPERTY;
    case v1::FeedRecord::kHardship:
      return v1::FEED_KIND_HARDSHIP;
    case v1::FeedRecord::kAssistance:
      return v1::FEED_KIND_ASSISTANCE;
    case v1::FeedRecord::kHukou:
      return v1::FEED_KIND_HUKOU;
    case v1::FeedRecord::kResidence:
      return v1::FEED_KIND_RESIDENCE;
    case v1::FeedRecord::kVehicle:
      return v1::FEED_KIND_VEHICLE;
    case v1::FeedRecord::kCustody:
      return v1::FEED_KIND_CUSTODY;
    default:
      return v1::FEED_KIND_UNSPECIFIED;
  }
}

// A household (district 420102, ACTIVE, paid 205 yuan a month unless
// changed) with its members' facts, built into a HouseholdCase on demand.
class CaseBuilder {
 public:
  explicit CaseBuilder(absl::CivilDay day = kDay) : day_(day) {
    household_.set_household_id("H-420102-0001");
    household_.set_district_code(kDistrict);
    household_.set_street("车站街道");
    household_.set_community("胜利社区");
    household_.set_registered_address("武汉市江岸区胜利街12号");
    household_.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
    household_.set_monthly_benefit_fen(20500);
    *household_.mutable_benefit_start_date() =
        ToProto(absl::CivilDay(2024, 1, 1));
  }
  CaseBuilder(const CaseBuilder&) = delete;
  CaseBuilder& operator=(const CaseBuilder&) = delete;

  v1::Household& household() { return household_; }
  v1::Policy& policy() { return policy_; }
  absl::CivilDay day() const { return day_; }
  // The next Build() assesses on `day`.
  void set_day(absl::CivilDay day) { day_ = day; }

  // Adds a member reported UNEMPLOYED with no income, whose valid ID
  // encodes `birth` and `sex`; returns the member's index.
  int AddMember(absl::string_view name,
                absl::CivilDay birth = absl::CivilDay(1975, 6, 18),
                v1::Sex sex = v1::SEX_MALE) {
    const int index = household_.members_size();
    v1::Member* m = household_.add_members();
    m->set_household_id(household_.household_id());
    m->set_id_number(MakeResidentId(birth, sex, index + 1));
    m->set_name(std::string(name));
    m->set_sex(sex);
    *m->mutable_birth_date() = ToProto(birth);
    m->set_relation(index == 0 ? "户主" : "家属");
    m->set_reported_status(v1::REPORTED_STATUS_UNEMPLOYED);
    m->set_reported_monthly_income_fen(0);
    m->set_able_to_work(true);
    return index;
  }
  v1::Member& member(int i) { return *household_.mutable_members(i); }
  const std::string& id(int i) const {
    return household_.members(i).id_number();
  }
  // Sets what member `i` reported.
  void Report(int i, v1::ReportedStatus status, int64_t monthly_income_fen) {
    member(i).set_reported_status(status);
    member(i).set_reported_monthly_income_fen(monthly_income_fen);
  }

  // A fact about member `m` as stated by batch `batch_id` as of `as_of`
  // (default: the case's day); its kind follows the record. id_number and
  // name are the member's unless the record sets them. Returns a handle for
  // fact().
  int AddFact(int m, v1::FeedRecord record,
              absl::string_view batch_id = "batch-1",
              std::optional<absl::CivilDay> as_of = std::nullopt) {
    pending_.push_back(Pending{m, std::move(record), std::string(batch_id),
                               as_of.value_or(day_)});
    return static_cast<int>(pending_.size()) - 1;
  }
  // The record of a fact added earlier, to change before the next Build().
  v1::FeedRecord& record(int handle) { return pending_[handle].record; }

  // (Re)builds the case from the household and facts so far, each member's
  // facts in kind order as FactReader gives them. Pointers into an earlier
  // build are invalid afterwards.
  const HouseholdCase& Build() {
    hc_.Reset(&household_, day_);
    std::vector<int> order(pending_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return KindOf(pending_[a].record) < KindOf(pending_[b].record);
    });
    std::vector<std::pair<int, size_t>> where(pending_.size());
    for (int i : order) {
      const Pending& p = pending_[i];
      v1::FactVersion* v = hc_.NewVersion();
      *v->mutable_record() = p.record;
      const v1::Member& m = household_.members(p.member);
      if (v->record().id_number().empty()) {
        v->mutable_record()->set_id_number(m.id_number());
      }
      if (v->record().name().empty()) v->mutable_record()->set_name(m.name());
      v->set_batch_id(p.batch_id);
      *v->mutable_as_of() = ToProto(p.as_of);
      std::vector<CurrentFact>& facts = hc_.member(p.member).facts;
      where[i] = {p.member, facts.size()};
      facts.push_back(
          CurrentFact{KindOf(p.record), v, false, absl::CivilDay()});
    }
    facts_.assign(pending_.size(), nullptr);
    for (size_t i = 0; i < where.size(); ++i) {
      facts_[i] = &hc_.members()[where[i].first].facts[where[i].second];
    }
    standing_ = StandingOf(hc_, policy_);
    return hc_;
  }

  // Valid after Build().
  const HouseholdCase& hc() const { return hc_; }
  const CurrentFact* fact(int handle) const { return facts_[handle]; }
  const std::vector<MemberStanding>& standing() const { return standing_; }

  // Builds the case and runs one rule that does not need the reassessment:
  // what it flags. Detections that only keep an open flag open go to
  // sustaining().
  std::vector<Detection> Run(RuleCheck check) {
    Build();
    std::vector<Detection> out;
    check(RuleInput{hc_, policy_, standing_, nullptr}, &out);
    return Flagged(std::move(out));
  }

  // Builds the case, reassesses it and runs a rule that needs the
  // assessment (HOUSEHOLD_INCOME_ABOVE_STANDARD).
  std::vector<Detection> RunAfterReassessment(RuleCheck check,
                                              bool assets_pass = true) {
    Build();
    absl::StatusOr<v1::Assessment> a =
        Reassess(hc_, policy_, standing_, assets_pass);
    if (!a.ok()) ADD_FAILURE() << "Reassess: " << a.status();
    assessment_ = a.ok() ? *std::move(a) : v1::Assessment();
    std::vector<Detection> out;
    check(RuleInput{hc_, policy_, standing_, &assessment_}, &out);
    return Flagged(std::move(out));
  }
  const v1::Assessment& assessment() const { return assessment_; }
  // The last run's detections that pass the rule by no more than the
  // policy's resolution margin (Detection::sustain_only).
  const std::vector<Detection>& sustaining() const { return sustaining_; }

 private:
  std::vector<Detection> Flagged(std::vector<Detection> all) {
    std::vector<Detection> flagged;
    sustaining_.clear();
    for (Detection& d : all) {
      (d.sustain_only ? sustaining_ : flagged).push_back(std::move(d));
    }
    return flagged;
  }

  struct Pending {
    int member = 0;
    v1::FeedRecord record;
    std::string batch_id;
    absl::CivilDay as_of;
  };

  absl::CivilDay day_;
  v1::Household household_;
  v1::Policy policy_ = SamplePolicy();
  std::vector<Pending> pending_;
  HouseholdCase hc_;
  std::vector<const CurrentFact*> facts_;
  std::vector<MemberStanding> standing_;
  v1::Assessment assessment_;
  std::vector<Detection> sustaining_;
};

}  // namespace testing
}  // namespace dibao

#endif  // DIBAO_TESTS_MATCHER_RULES_RULE_TEST_UTIL_H_
