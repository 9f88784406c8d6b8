#include "reports/intake_forecast.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "base/status_macros.h"
#include "feeds/fact_reader.h"
#include "matcher/fact_queries.h"
#include "matcher/household_case.h"
#include "matcher/policy.h"
#include "registry/registry_reader.h"

namespace dibao {
namespace {

constexpr int kHorizonMonths = 6;

class Forecaster {
 public:
  Forecaster(const Store& store, const rocksdb::Snapshot* snap,
             const v1::Policy& policy, const std::string& district,
             absl::CivilDay day, bool list_people)
      : store_(store),
        snap_(snap),
        registry_(&store),
        policy_(policy),
        district_(district),
        day_(day),
        list_people_(list_people),
        reader_(&store, snap) {}

  absl::Status Run(v1::IntakeForecast* out) {
    ASSIGN_OR_RETURN(streets_, registry_.Streets(district_, snap_));
    for (const v1::FeedKind kind :
         {v1::FEED_KIND_UNEMPLOYMENT_BENEFIT, v1::FEED_KIND_CUSTODY,
          v1::FEED_KIND_CONVERSION}) {
      RETURN_IF_ERROR(ScanKind(kind));
    }
    // Streets in name order, the unknown row last.
    std::vector<std::string> names;
    for (const auto& [name, counts] : counts_) names.push_back(name);
    std::stable_partition(names.begin(), names.end(),
                          [](const std::string& n) { return !n.empty(); });
    v1::StreetForecast* total = out->mutable_total();
    for (const std::string& name : names) {
      const v1::StreetForecast& c = counts_[name];
      *out->add_streets() = c;
      total->set_benefit_ends_within_1(total->benefit_ends_within_1() +
                                       c.benefit_ends_within_1());
      total->set_benefit_ends_within_3(total->benefit_ends_within_3() +
                                       c.benefit_ends_within_3());
      total->set_benefit_ends_within_6(total->benefit_ends_within_6() +
                                       c.benefit_ends_within_6());
      total->set_released_from_custody(total->released_from_custody() +
                                       c.released_from_custody());
      total->set_recently_converted(total->recently_converted() +
                                    c.recently_converted());
    }
    std::sort(
        people_.begin(), people_.end(), [](const Person& a, const Person& b) {
          return std::make_tuple(a.person.street().empty(), a.person.street(),
                                 static_cast<int>(a.person.signal()), a.id) <
                 std::make_tuple(b.person.street().empty(), b.person.street(),
                                 static_cast<int>(b.person.signal()), b.id);
        });
    for (Person& p : people_) *out->add_people() = std::move(p.person);
    return absl::OkStatus();
  }

 private:
  struct Person {
    std::string id;  // for ordering only
    v1::ForecastPerson person;
  };

  absl::Status ScanKind(v1::FeedKind kind) {
    return ForEachPersonWithCurrentFacts(
        store_, snap_, kind,
        [&](absl::string_view id) { return Consider(kind, std::string(id)); });
  }

  // True when `id` is a member of an ACTIVE household.
  absl::StatusOr<bool> IsBeneficiary(const std::string& id) {
    ASSIGN_OR_RETURN(std::optional<std::string> household,
                     registry_.HouseholdOfMember(id, snap_));
    if (!household) return false;
    auto cached = active_.find(*household);
    if (cached != active_.end()) return cached->second;
    ASSIGN_OR_RETURN(std::optional<v1::Household> h,
                     registry_.GetHousehold(*household, snap_));
    const bool active = h && h->status() == v1::HOUSEHOLD_STATUS_ACTIVE;
    active_[*household] = active;
    return active;
  }

  // The person's street ("" unknown), or nullopt when they belong to
  // another district.
  std::optional<std::string> StreetOf(const MemberCase& m) const {
    std::string best;
    m.ForKind(v1::FEED_KIND_RESIDENCE, [&](const CurrentFact& f) {
      const std::string& address = f.record().residence().residence_address();
      for (const auto& [district, street] : streets_) {
        if (!street.empty() && street.size() > best.size() &&
            absl::StrContains(address, street)) {
          best = street;
        }
      }
    });
    if (!best.empty() || district_.empty()) return best;
    const CurrentFact* hukou = HukouOf(m);
    if (hukou != nullptr &&
        hukou->record().hukou().address_code() != district_) {
      return std::nullopt;
    }
    return best;
  }

  absl::Status Consider(v1::FeedKind kind, const std::string& id) {
    ASSIGN_OR_RETURN(const bool beneficiary, IsBeneficiary(id));
    if (beneficiary) return absl::OkStatus();
    v1::Household one;
    one.add_members()->set_id_number(id);
    RETURN_IF_ERROR(reader_.Load(one, day_, &case_));
    const MemberCase& m = case_.members()[0];
    if (DeathOf(m, day_) != nullptr) return absl::OkStatus();

    const CurrentFact* fact = nullptr;
    v1::IntakeSignal signal = v1::INTAKE_SIGNAL_UNSPECIFIED;
    absl::CivilDay date;
    int months_left = 0;
    const absl::CivilMonth month(day_);
    switch (kind) {
      case v1::FEED_KIND_UNEMPLOYMENT_BENEFIT: {
        // The last month any of the person's benefits is paid.
        std::optional<absl::CivilMonth> last;
        m.ForKind(kind, [&](const CurrentFact& f) {
          const auto& r = f.record().unemployment_benefit();
          const auto start = MonthOf(r.start_month());
          const absl::CivilMonth end = BenefitLastMonth(r, policy_);
          if (!start || *start > month || end < month) return;
          if (!last || end > *last) {
            last = end;
            fact = &f;
          }
        });
        if (!last) return absl::OkStatus();
        // Months from now to the first month without the benefit.
        months_left = static_cast<int>(*last - month) + 1;
        if (months_left > kHorizonMonths) return absl::OkStatus();
        signal = v1::INTAKE_SIGNAL_BENEFIT_ENDING;
        date = absl::CivilDay(*last);
        break;
      }
      case v1::FEED_KIND_CUSTODY: {
        const CurrentFact* e = LatestCustodyEvent(m, day_);
        if (e == nullptr) return absl::OkStatus();
        const v1::CustodyRecord& r = e->record().custody();
        const auto when = DayOf(r.event_date());
        if (r.event() != v1::CUSTODY_EVENT_RELEASED || !when ||
            AddMonths(*when, policy_.signals().lookback_months()) <= day_) {
          return absl::OkStatus();
        }
        fact = e;
        signal = v1::INTAKE_SIGNAL_RELEASED_FROM_CUSTODY;
        date = *when;
        break;
      }
      default: {
        const int lookback =
            policy_.assets().land_compensation_lookback_months();
        m.ForKind(kind, [&](const CurrentFact& f) {
          const auto when = DayOf(f.record().conversion().conversion_date());
          if (!when || *when > day_ || AddMonths(*when, lookback) <= day_) {
            return;
          }
          if (fact == nullptr || *when > date) {
            fact = &f;
            date = *when;
          }
        });
        if (fact == nullptr) return absl::OkStatus();
        signal = v1::INTAKE_SIGNAL_RECENTLY_CONVERTED;
        break;
      }
    }
    const std::optional<std::string> street = StreetOf(m);
    if (!street) return absl::OkStatus();
    v1::StreetForecast& c = counts_[*street];
    c.set_street(*street);
    switch (signal) {
      case v1::INTAKE_SIGNAL_BENEFIT_ENDING:
        if (months_left <= 1) {
          c.set_benefit_ends_within_1(c.benefit_ends_within_1() + 1);
        }
        if (months_left <= 3) {
          c.set_benefit_ends_within_3(c.benefit_ends_within_3() + 1);
        }
        c.set_benefit_ends_within_6(c.benefit_ends_within_6() + 1);
        break;
      case v1::INTAKE_SIGNAL_RELEASED_FROM_CUSTODY:
        c.set_released_from_custody(c.released_from_custody() + 1);
        break;
      default:
        c.set_recently_converted(c.recently_converted() + 1);
        break;
    }
    if (list_people_) {
      Person p;
      p.id = id;
      p.person.set_street(*street);
      p.person.set_id_number_masked(MaskId(id));
      p.person.set_name_masked(MaskName(fact->record().name()));
      p.person.set_signal(signal);
      *p.person.mutable_date() = ToProto(date);
      p.person.set_months_left(months_left);
      people_.push_back(std::move(p));
    }
    return absl::OkStatus();
  }

  const Store& store_;
  const rocksdb::Snapshot* snap_;
  const RegistryReader registry_;
  const v1::Policy& policy_;
  const std::string district_;
  const absl::CivilDay day_;
  const bool list_people_;
  FactReader reader_;
  HouseholdCase case_;
  std::vector<std::pair<std::string, std::string>> streets_;
  absl::flat_hash_map<std::string, bool> active_;
  std::map<std::string, v1::StreetForecast> counts_;
  std::vector<Person> people_;
};

}  // namespace

absl::StatusOr<v1::IntakeForecast> ForecastIntake(
    const Store& store, const v1::Policy& policy,
    const std::string& district_code, absl::CivilDay as_of, bool list_people) {
  if (!district_code.empty() &&
      (district_code.size() != 6 ||
       !std::all_of(district_code.begin(), district_code.end(),
                    [](char c) { return absl::ascii_isdigit(c); }))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "district_code \"", district_code, "\" is not a 6-digit code"));
  }
  Store::Snapshot snap(store);
  v1::IntakeForecast out;
  *out.mutable_as_of() = ToProto(as_of);
  out.set_district_code(district_code);
  out.set_custody_lookback_months(policy.signals().lookback_months());
  out.set_conversion_lookback_months(
      policy.assets().land_compensation_lookback_months());
  out.set_street_rule(kForecastStreetRule);
  Forecaster f(store, snap.get(), policy, district_code, as_of, list_people);
  RETURN_IF_ERROR(f.Run(&out));
  return out;
}

}  // namespace dibao
