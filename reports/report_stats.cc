#include "reports/report_stats.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/dates.h"
#include "base/status_macros.h"

namespace dibao {

absl::StatusOr<ListFilter> ActiveHouseholdsIn(const v1::AreaFilter& area) {
  if (!area.street().empty() && area.district_code().empty()) {
    return absl::InvalidArgumentError("area: a street needs a district_code");
  }
  if (!area.community().empty() && area.street().empty()) {
    return absl::InvalidArgumentError("area: a community needs a street");
  }
  ListFilter filter;
  filter.district_code = area.district_code();
  filter.street = area.street();
  filter.community = area.community();
  filter.status = v1::HOUSEHOLD_STATUS_ACTIVE;
  return filter;
}

int64_t PercentBp(int64_t part, int64_t whole) {
  if (whole <= 0) return 0;
  return (part * 10000 * 2 + whole) / (whole * 2);
}

std::string FormatPercentBp(int64_t bp) {
  return absl::StrFormat("%d.%02d", bp / 100, bp % 100);
}

v1::AgeBand AgeBandOf(v1::Sex sex, int age) {
  if (age < 18) return v1::AGE_BAND_UNDER_18;
  const int retirement = sex == v1::SEX_FEMALE ? 55 : 60;
  return age < retirement ? v1::AGE_BAND_WORKING_AGE
                          : v1::AGE_BAND_ABOVE_WORKING_AGE;
}

absl::StatusOr<v1::Statistics> ComputeStatistics(const Registry& registry,
                                                 const v1::AreaFilter& area,
                                                 absl::CivilDay as_of) {
  ASSIGN_OR_RETURN(const ListFilter filter, ActiveHouseholdsIn(area));
  constexpr int kStatuses = v1::REPORTED_STATUS_OTHER + 1;
  constexpr int kBands = v1::AGE_BAND_ABOVE_WORKING_AGE + 1;
  std::array<int64_t, kStatuses> by_status{};
  struct BandCount {
    int64_t male = 0, female = 0, total = 0;
  };
  std::array<BandCount, kBands> by_band{};
  v1::Statistics stats;
  *stats.mutable_as_of() = ToProto(as_of);
  *stats.mutable_area() = area;
  RETURN_IF_ERROR(registry.ForEach(filter, [&](const v1::Household& h) {
    stats.set_households(stats.households() + 1);
    stats.set_monthly_outlay_fen(stats.monthly_outlay_fen() +
                                 h.monthly_benefit_fen());
    for (const v1::Member& m : h.members()) {
      stats.set_persons(stats.persons() + 1);
      const int status = m.reported_status();
      if (status > 0 && status < kStatuses) {
        ++by_status[status];
      } else {
        stats.set_unspecified_status(stats.unspecified_status() + 1);
      }
      auto birth = FromProto(m.birth_date());
      if (!birth.ok()) {
        return absl::DataLossError(
            absl::StrCat("household ", h.household_id(),
                         ": a member's stored birth date is unreadable: ",
                         birth.status().message()));
      }
      BandCount& band = by_band[AgeBandOf(m.sex(), AgeOn(*birth, as_of))];
      ++band.total;
      if (m.sex() == v1::SEX_MALE) ++band.male;
      if (m.sex() == v1::SEX_FEMALE) ++band.female;
      if (m.disabled()) {
        stats.set_disabled(stats.disabled() + 1);
        if (m.sex() == v1::SEX_MALE) {
          stats.set_disabled_male(stats.disabled_male() + 1);
        }
        if (m.sex() == v1::SEX_FEMALE) {
          stats.set_disabled_female(stats.disabled_female() + 1);
        }
      }
    }
    return absl::OkStatus();
  }));
  const int64_t persons = stats.persons();
  for (int s = 1; s < kStatuses; ++s) {
    v1::ReportedStatusCount* row = stats.add_by_reported_status();
    row->set_reported_status(static_cast<v1::ReportedStatus>(s));
    row->set_persons(by_status[s]);
    row->set_percent_bp(PercentBp(by_status[s], persons));
  }
  for (int b = 1; b < kBands; ++b) {
    v1::AgeBandCount* row = stats.add_by_age_band();
    row->set_band(static_cast<v1::AgeBand>(b));
    row->set_male(by_band[b].male);
    row->set_female(by_band[b].female);
    row->set_total(by_band[b].total);
    row->set_percent_bp(PercentBp(by_band[b].total, persons));
  }
  stats.set_disabled_percent_bp(PercentBp(stats.disabled(), persons));
  return stats;
}

}  // namespace dibao
