#include "matcher/fact_queries.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/money.h"
#include "matcher/policy.h"

namespace dibao {
namespace {

// Unset dates count as "always": a record that does not say when it started
// has held since before anyone asked.
bool OnOrBefore(const v1::Date& d, absl::CivilDay day) {
  const auto when = DayOf(d);
  return !when || *when <= day;
}

// True while `from` <= day < AddMonths(from, months).
bool WithinMonths(const v1::Date& from, int months, absl::CivilDay day) {
  const auto when = DayOf(from);
  return when && *when <= day && day < AddMonths(*when, months);
}

int CustodyStage(v1::CustodyEvent e) {
  switch (e) {
    case v1::CUSTODY_EVENT_SENTENCED:
      return 1;
    case v1::CUSTODY_EVENT_INCARCERATED:
      return 2;
    case v1::CUSTODY_EVENT_RELEASED:
      return 3;
    default:
      return 0;  // community correction: not custody
  }
}

}  // namespace

std::optional<absl::CivilDay> DayOf(const v1::Date& d) {
  if (d.year() == 0 && d.month() == 0 && d.day() == 0) return std::nullopt;
  const absl::CivilDay day(d.year(), d.month(), d.day());
  if (day.year() != d.year() || day.month() != d.month() ||
      day.day() != d.day()) {
    return std::nullopt;
  }
  return day;
}

std::optional<absl::CivilMonth> MonthOf(const v1::Month& m) {
  if (m.year() == 0 || m.month() < 1 || m.month() > 12) return std::nullopt;
  return absl::CivilMonth(m.year(), m.month());
}

const CurrentFact* HukouOf(const MemberCase& m) {
  const CurrentFact* out = nullptr;
  m.ForKind(v1::FEED_KIND_HUKOU, [&](const CurrentFact& f) { out = &f; });
  return out;
}

const CurrentFact* DeathOf(const MemberCase& m, absl::CivilDay day) {
  const CurrentFact* h = HukouOf(m);
  if (h == nullptr) return nullptr;
  const v1::HukouRecord& r = h->record().hukou();
  return r.status() == v1::HUKOU_STATUS_DECEASED &&
                 OnOrBefore(r.status_date(), day)
             ? h
             : nullptr;
}

const CurrentFact* LatestCustodyEvent(const MemberCase& m, absl::CivilDay day) {
  const CurrentFact* latest = nullptr;
  absl::CivilDay latest_day;
  m.ForKind(v1::FEED_KIND_CUSTODY, [&](const CurrentFact& f) {
    const v1::CustodyRecord& r = f.record().custody();
    const auto when = DayOf(r.event_date());
    if (!when || *when > day || CustodyStage(r.event()) == 0) return;
    if (latest == nullptr || *when > latest_day ||
        (*when == latest_day &&
         CustodyStage(r.event()) >
             CustodyStage(latest->record().custody().event()))) {
      latest = &f;
      latest_day = *when;
    }
  });
  return latest;
}

const CurrentFact* CustodyOf(const MemberCase& m, absl::CivilDay day) {
  const CurrentFact* e = LatestCustodyEvent(m, day);
  return e != nullptr &&
                 e->record().custody().event() != v1::CUSTODY_EVENT_RELEASED
             ? e
             : nullptr;
}

std::vector<const CurrentFact*> ActiveJobs(const MemberCase& m,
                                           absl::CivilDay day) {
  std::vector<const CurrentFact*> out;
  m.ForKind(v1::FEED_KIND_EMPLOYMENT, [&](const CurrentFact& f) {
    const v1::EmploymentRecord& r = f.record().employment();
    const auto end = DayOf(r.end_date());
    if (r.monthly_wage_fen() > 0 && OnOrBefore(r.start_date(), day) &&
        (!end || *end >= day)) {
      out.push_back(&f);
    }
  });
  return out;
}

absl::CivilMonth BenefitLastMonth(const v1::UnemploymentBenefitRecord& r,
                                  const v1::Policy& policy) {
  const absl::CivilMonth start =
      MonthOf(r.start_month()).value_or(absl::CivilMonth());
  const absl::CivilMonth cap =
      start +
      (std::max(1, policy.income().unemployment_benefit_max_months()) - 1);
  const auto end = MonthOf(r.end_month());
  return end && *end < cap ? *end : cap;
}

VerifiedIncome VerifiedIncomeOf(const MemberCase& m, const v1::Policy& policy,
                                absl::CivilDay day) {
  VerifiedIncome out;
  const v1::IncomePolicy& income = policy.income();
  auto add = [&](const CurrentFact& f, int64_t fen, std::string what) {
    out.monthly_fen += fen;
    out.sources.push_back({&f, fen, std::move(what)});
  };
  if (income.count_wages()) {
    for (const CurrentFact* f : ActiveJobs(m, day)) {
      const v1::EmploymentRecord& r = f->record().employment();
      add(*f, r.monthly_wage_fen(),
          absl::StrCat("wage at ", r.employer_name().empty()
                                       ? r.employer_code()
                                       : r.employer_name()));
    }
  }
  const absl::CivilMonth month(day);
  m.ForKind(v1::FEED_KIND_UNEMPLOYMENT_BENEFIT, [&](const CurrentFact& f) {
    const v1::UnemploymentBenefitRecord& r = f.record().unemployment_benefit();
    const auto start = MonthOf(r.start_month());
    if (!income.count_unemployment_benefit() || !start || *start > month ||
        month > BenefitLastMonth(r, policy)) {
      return;
    }
    add(f, r.monthly_amount_fen(), "unemployment benefit");
  });
  m.ForKind(v1::FEED_KIND_PENSION, [&](const CurrentFact& f) {
    const v1::PensionRecord& r = f.record().pension();
    if (income.count_pension() && OnOrBefore(r.start_date(), day)) {
      add(f, r.monthly_amount_fen(), "pension");
    }
  });
  const int months = std::max(1, income.one_off_average_months());
  m.ForKind(v1::FEED_KIND_ASSISTANCE, [&](const CurrentFact& f) {
    const v1::AssistanceRecord& r = f.record().assistance();
    if (income.count_union_assistance() &&
        WithinMonths(r.paid_date(), months, day)) {
      add(f, r.amount_fen() / months,
          absl::StrCat("union assistance of ", FormatYuan(r.amount_fen()),
                       " over ", months, months == 1 ? " month" : " months"));
    }
  });
  return out;
}

std::vector<const CurrentFact*> FailingVehicles(const MemberCase& m,
                                                const v1::Policy& policy,
                                                absl::CivilDay day) {
  std::vector<const CurrentFact*> out;
  const v1::AssetPolicy& assets = policy.assets();
  m.ForKind(v1::FEED_KIND_VEHICLE, [&](const CurrentFact& f) {
    const v1::VehicleRecord& r = f.record().vehicle();
    const auto gone = DayOf(r.deregistered_date());
    if (!OnOrBefore(r.registered_date(), day) || (gone && *gone <= day) ||
        r.value_fen() <= assets.vehicle_value_threshold_fen()) {
      return;
    }
    for (const std::string& exempt : assets.exempt_vehicle_types()) {
      if (r.vehicle_type() == exempt) return;
    }
    out.push_back(&f);
  });
  return out;
}

std::vector<const CurrentFact*> HeldProperties(const MemberCase& m,
                                               absl::CivilDay day) {
  std::vector<const CurrentFact*> out;
  m.ForKind(v1::FEED_KIND_PROPERTY, [&](const CurrentFact& f) {
    const v1::PropertyRecord& r = f.record().property();
    const auto gone = DayOf(r.disposed_date());
    if (OnOrBefore(r.acquired_date(), day) && !(gone && *gone <= day)) {
      out.push_back(&f);
    }
  });
  return out;
}

std::vector<const CurrentFact*> RecentCompensation(const MemberCase& m,
                                                   const v1::Policy& policy,
                                                   absl::CivilDay day) {
  std::vector<const CurrentFact*> out;
  const int months = policy.assets().land_compensation_lookback_months();
  m.ForKind(v1::FEED_KIND_CONVERSION, [&](const CurrentFact& f) {
    const v1::ConversionRecord& r = f.record().conversion();
    if (r.compensation_fen() > 0 && WithinMonths(r.paid_date(), months, day)) {
      out.push_back(&f);
    }
  });
  return out;
}

std::optional<absl::CivilDay> NextChange(const MemberCase& m,
                                         const v1::Policy& policy,
                                         absl::CivilDay day) {
  std::optional<absl::CivilDay> next;
  auto consider = [&](std::optional<absl::CivilDay> d) {
    if (d && *d > day && (!next || *d < *next)) next = d;
  };
  auto date = [&](const v1::Date& d) { consider(DayOf(d)); };
  auto after_months = [&](const v1::Date& d, int months) {
    if (const auto from = DayOf(d)) {
      consider(*from);
      consider(AddMonths(*from, months));
    }
  };
  auto month_start = [&](absl::CivilMonth mo) {
    consider(absl::CivilDay(mo.year(), mo.month(), 1));
  };
  const int lookback = policy.signals().lookback_months();
  for (const CurrentFact& f : m.facts) {
    const v1::FeedRecord& r = f.record();
    switch (f.kind) {
      case v1::FEED_KIND_EMPLOYMENT:
        date(r.employment().start_date());
        if (const auto end = DayOf(r.employment().end_date())) {
          consider(*end + 1);
        }
        break;
      case v1::FEED_KIND_UNEMPLOYMENT_BENEFIT: {
        const v1::UnemploymentBenefitRecord& b = r.unemployment_benefit();
        const absl::CivilMonth last = BenefitLastMonth(b, policy);
        if (const auto start = MonthOf(b.start_month())) month_start(*start);
        month_start(last + 1);
        // The notice window of UNEMPLOYMENT_BENEFIT_ENDING opens.
        month_start(last + 1 - policy.signals().benefit_ending_months());
        break;
      }
      case v1::FEED_KIND_PENSION:
        date(r.pension().start_date());
        break;
      case v1::FEED_KIND_TRAINING:
        after_months(r.training().offered_date(), lookback);
        break;
      case v1::FEED_KIND_CONVERSION:
        after_months(r.conversion().paid_date(),
                     policy.assets().land_compensation_lookback_months());
        break;
      case v1::FEED_KIND_PROPERTY:
        date(r.property().acquired_date());
        date(r.property().disposed_date());
        break;
      case v1::FEED_KIND_HARDSHIP:
        date(r.hardship().registered_date());
        break;
      case v1::FEED_KIND_ASSISTANCE:
        after_months(r.assistance().paid_date(),
                     std::max(1, policy.income().one_off_average_months()));
        break;
      case v1::FEED_KIND_HUKOU:
        date(r.hukou().status_date());
        break;
      case v1::FEED_KIND_RESIDENCE:
        date(r.residence().since_date());
        break;
      case v1::FEED_KIND_VEHICLE:
        date(r.vehicle().registered_date());
        date(r.vehicle().deregistered_date());
        break;
      case v1::FEED_KIND_CUSTODY:
        after_months(r.custody().event_date(), lookback);
        break;
      default:
        break;
    }
  }
  return next;
}

}  // namespace dibao
