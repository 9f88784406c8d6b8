#include "sample/sample_feeds.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "base/csv.h"
#include "base/dates.h"
#include "base/money.h"
#include "base/resident_id.h"
#include "formats/cells.h"
#include "formats/feed_format.h"
#include "sample/names.h"
#include "sample/rng.h"

namespace dibao {
namespace {

namespace names = sample_internal;
using sample_internal::Rng;

// Employers of the district's people; codes are 18-character unified
// social credit codes.
constexpr absl::string_view kEmployers[] = {
    "武汉长江物流有限公司",     "汉口北商贸城管理有限公司",
    "江城保安服务有限公司",     "武汉市惠民家政服务中心",
    "楚天建筑劳务有限公司",     "汉正街服装批发部",
    "武汉顺达快递有限公司",     "江岸区环境卫生管理所",
    "武汉百味餐饮管理有限公司", "华中汽车维修服务部"};
constexpr absl::string_view kPrisons[] = {"湖北省武汉监狱", "湖北省汉阳监狱",
                                          "武汉市第一看守所"};

std::string EmployerCode(int i) {
  return absl::StrFormat("91420102MA4K%06d", i);
}

// Anyone the agencies write about.
struct Person {
  std::string id;
  std::string name;
  v1::Sex sex = v1::SEX_UNSPECIFIED;
  absl::CivilDay birth;
  const v1::Member* member = nullptr;  // null for a neighbour
  const v1::Household* household = nullptr;
};

bool WorkingAge(const Person& p, absl::CivilDay on) {
  const int age = AgeOn(p.birth, on);
  return age >= 18 && age < (p.sex == v1::SEX_MALE ? 60 : 55);
}

v1::Month MonthOf(absl::CivilDay day) {
  v1::Month m;
  m.set_year(static_cast<int32_t>(day.year()));
  m.set_month(day.month());
  return m;
}

// ID spellings agencies really send. Each keeps the same person.
std::string FullWidth(absl::string_view id) {
  std::string out;
  for (char c : id) {
    if (c >= '0' && c <= '9') {
      out += "\xEF\xBC";
      out += static_cast<char>(0x90 + (c - '0'));
    } else if (c == 'X') {
      out += "\xEF\xBC\xB8";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Spaced(absl::string_view id) {
  return absl::StrCat(id.substr(0, 6), " ", id.substr(6, 8), " ",
                      id.substr(14));
}

// The old 15-digit form (two-digit year, no check character); only for
// people born in the 1900s, which is what the ID module upgrades.
std::string Fifteen(absl::string_view id) {
  return absl::StrCat(id.substr(0, 6), id.substr(8, 9));
}

class Builder {
 public:
  Builder(const std::vector<v1::Household>& households,
          const SampleFeedsOptions& options)
      : rng_(options.seed * 7919 + 17), as_of_(options.as_of) {
    for (const auto& h : households) {
      if (district_.empty()) district_ = h.district_code();
      for (const auto& m : h.members()) {
        ids_.insert(m.id_number());
        Person p;
        p.id = m.id_number();
        p.name = m.name();
        p.sex = m.sex();
        p.birth = *FromProto(m.birth_date());
        p.member = &m;
        p.household = &h;
        members_.push_back(std::move(p));
      }
    }
    for (int i = 0; i < options.neighbours; ++i) {
      neighbours_.push_back(Neighbour(i));
    }
  }

  absl::StatusOr<SampleFeeds> Build();

 private:
  Person Neighbour(int i) {
    Person p;
    p.sex = rng_.Percent(50) ? v1::SEX_MALE : v1::SEX_FEMALE;
    do {
      // Ages 18-84, birthdays away from the as-of day.
      p.birth = as_of_ - (365 * rng_.Uniform(18, 84) + rng_.Uniform(20, 340));
      const std::string first17 = absl::StrFormat(
          "%s%04d%02d%02d%02d%d", district_, p.birth.year(), p.birth.month(),
          p.birth.day(), 50 + i % 50,
          (p.sex == v1::SEX_MALE ? 1 : 0) + 2 * rng_.Uniform(0, 4));
      p.id = first17 + ResidentIdCheckCharacter(first17);
    } while (!ids_.insert(p.id).second);
    const std::string_view surname =
        names::kSurnames[rng_.Below(std::size(names::kSurnames))];
    const std::string_view given =
        p.sex == v1::SEX_MALE ? names::kMiddleMaleNames[rng_.Below(
                                    std::size(names::kMiddleMaleNames))]
                              : names::kMiddleFemaleNames[rng_.Below(
                                    std::size(names::kMiddleFemaleNames))];
    p.name = std::string(surname) + std::string(given);
    return p;
  }

  // Beneficiaries matching `pred`, not yet given a planted case, `count` of
  // them drawn at random (fewer if there are not enough).
  std::vector<const Person*> Draw(
      int count, const std::function<bool(const Person&)>& pred) {
    std::vector<const Person*> pool;
    for (const Person& p : members_) {
      if (!used_.count(p.id) && pred(p)) pool.push_back(&p);
    }
    rng_.Shuffle(pool);
    if (static_cast<int>(pool.size()) > count) pool.resize(count);
    for (const Person* p : pool) used_.insert(p->id);
    return pool;
  }

  void Plant(const Person& p, std::string rule, bool expect,
             std::string detail) {
    out_.planted.push_back({p.household->household_id(), p.id, std::move(rule),
                            expect, std::move(detail)});
  }

  v1::FeedRecord& Row(const Person& p) {
    v1::FeedRecord& r = rows_.emplace_back();
    r.set_id_number(p.id);
    r.set_name(p.name);
    return r;
  }

  // A day within the last `days` days before as-of.
  absl::CivilDay Recent(int days) { return as_of_ - rng_.Uniform(1, days); }

  // Writes rows_ as the kind's file, dirtying some IDs, and appends
  // `invalid` lines (already formatted) at random places.
  void Emit(v1::FeedKind kind, bool snapshot,
            std::vector<std::string> invalid = {});

  void Employment();
  void UnemploymentBenefit();
  void Pension();
  void LaidOff();
  void Training();
  void Conversion();
  void Property();
  void Hardship();
  void Assistance();
  void Hukou();
  void Residence();
  void Vehicle();
  void Custody();

  Rng rng_;
  const absl::CivilDay as_of_;
  std::string district_;
  std::vector<Person> members_;
  std::vector<Person> neighbours_;
  std::set<std::string> used_;  // beneficiaries given a planted case
  std::set<std::string> ids_;   // every ID, so neighbours are new people
  std::vector<v1::FeedRecord> rows_;
  SampleFeeds out_;
};

void Builder::Emit(v1::FeedKind kind, bool snapshot,
                   std::vector<std::string> invalid) {
  const FeedKindSpec& spec = *FindFeedKind(kind);
  SampleFeedFile f;
  f.spec = &spec;
  f.snapshot = snapshot;
  f.batch_id =
      absl::StrFormat("%s-%s-%04d%02d%02d", AgencyName(spec.agency), spec.name,
                      as_of_.year(), as_of_.month(), as_of_.day());
  absl::AsciiStrToUpper(&f.batch_id);
  f.path = absl::StrCat(AgencyName(spec.agency), "/", spec.name, "/",
                        FormatDate(as_of_), "/", f.batch_id,
                        snapshot ? ".snapshot" : "", ".csv");
  f.csv = FeedCsvHeader(spec);
  // Agencies export in their own order, not ours.
  rng_.Shuffle(rows_);
  std::vector<std::string> lines;
  for (v1::FeedRecord& r : rows_) {
    // One row in twenty arrives with its ID spelled another way.
    if (rng_.Below(20) == 0) {
      const std::string id = r.id_number();
      switch (rng_.Below(4)) {
        case 0:
          r.set_id_number(FullWidth(id));
          break;
        case 1:
          r.set_id_number(Spaced(id));
          break;
        case 2:
          if (id.substr(6, 2) == "19") r.set_id_number(Fifteen(id));
          break;
        default:
          if (id.back() == 'X') r.set_id_number(id.substr(0, 17) + "x");
          break;
      }
    }
    std::string line;
    AppendFeedCsv(spec, r, &line);
    lines.push_back(std::move(line));
  }
  for (std::string& bad : invalid) {
    lines.insert(lines.begin() + rng_.Below(lines.size() + 1),
                 std::move(bad) + "\n");
  }
  for (const std::string& line : lines) f.csv += line;
  f.rows = static_cast<int>(lines.size());
  f.invalid_rows = static_cast<int>(invalid.size());
  out_.files.push_back(std::move(f));
  rows_.clear();
}

// A formatted row of `spec` with one cell's text replaced: how a broken
// export line looks.
std::string Broken(v1::FeedKind kind, const v1::FeedRecord& r,
                   absl::string_view from, absl::string_view to) {
  std::string line;
  AppendFeedCsv(*FindFeedKind(kind), r, &line);
  line = absl::StrReplaceAll(line, {{from, to}});
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

void Builder::Employment() {
  auto job = [&](const Person& p, int employer, absl::CivilDay start,
                 int64_t wage) -> v1::EmploymentRecord& {
    auto* e = Row(p).mutable_employment();
    e->set_employer_code(EmployerCode(employer));
    e->set_employer_name(
        std::string(kEmployers[employer % std::size(kEmployers)]));
    *e->mutable_start_date() = ToProto(start);
    e->set_monthly_wage_fen(wage);
    return *e;
  };
  // Declared jobs: the partner's wage is the reported one, except for a
  // few who reported less than they earn.
  std::vector<const Person*> employed = Draw(1000, [](const Person& p) {
    return p.member->reported_status() == v1::REPORTED_STATUS_EMPLOYED;
  });
  for (size_t i = 0; i < employed.size(); ++i) {
    const Person& p = *employed[i];
    const int64_t reported = p.member->reported_monthly_income_fen();
    if (i < 3) {
      const int64_t more = 100 * rng_.Uniform(600, 900);
      job(p, rng_.Uniform(0, 9), Recent(900), reported + more);
      Plant(p, "INCOME_UNDERREPORTED", true,
            absl::StrCat("labour: wage ", FormatYuan(reported + more),
                         " yuan/month, reported ", FormatYuan(reported)));
    } else {
      job(p, rng_.Uniform(0, 9), Recent(900), reported);
      if (i < 5) {
        Plant(p, "INCOME_UNDERREPORTED", false,
              "labour: declared job, wage equal to the reported income");
      }
    }
    // Declared and verified: nobody else should take them for a case.
  }
  for (const Person* p : Draw(6, [&](const Person& p) {
         const auto s = p.member->reported_status();
         return WorkingAge(p, as_of_) &&
                (s == v1::REPORTED_STATUS_UNEMPLOYED ||
                 s == v1::REPORTED_STATUS_LAID_OFF ||
                 s == v1::REPORTED_STATUS_OTHER) &&
                p.member->reported_monthly_income_fen() < 50000;
       })) {
    const int64_t wage = 100 * rng_.Uniform(2200, 3800);
    const absl::CivilDay start = Recent(150);
    job(*p, rng_.Uniform(0, 9), start, wage);
    Plant(*p, "UNDECLARED_EMPLOYMENT", true,
          absl::StrCat("labour: employed since ", FormatDate(start), " at ",
                       FormatYuan(wage), " yuan/month"));
    // A wage of 2,200 yuan or more lifts any sample household's per-capita
    // income above the standard: an exit candidate.
    out_.planted.push_back(
        {p->household->household_id(), "", "HOUSEHOLD_INCOME_ABOVE_STANDARD",
         true,
         absl::StrCat("labour: an undeclared wage of ", FormatYuan(wage),
                      " yuan/month lifts the household above the standard")});
  }
  for (const Person* p : Draw(3, [&](const Person& p) {
         const auto s = p.member->reported_status();
         return WorkingAge(p, as_of_) && (s == v1::REPORTED_STATUS_UNEMPLOYED ||
                                          s == v1::REPORTED_STATUS_LAID_OFF);
       })) {
    const absl::CivilDay end = Recent(200);
    auto& e = job(*p, rng_.Uniform(0, 9), end - rng_.Uniform(90, 700),
                  100 * rng_.Uniform(2000, 3000));
    *e.mutable_end_date() = ToProto(end);
    Plant(*p, "UNDECLARED_EMPLOYMENT", false,
          absl::StrCat("labour: a job that ended on ", FormatDate(end)));
  }
  for (const Person& p : neighbours_) {
    if (WorkingAge(p, as_of_) && rng_.Percent(60)) {
      job(p, rng_.Uniform(0, 9), Recent(3000), 100 * rng_.Uniform(2200, 9000));
    }
  }
  // Broken lines: a mistyped ID, a wage with the sign of a refund.
  v1::FeedRecord bad;
  bad.set_id_number(neighbours_[0].id.substr(0, 17) +
                    (neighbours_[0].id.back() == '1' ? "2" : "1"));
  bad.set_name(neighbours_[0].name);
  auto* e = bad.mutable_employment();
  e->set_employer_code(EmployerCode(3));
  e->set_employer_name(std::string(kEmployers[3]));
  *e->mutable_start_date() = ToProto(as_of_ - 100);
  e->set_monthly_wage_fen(280000);
  std::string mistyped;
  AppendFeedCsv(*FindFeedKind(v1::FEED_KIND_EMPLOYMENT), bad, &mistyped);
  mistyped.pop_back();
  bad.set_id_number(neighbours_[1].id);
  bad.set_name(neighbours_[1].name);
  Emit(
      v1::FEED_KIND_EMPLOYMENT, true,
      {mistyped, Broken(v1::FEED_KIND_EMPLOYMENT, bad, ",280000", ",-280000")});
}

void Builder::UnemploymentBenefit() {
  auto benefit = [&](const Person& p, absl::CivilDay start, int months,
                     int64_t amount) {
    auto* b = Row(p).mutable_unemployment_benefit();
    *b->mutable_start_month() = MonthOf(start);
    const absl::CivilMonth end = absl::CivilMonth(start) + (months - 1);
    b->mutable_end_month()->set_year(static_cast<int32_t>(end.year()));
    b->mutable_end_month()->set_month(end.month());
    b->set_monthly_amount_fen(amount);
  };
  // Beneficiaries who reported no income but draw unemployment benefit;
  // two of them stop receiving it within two months (people about to need
  // more help).
  auto receiving = Draw(4, [&](const Person& p) {
    return p.member->reported_status() == v1::REPORTED_STATUS_UNEMPLOYED &&
           WorkingAge(p, as_of_);
  });
  for (size_t i = 0; i < receiving.size(); ++i) {
    const Person& p = *receiving[i];
    const int elapsed = i < 2 ? 22 + static_cast<int>(i) : 6 + 4 * i;
    const int64_t amount = 100 * rng_.Uniform(1200, 1600);
    benefit(p, absl::CivilDay(absl::CivilMonth(as_of_) - elapsed), 24, amount);
    Plant(p, "INCOME_UNDERREPORTED", true,
          absl::StrCat("labour: unemployment benefit of ", FormatYuan(amount),
                       " yuan/month, reported 0"));
    if (i < 2) {
      Plant(p, "UNEMPLOYMENT_BENEFIT_ENDING", true,
            "labour: unemployment benefit ends within two months");
    }
  }
  // Neighbours: benefits ending over the next half year (the intake
  // forecast's people), and some long finished.
  for (const Person& p : neighbours_) {
    if (!WorkingAge(p, as_of_) || !rng_.Percent(12)) continue;
    const int elapsed = rng_.Uniform(12, 40);
    benefit(p, absl::CivilDay(absl::CivilMonth(as_of_) - elapsed), 24,
            100 * rng_.Uniform(1200, 1600));
  }
  Emit(v1::FEED_KIND_UNEMPLOYMENT_BENEFIT, true);
}

void Builder::Pension() {
  auto pension = [&](const Person& p, int64_t amount) {
    auto* r = Row(p).mutable_pension();
    *r->mutable_start_date() = ToProto(
        absl::CivilDay(p.birth.year() + (p.sex == v1::SEX_MALE ? 60 : 50),
                       p.birth.month(), 1));
    r->set_monthly_amount_fen(amount);
  };
  auto retired = Draw(1000, [](const Person& p) {
    return p.member->reported_status() == v1::REPORTED_STATUS_RETIRED;
  });
  for (size_t i = 0; i < retired.size(); ++i) {
    const Person& p = *retired[i];
    const int64_t reported = p.member->reported_monthly_income_fen();
    if (i < 2) {
      const int64_t more = 100 * rng_.Uniform(500, 800);
      pension(p, reported + more);
      Plant(p, "INCOME_UNDERREPORTED", true,
            absl::StrCat("labour: pension ", FormatYuan(reported + more),
                         " yuan/month, reported ", FormatYuan(reported)));
    } else {
      pension(p, reported);
    }
  }
  for (const Person& p : neighbours_) {
    if (!WorkingAge(p, as_of_) && AgeOn(p.birth, as_of_) >= 50) {
      pension(p, 100 * rng_.Uniform(1800, 4200));
    }
  }
  Emit(v1::FEED_KIND_PENSION, true);
}

void Builder::LaidOff() {
  auto laid_off = [&](const Person& p) {
    auto* r = Row(p).mutable_laid_off();
    r->set_former_employer_code(EmployerCode(100 + rng_.Uniform(0, 40)));
    *r->mutable_laid_off_date() = ToProto(Recent(3650));
  };
  for (const Person& p : members_) {
    if (p.member->reported_status() == v1::REPORTED_STATUS_LAID_OFF) {
      laid_off(p);
    }
  }
  for (const Person& p : neighbours_) {
    if (WorkingAge(p, as_of_) && rng_.Percent(8)) laid_off(p);
  }
  Emit(v1::FEED_KIND_LAID_OFF, true);
}

void Builder::Training() {
  auto offered = Draw(12, [&](const Person& p) {
    const auto s = p.member->reported_status();
    return WorkingAge(p, as_of_) && p.member->able_to_work() &&
           (s == v1::REPORTED_STATUS_UNEMPLOYED ||
            s == v1::REPORTED_STATUS_LAID_OFF);
  });
  for (size_t i = 0; i < offered.size(); ++i) {
    const Person& p = *offered[i];
    auto* t = Row(p).mutable_training();
    *t->mutable_offered_date() = ToProto(Recent(80));
    if (i < 3) {
      t->set_outcome(v1::TRAINING_OUTCOME_REFUSED);
      Plant(p, "REFUSED_TRAINING", true,
            "labour: refused the training offered");
    } else {
      t->set_outcome(i < 5 ? v1::TRAINING_OUTCOME_NO_SHOW
                           : v1::TRAINING_OUTCOME_ATTENDED);
    }
  }
  // An outcome the schema does not know.
  v1::FeedRecord bad;
  bad.set_id_number(neighbours_[2].id);
  bad.set_name(neighbours_[2].name);
  *bad.mutable_training()->mutable_offered_date() = ToProto(as_of_ - 20);
  bad.mutable_training()->set_outcome(v1::TRAINING_OUTCOME_ATTENDED);
  Emit(v1::FEED_KIND_TRAINING, false,
       {Broken(v1::FEED_KIND_TRAINING, bad, "ATTENDED", "ABSENT")});
}

void Builder::Conversion() {
  auto converted = [&](const Person& p, absl::CivilDay paid, int64_t fen) {
    auto* c = Row(p).mutable_conversion();
    *c->mutable_conversion_date() = ToProto(paid - rng_.Uniform(30, 120));
    c->set_compensation_fen(fen);
    *c->mutable_paid_date() = ToProto(paid);
  };
  auto adults = [&](const Person& p) { return AgeOn(p.birth, as_of_) >= 30; };
  auto recent = Draw(2, adults);
  for (const Person* p : recent) {
    const int64_t fen = 100 * 1000 * rng_.Uniform(60, 180);
    converted(*p, Recent(150), fen);
    Plant(*p, "LAND_COMPENSATION", true,
          absl::StrCat("land: compensation of ", FormatYuan(fen),
                       " yuan paid within five months"));
  }
  for (const Person* p : Draw(1, adults)) {
    converted(*p, as_of_ - 365 * 5, 100 * 1000 * 80);
    Plant(*p, "LAND_COMPENSATION", false,
          "land: compensation paid five years ago");
  }
  for (const Person& p : neighbours_) {
    if (rng_.Percent(4)) {
      converted(p, Recent(360), 100 * 1000 * rng_.Uniform(40, 200));
    }
  }
  Emit(v1::FEED_KIND_CONVERSION, true);
}

void Builder::Property() {
  int next = 1;
  auto property = [&](const Person& p, double area,
                      absl::CivilDay acquired) -> v1::PropertyRecord& {
    auto* r = Row(p).mutable_property();
    r->set_property_id(
        absl::StrFormat("鄂(2020)武汉市不动产权第%07d号", next++ * 37 + 1000));
    r->set_area_m2(area);
    *r->mutable_acquired_date() = ToProto(acquired);
    return *r;
  };
  // Many own the flat they live in.
  for (const Person* p : Draw(40, [](const Person& p) {
         return p.member->relation() == "户主";
       })) {
    property(*p, rng_.Uniform(280, 650) / 10.0, Recent(9000));
  }
  for (const Person* p :
       Draw(1, [&](const Person& p) { return AgeOn(p.birth, as_of_) >= 35; })) {
    for (int i = 0; i < 3; ++i) {
      property(*p, rng_.Uniform(600, 1300) / 10.0, Recent(3000));
    }
    Plant(*p, "PROPERTY_HOLDING", true, "land: three flats held");
  }
  for (const Person* p :
       Draw(1, [&](const Person& p) { return AgeOn(p.birth, as_of_) >= 35; })) {
    const absl::CivilDay sold = Recent(300);
    auto& r = property(*p, 88.5, sold - 2000);
    *r.mutable_disposed_date() = ToProto(sold);
    Plant(*p, "PROPERTY_HOLDING", false,
          absl::StrCat("land: a second flat sold on ", FormatDate(sold)));
  }
  for (const Person& p : neighbours_) {
    if (rng_.Percent(30))
      property(p, rng_.Uniform(450, 1400) / 10.0, Recent(9000));
  }
  Emit(v1::FEED_KIND_PROPERTY, true);
}

void Builder::Hardship() {
  auto hardship = [&](const Person& p, v1::HardshipStatus status) {
    auto* r = Row(p).mutable_hardship();
    r->set_employer_code(EmployerCode(rng_.Uniform(0, 9)));
    *r->mutable_registered_date() = ToProto(Recent(700));
    r->set_status(status);
  };
  // Registered by an employer as a worker in hardship while reporting no
  // work.
  for (const Person* p : Draw(3, [&](const Person& p) {
         return WorkingAge(p, as_of_) &&
                p.member->reported_status() == v1::REPORTED_STATUS_UNEMPLOYED;
       })) {
    hardship(*p, v1::HARDSHIP_STATUS_ACTIVE);
    Plant(*p, "UNDECLARED_EMPLOYMENT", true,
          "union: ACTIVE hardship registration naming an employer");
  }
  for (const Person* p : Draw(2, [&](const Person& p) {
         return WorkingAge(p, as_of_) &&
                p.member->reported_status() == v1::REPORTED_STATUS_LAID_OFF;
       })) {
    hardship(*p, v1::HARDSHIP_STATUS_CLOSED);
    Plant(*p, "UNDECLARED_EMPLOYMENT", false,
          "union: a CLOSED hardship registration");
  }
  for (const Person& p : neighbours_) {
    if (WorkingAge(p, as_of_) && rng_.Percent(5)) {
      hardship(p, rng_.Percent(70) ? v1::HARDSHIP_STATUS_ACTIVE
                                   : v1::HARDSHIP_STATUS_CLOSED);
    }
  }
  Emit(v1::FEED_KIND_HARDSHIP, true);
}

void Builder::Assistance() {
  // One-off union payments of the past month (counted as income averaged
  // over the policy's months, so small ones change little).
  for (const Person* p :
       Draw(5, [&](const Person& p) { return WorkingAge(p, as_of_); })) {
    auto* a = Row(*p).mutable_assistance();
    *a->mutable_paid_date() = ToProto(Recent(28));
    a->set_amount_fen(100 * 100 * rng_.Uniform(5, 20));
  }
  for (const Person& p : neighbours_) {
    if (rng_.Percent(3)) {
      auto* a = Row(p).mutable_assistance();
      *a->mutable_paid_date() = ToProto(Recent(28));
      a->set_amount_fen(100 * 100 * rng_.Uniform(5, 30));
    }
  }
  Emit(v1::FEED_KIND_ASSISTANCE, false);
}

void Builder::Hukou() {
  std::map<std::string, std::pair<v1::HukouStatus, absl::CivilDay>> status;
  std::map<std::string, std::string> address, name, birth;
  for (const Person* p : Draw(2, [](const Person&) { return true; })) {
    const absl::CivilDay died = Recent(90);
    status[p->id] = {v1::HUKOU_STATUS_DECEASED, died};
    Plant(*p, "DECEASED_MEMBER", true,
          absl::StrCat("public security: died on ", FormatDate(died)));
  }
  int n = 0;
  for (const Person* p :
       Draw(3, [&](const Person& p) { return AgeOn(p.birth, as_of_) >= 18; })) {
    const absl::CivilDay moved = Recent(120);
    status[p->id] = {
        n++ < 2 ? v1::HUKOU_STATUS_MOVED_OUT : v1::HUKOU_STATUS_CANCELLED,
        moved};
    Plant(*p, "MOVED_OUT", true,
          absl::StrCat("public security: hukou moved out or cancelled on ",
                       FormatDate(moved)));
  }
  for (const Person* p :
       Draw(2, [&](const Person& p) { return AgeOn(p.birth, as_of_) >= 18; })) {
    address[p->id] = "420106";  // another district of the city
    Plant(*p, "MOVED_OUT", true,
          "public security: hukou registered in district 420106");
  }
  for (const Person* p : Draw(1, [](const Person& p) {
         return p.name.size() >= 6;  // two characters or more
       })) {
    name[p->id] = p->name.substr(0, p->name.size() - 3) + "芳";
    if (name[p->id] == p->name) name[p->id] = p->name + "华";
    Plant(*p, "IDENTITY_MISMATCH", true,
          absl::StrCat("public security: name ", name[p->id]));
  }
  auto record = [&](const Person& p) {
    auto* h = Row(p).mutable_hukou();
    if (auto it = name.find(p.id); it != name.end()) {
      rows_.back().set_name(it->second);
    }
    h->set_sex(p.sex);
    *h->mutable_birth_date() = ToProto(p.birth);
    auto a = address.find(p.id);
    h->set_address_code(a == address.end() ? district_ : a->second);
    auto s = status.find(p.id);
    if (s == status.end()) {
      h->set_status(v1::HUKOU_STATUS_NORMAL);
    } else {
      h->set_status(s->second.first);
      *h->mutable_status_date() = ToProto(s->second.second);
    }
  };
  for (const Person& p : members_) record(p);
  for (const Person& p : neighbours_) record(p);
  // A birth date that no calendar has.
  v1::FeedRecord bad;
  bad.set_id_number(neighbours_[3].id);
  bad.set_name(neighbours_[3].name);
  auto* h = bad.mutable_hukou();
  h->set_sex(neighbours_[3].sex);
  *h->mutable_birth_date() = ToProto(neighbours_[3].birth);
  h->set_address_code(district_);
  h->set_status(v1::HUKOU_STATUS_NORMAL);
  Emit(v1::FEED_KIND_HUKOU, true,
       {Broken(v1::FEED_KIND_HUKOU, bad, FormatDate(neighbours_[3].birth),
               absl::StrFormat("%04d-02-30", neighbours_[3].birth.year()))});
}

void Builder::Residence() {
  // Where the police say households actually live: where the registry says,
  // except three.
  std::set<std::string> seen;
  std::vector<const Person*> heads;
  for (const Person& p : members_) {
    if (p.household->residence_address().empty() ||
        !seen.insert(p.household->household_id()).second) {
      continue;
    }
    if (p.member->relation() != "户主") continue;
    heads.push_back(&p);
  }
  auto moved =
      Draw(3, [](const Person& p) { return p.member->relation() == "户主"; });
  for (const Person* p : moved) {
    auto* r = Row(*p).mutable_residence();
    r->set_residence_address(absl::StrFormat(
        "江汉区新华街道常青花园%d栋%d0%d室", rng_.Uniform(1, 40),
        rng_.Uniform(1, 18), rng_.Uniform(1, 4)));
    *r->mutable_since_date() = ToProto(Recent(300));
    Plant(*p, "RESIDENCE_MISMATCH", true,
          absl::StrCat("public security: lives at ", r->residence_address()));
  }
  for (const Person* p : heads) {
    if (std::find(moved.begin(), moved.end(), p) != moved.end()) continue;
    auto* r = Row(*p).mutable_residence();
    r->set_residence_address(p->household->residence_address());
    *r->mutable_since_date() = ToProto(Recent(3000));
  }
  Emit(v1::FEED_KIND_RESIDENCE, true);
}

void Builder::Vehicle() {
  int plate = 0;
  auto vehicle = [&](const Person& p, absl::string_view type, int64_t value,
                     absl::CivilDay registered) -> v1::VehicleRecord& {
    auto* v = Row(p).mutable_vehicle();
    v->set_plate(absl::StrFormat("鄂A%05d", 12000 + 37 * plate++));
    v->set_vehicle_type(std::string(type));
    *v->mutable_registered_date() = ToProto(registered);
    v->set_value_fen(value);
    return *v;
  };
  auto adult = [&](const Person& p) { return AgeOn(p.birth, as_of_) >= 20; };
  for (const Person* p : Draw(1, adult)) {
    vehicle(*p, "小型轿车", 100 * 85000, Recent(200));
    Plant(*p, "VEHICLE_OWNED", true,
          "public security: a car worth 85,000 yuan registered");
  }
  for (const Person* p : Draw(1, [&](const Person& p) {
         return adult(p) && p.member->disabled();
       })) {
    vehicle(*p, "残疾人专用机动轮椅车", 100 * 9000, Recent(900));
    Plant(*p, "VEHICLE_OWNED", false,
          "public security: a disability vehicle (exempt)");
  }
  for (const Person* p : Draw(1, adult)) {
    const absl::CivilDay gone = Recent(90);
    auto& v = vehicle(*p, "小型轿车", 100 * 42000, gone - 1500);
    *v.mutable_deregistered_date() = ToProto(gone);
    Plant(*p, "VEHICLE_OWNED", false,
          absl::StrCat("public security: a car deregistered on ",
                       FormatDate(gone)));
  }
  for (const Person* p : Draw(1, adult)) {
    vehicle(*p, "电动二轮摩托车", 100 * 2800, Recent(400));
    Plant(*p, "VEHICLE_OWNED", false,
          "public security: an electric motorbike worth 2,800 yuan");
  }
  for (const Person& p : neighbours_) {
    if (rng_.Percent(20)) {
      vehicle(p, "小型轿车", 100 * 1000 * rng_.Uniform(30, 250), Recent(3000));
    }
  }
  // A row without the owner's name.
  v1::FeedRecord bad;
  bad.set_id_number(neighbours_[4].id);
  auto* v = bad.mutable_vehicle();
  v->set_plate("鄂A99999");
  v->set_vehicle_type("小型轿车");
  *v->mutable_registered_date() = ToProto(as_of_ - 400);
  v->set_value_fen(100 * 60000);
  std::string line;
  AppendFeedCsv(*FindFeedKind(v1::FEED_KIND_VEHICLE), bad, &line);
  line.pop_back();
  Emit(v1::FEED_KIND_VEHICLE, true, {line});
}

void Builder::Custody() {
  auto event = [&](const Person& p, v1::CustodyEvent e, absl::CivilDay day,
                   absl::string_view institution) {
    auto* c = Row(p).mutable_custody();
    c->set_event(e);
    *c->mutable_event_date() = ToProto(day);
    c->set_institution(std::string(institution));
  };
  auto adult_man = [&](const Person& p) {
    return WorkingAge(p, as_of_) && p.sex == v1::SEX_MALE;
  };
  for (const Person* p : Draw(2, adult_man)) {
    const absl::CivilDay in = Recent(200);
    event(*p, v1::CUSTODY_EVENT_SENTENCED, in - 20, "武汉市江岸区人民法院");
    event(*p, v1::CUSTODY_EVENT_INCARCERATED, in, kPrisons[rng_.Below(3)]);
    Plant(*p, "INCARCERATED_MEMBER", true,
          absl::StrCat("justice: incarcerated since ", FormatDate(in)));
  }
  for (const Person* p : Draw(1, adult_man)) {
    const absl::CivilDay out = Recent(40);
    event(*p, v1::CUSTODY_EVENT_SENTENCED, out - 420, "武汉市江岸区人民法院");
    event(*p, v1::CUSTODY_EVENT_INCARCERATED, out - 400, kPrisons[0]);
    event(*p, v1::CUSTODY_EVENT_RELEASED, out, kPrisons[0]);
    Plant(*p, "RELEASED_FROM_CUSTODY", true,
          absl::StrCat("justice: released on ", FormatDate(out)));
  }
  for (const Person* p : Draw(1, adult_man)) {
    event(*p, v1::CUSTODY_EVENT_COMMUNITY_CORRECTION_START, Recent(100),
          "江岸区司法局社区矫正中心");
    Plant(*p, "INCARCERATED_MEMBER", false,
          "justice: community correction, not custody");
  }
  for (const Person& p : neighbours_) {
    if (WorkingAge(p, as_of_) && rng_.Percent(3)) {
      const absl::CivilDay out = Recent(180);
      event(p, v1::CUSTODY_EVENT_INCARCERATED, out - rng_.Uniform(300, 1500),
            kPrisons[1]);
      event(p, v1::CUSTODY_EVENT_RELEASED, out, kPrisons[1]);
    }
  }
  Emit(v1::FEED_KIND_CUSTODY, false);
}

absl::StatusOr<SampleFeeds> Builder::Build() {
  if (members_.empty()) {
    return absl::InvalidArgumentError("no households to write feeds about");
  }
  if (neighbours_.size() < 5) {
    return absl::InvalidArgumentError("at least 5 neighbours are needed");
  }
  Employment();
  UnemploymentBenefit();
  Pension();
  LaidOff();
  Training();
  Conversion();
  Property();
  Hardship();
  Assistance();
  Hukou();
  Residence();
  Vehicle();
  Custody();
  return std::move(out_);
}

}  // namespace

absl::StatusOr<SampleFeeds> GenerateSampleFeeds(
    const std::vector<v1::Household>& households,
    const SampleFeedsOptions& options) {
  return Builder(households, options).Build();
}

std::string PlantedCsv(const std::vector<PlantedCase>& planted) {
  std::string out = "household_id,id_number,rule,expect_flag,detail\n";
  for (const PlantedCase& c : planted) {
    AppendCsvCell(c.household_id, &out);
    out += ',';
    AppendCsvCell(c.id_number, &out);
    out += ',';
    AppendCsvCell(c.rule, &out);
    out += c.expect_flag ? ",true," : ",false,";
    AppendCsvCell(c.detail, &out);
    out += '\n';
  }
  return out;
}

}  // namespace dibao
