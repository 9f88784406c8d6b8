#include "sample/sample_district.h"

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "base/resident_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using v1::Household;
using v1::Member;

// ---------------------------------------------------------------------------
// Helpers computed here, independently of the generator.

absl::CivilDay ToCivilDay(const v1::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

int AgeOn(absl::CivilDay birth, absl::CivilDay day) {
  int age = static_cast<int>(day.year() - birth.year());
  if (std::make_pair(day.month(), day.day()) <
      std::make_pair(birth.month(), birth.day())) {
    --age;
  }
  return age;
}

int AgeOf(const Member& m, absl::CivilDay day) {
  return AgeOn(ToCivilDay(m.birth_date()), day);
}

// Table 2's bands: working age is 18-59 for men and 18-54 for women.
enum Band { kUnder18 = 0, kWorkingAge = 1, kAboveWorkingAge = 2 };

Band BandOn(const Member& m, absl::CivilDay day) {
  const int age = AgeOf(m, day);
  if (age < 18) return kUnder18;
  const int retirement = m.sex() == v1::SEX_MALE ? 60 : 55;
  return age < retirement ? kWorkingAge : kAboveWorkingAge;
}

bool IsMale(const Member& m) { return m.sex() == v1::SEX_MALE; }

struct Case {
  std::string label;
  SampleDistrictOptions options;
};

SampleDistrictOptions Options(uint64_t seed, absl::CivilDay as_of,
                              std::string district, int64_t standard_fen) {
  SampleDistrictOptions o;
  o.seed = seed;
  o.as_of = as_of;
  o.district_code = std::move(district);
  o.standard_fen = standard_fen;
  return o;
}

std::vector<Case> Cases() {
  return {
      {"Defaults", SampleDistrictOptions{}},
      {"Beijing2010", Options(7, absl::CivilDay(2010, 3, 15), "110105", 18500)},
      {"LeapDay",
       Options(20240229, absl::CivilDay(2024, 2, 29), "440304", 20500)},
      {"NewYear", Options(99, absl::CivilDay(2031, 1, 1), "420111", 30000)},
  };
}

class SampleDistrictTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::vector<Household>> generated =
        GenerateSampleDistrict(options());
    ASSERT_TRUE(generated.ok()) << generated.status();
    households_ = *std::move(generated);
  }

  const SampleDistrictOptions& options() const { return GetParam().options; }
  absl::CivilDay as_of() const { return options().as_of; }

  std::vector<const Member*> AllMembers() const {
    std::vector<const Member*> all;
    for (const Household& h : households_) {
      for (const Member& m : h.members()) all.push_back(&m);
    }
    return all;
  }

  std::vector<Household> households_;
};

// ---------------------------------------------------------------------------
// The report's figures.

TEST_P(SampleDistrictTest, HouseholdAndPersonCounts) {
  EXPECT_EQ(households_.size(), 465u);
  EXPECT_EQ(AllMembers().size(), 1013u);
}

TEST_P(SampleDistrictTest, Table1ReportedIdentity) {
  std::vector<int> counts(v1::ReportedStatus_ARRAYSIZE);
  for (const Member* m : AllMembers()) ++counts[m->reported_status()];
  EXPECT_EQ(counts[v1::REPORTED_STATUS_UNSPECIFIED], 0);
  EXPECT_EQ(counts[v1::REPORTED_STATUS_EMPLOYED], 55);
  EXPECT_EQ(counts[v1::REPORTED_STATUS_LAID_OFF], 47);
  EXPECT_EQ(counts[v1::REPORTED_STATUS_UNEMPLOYED], 56);
  EXPECT_EQ(counts[v1::REPORTED_STATUS_RETIRED], 22);
  EXPECT_EQ(counts[v1::REPORTED_STATUS_CIVIL_AFFAIRS], 64);
  EXPECT_EQ(counts[v1::REPORTED_STATUS_STUDENT], 223);
  EXPECT_EQ(counts[v1::REPORTED_STATUS_OTHER], 546);
}

TEST_P(SampleDistrictTest, Table2AgeBandBySex) {
  // Plain branches: GCC 12 at -O3 with -fsanitize=undefined miscompiled a
  // conditional-array increment here (UBSan reported a bogus `this`).
  int male[3] = {};
  int female[3] = {};
  const absl::CivilDay day = as_of();
  for (const Member* m : AllMembers()) {
    const Band band = BandOn(*m, day);
    if (IsMale(*m)) {
      ++male[band];
    } else {
      ++female[band];
    }
  }
  EXPECT_EQ(male[kUnder18], 127);
  EXPECT_EQ(female[kUnder18], 128);
  EXPECT_EQ(male[kWorkingAge], 284);
  EXPECT_EQ(female[kWorkingAge], 302);
  EXPECT_EQ(male[kAboveWorkingAge], 82);
  EXPECT_EQ(female[kAboveWorkingAge], 90);
}

TEST_P(SampleDistrictTest, DisabledBySex) {
  int male = 0;
  int female = 0;
  int unable = 0;
  for (const Member* m : AllMembers()) {
    if (!m->disabled()) continue;
    if (IsMale(*m)) {
      ++male;
    } else {
      ++female;
    }
    if (!m->able_to_work()) ++unable;
  }
  EXPECT_EQ(male, 46);
  EXPECT_EQ(female, 23);
  EXPECT_GT(unable, (male + female) / 2) << "disabled mostly unable to work";
}

// ---------------------------------------------------------------------------
// People.

TEST_P(SampleDistrictTest, IdsAreValidUniqueAndMatchSexAndBirthDate) {
  std::set<std::string> seen;
  const std::string province = options().district_code.substr(0, 2);
  int local = 0;
  for (const Member* m : AllMembers()) {
    SCOPED_TRACE(m->id_number());
    EXPECT_TRUE(seen.insert(m->id_number()).second) << "duplicate ID";
    absl::StatusOr<ResidentId> id = ParseResidentId(m->id_number(), as_of());
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(id->number(), m->id_number()) << "not normalised";
    EXPECT_EQ(id->birth_date(), ToCivilDay(m->birth_date()));
    EXPECT_EQ(id->sex() == Sex::kMale, IsMale(*m));
    EXPECT_NE(m->sex(), v1::SEX_UNSPECIFIED);
    EXPECT_EQ(id->province_code(), province);
    if (id->address_code() == options().district_code) ++local;
    EXPECT_TRUE(m->id_number_original().empty());
  }
  EXPECT_GT(local, 1013 * 3 / 4) << "most IDs issued in the district";
  EXPECT_LT(local, 1013) << "some IDs issued elsewhere in the province";
}

TEST_P(SampleDistrictTest, BirthDatesStayClearOfBandBoundaries) {
  for (const Member* m : AllMembers()) {
    SCOPED_TRACE(m->id_number());
    EXPECT_LE(ToCivilDay(m->birth_date()), as_of());
    EXPECT_LE(AgeOf(*m, as_of()), 95);
    // Bands (and so Table 2) hold for 40 days either side of as_of.
    EXPECT_EQ(BandOn(*m, as_of() - 40), BandOn(*m, as_of()));
    EXPECT_EQ(BandOn(*m, as_of() + 40), BandOn(*m, as_of()));
  }
}

TEST_P(SampleDistrictTest, StatusesFitAges) {
  int young_students = 0;
  for (const Member* m : AllMembers()) {
    SCOPED_TRACE(m->id_number());
    const Band band = BandOn(*m, as_of());
    switch (m->reported_status()) {
      case v1::REPORTED_STATUS_EMPLOYED:
      case v1::REPORTED_STATUS_LAID_OFF:
      case v1::REPORTED_STATUS_UNEMPLOYED:
        EXPECT_EQ(band, kWorkingAge);
        break;
      case v1::REPORTED_STATUS_RETIRED:
        EXPECT_EQ(band, kAboveWorkingAge);
        break;
      case v1::REPORTED_STATUS_CIVIL_AFFAIRS:
        EXPECT_NE(band, kUnder18);
        break;
      case v1::REPORTED_STATUS_STUDENT:
        EXPECT_NE(band, kAboveWorkingAge);
        EXPECT_LE(AgeOf(*m, as_of()), 22);
        if (band == kUnder18) ++young_students;
        break;
      default:
        break;
    }
  }
  EXPECT_GE(young_students, 190);
}

TEST_P(SampleDistrictTest, AbleToWorkFollowsAgeAndDisability) {
  for (const Member* m : AllMembers()) {
    SCOPED_TRACE(m->id_number());
    if (BandOn(*m, as_of()) != kWorkingAge) {
      EXPECT_FALSE(m->able_to_work());
    } else if (!m->disabled()) {
      EXPECT_TRUE(m->able_to_work());
    }
  }
}

TEST_P(SampleDistrictTest, NamesLookChinese) {
  for (const Household& h : households_) {
    std::set<std::string> names;
    for (const Member& m : h.members()) {
      // A surname and one or two given characters: 2-3 CJK characters of
      // 3 bytes each in UTF-8.
      EXPECT_THAT(m.name().size(), ::testing::AnyOf(6u, 9u)) << m.name();
      EXPECT_TRUE(names.insert(m.name()).second)
          << "two members named " << m.name() << " in " << h.household_id();
    }
  }
}

// ---------------------------------------------------------------------------
// Households.

TEST_P(SampleDistrictTest, HouseholdIdsAndMembersAreSorted) {
  for (size_t i = 0; i < households_.size(); ++i) {
    const Household& h = households_[i];
    EXPECT_EQ(h.household_id(),
              absl::StrFormat("%s-%04d", options().district_code, i + 1));
    EXPECT_EQ(h.district_code(), options().district_code);
    EXPECT_EQ(h.status(), v1::HOUSEHOLD_STATUS_ACTIVE);
    EXPECT_EQ(h.version(), 0);
    EXPECT_FALSE(h.has_updated_at());
    EXPECT_TRUE(h.updated_by().empty());
    EXPECT_TRUE(std::is_sorted(h.members().begin(), h.members().end(),
                               [](const Member& a, const Member& b) {
                                 return a.id_number() < b.id_number();
                               }));
    for (const Member& m : h.members()) {
      EXPECT_EQ(m.household_id(), h.household_id());
    }
  }
}

TEST_P(SampleDistrictTest, RelationsAreCoherent) {
  const std::set<std::string> relations = {"户主", "配偶",   "子女",
                                           "父母", "孙子女", "其他"};
  std::set<int> sizes;
  for (const Household& h : households_) {
    SCOPED_TRACE(h.household_id());
    ASSERT_GE(h.members_size(), 1);
    ASSERT_LE(h.members_size(), 6);
    sizes.insert(h.members_size());
    const Member* head = nullptr;
    for (const Member& m : h.members()) {
      EXPECT_TRUE(relations.contains(m.relation())) << m.relation();
      if (m.relation() == "户主") {
        EXPECT_EQ(head, nullptr) << "two heads";
        head = &m;
      }
    }
    ASSERT_NE(head, nullptr) << "no head";
    EXPECT_GE(AgeOf(*head, as_of()), 18);
    const std::string surname = head->name().substr(0, 3);
    for (const Member& m : h.members()) {
      if (m.relation() == "配偶") {
        EXPECT_NE(m.sex(), head->sex());
        EXPECT_GE(AgeOf(m, as_of()), 18);
      }
      if (m.relation() == "子女" || m.relation() == "孙子女") {
        EXPECT_EQ(m.name().substr(0, 3), surname) << m.name();
        EXPECT_LT(AgeOf(m, as_of()), AgeOf(*head, as_of()));
      }
      if (m.relation() == "子女") {
        EXPECT_GE(AgeOf(*head, as_of()) - AgeOf(m, as_of()), 18);
      }
      if (m.relation() == "父母") {
        EXPECT_GE(AgeOf(m, as_of()) - AgeOf(*head, as_of()), 18);
      }
    }
  }
  EXPECT_EQ(sizes, (std::set<int>{1, 2, 3, 4, 5, 6}));
}

TEST_P(SampleDistrictTest, StreetsCommunitiesAndAddresses) {
  std::set<std::string> streets;
  std::set<std::pair<std::string, std::string>> communities;
  std::set<std::string> addresses;
  int separated = 0;
  for (const Household& h : households_) {
    SCOPED_TRACE(h.household_id());
    streets.insert(h.street());
    communities.insert({h.street(), h.community()});
    EXPECT_THAT(h.registered_address(),
                ::testing::StartsWith(h.street() + h.community()));
    EXPECT_THAT(h.registered_address(), ::testing::EndsWith("室"));
    EXPECT_TRUE(addresses.insert(h.registered_address()).second);
    if (h.residence_address() != h.registered_address()) ++separated;
  }
  EXPECT_GE(streets.size(), 4u);
  EXPECT_LE(streets.size(), 6u);
  EXPECT_GE(communities.size(), 2 * streets.size());
  EXPECT_LE(communities.size(), 4 * streets.size());
  // 人户分离 in about 5% of households.
  EXPECT_GE(separated, 465 * 3 / 100);
  EXPECT_LE(separated, 465 * 7 / 100);
}

TEST_P(SampleDistrictTest, BenefitIsTheTopUpOnClearlyEligibleHouseholds) {
  const int64_t standard = options().standard_fen;
  for (const Household& h : households_) {
    SCOPED_TRACE(h.household_id());
    int64_t income = 0;
    for (const Member& m : h.members()) {
      EXPECT_GE(m.reported_monthly_income_fen(), 0);
      income += m.reported_monthly_income_fen();
    }
    const int64_t n = h.members_size();
    const int64_t per_capita = income / n;
    EXPECT_LE(per_capita, standard - 1000);
    EXPECT_EQ(h.monthly_benefit_fen(), (standard - per_capita) * n);
    const absl::CivilDay start = ToCivilDay(h.benefit_start_date());
    EXPECT_GE(start, absl::CivilDay(2000, 1, 1));
    EXPECT_LE(start, as_of());
  }
}

TEST_P(SampleDistrictTest, IncomesFollowReportedIdentity) {
  for (const Member* m : AllMembers()) {
    SCOPED_TRACE(m->id_number());
    const int64_t income = m->reported_monthly_income_fen();
    switch (m->reported_status()) {
      case v1::REPORTED_STATUS_UNEMPLOYED:
      case v1::REPORTED_STATUS_STUDENT:
      case v1::REPORTED_STATUS_CIVIL_AFFAIRS:
        EXPECT_EQ(income, 0);
        break;
      case v1::REPORTED_STATUS_EMPLOYED:
        EXPECT_LE(income, 60000);
        break;
      case v1::REPORTED_STATUS_LAID_OFF:
        EXPECT_LE(income, 15000);
        break;
      case v1::REPORTED_STATUS_RETIRED:
        EXPECT_LE(income, 18000);
        break;
      default:
        if (BandOn(*m, as_of()) == kUnder18) {
          EXPECT_EQ(income, 0);
        }
    }
  }
}

TEST_P(SampleDistrictTest, CategoriesFollowMembers) {
  int three_no = 0;
  int seriously_ill = 0;
  for (const Household& h : households_) {
    SCOPED_TRACE(h.household_id());
    std::vector<int> got(h.categories().begin(), h.categories().end());
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
    EXPECT_EQ(std::adjacent_find(got.begin(), got.end()), got.end());
    auto has = [&got](v1::Category c) {
      return std::find(got.begin(), got.end(), c) != got.end();
    };
    bool disabled = false, elderly = false, laid_off = false,
         unemployed = false;
    for (const Member& m : h.members()) {
      disabled |= m.disabled();
      elderly |= BandOn(m, as_of()) == kAboveWorkingAge;
      laid_off |= m.reported_status() == v1::REPORTED_STATUS_LAID_OFF;
      unemployed |= m.reported_status() == v1::REPORTED_STATUS_UNEMPLOYED;
    }
    EXPECT_EQ(has(v1::CATEGORY_DISABLED), disabled);
    EXPECT_EQ(has(v1::CATEGORY_ELDERLY), elderly);
    EXPECT_EQ(has(v1::CATEGORY_LAID_OFF), laid_off);
    EXPECT_EQ(has(v1::CATEGORY_UNEMPLOYED), unemployed);
    EXPECT_FALSE(has(v1::CATEGORY_UNSPECIFIED));
    if (has(v1::CATEGORY_THREE_NO)) {
      ++three_no;
      ASSERT_EQ(h.members_size(), 1);
      const Member& m = h.members(0);
      EXPECT_EQ(m.reported_status(), v1::REPORTED_STATUS_CIVIL_AFFAIRS);
      EXPECT_EQ(m.reported_monthly_income_fen(), 0);
      EXPECT_TRUE(m.disabled() || BandOn(m, as_of()) == kAboveWorkingAge);
    }
    if (has(v1::CATEGORY_SERIOUSLY_ILL)) ++seriously_ill;
  }
  EXPECT_GT(three_no, 0);
  EXPECT_GE(seriously_ill, 465 * 2 / 100);
  EXPECT_LE(seriously_ill, 465 * 4 / 100);
}

// ---------------------------------------------------------------------------
// Determinism.

TEST_P(SampleDistrictTest, SameOptionsGiveTheSameBytes) {
  absl::StatusOr<std::vector<Household>> again =
      GenerateSampleDistrict(options());
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->size(), households_.size());
  for (size_t i = 0; i < households_.size(); ++i) {
    EXPECT_EQ((*again)[i].SerializeAsString(),
              households_[i].SerializeAsString())
        << households_[i].household_id();
  }
}

TEST_P(SampleDistrictTest, AnotherSeedGivesAnotherDistrict) {
  SampleDistrictOptions other = options();
  ++other.seed;
  absl::StatusOr<std::vector<Household>> generated =
      GenerateSampleDistrict(other);
  ASSERT_TRUE(generated.ok()) << generated.status();
  int different = 0;
  for (size_t i = 0; i < households_.size(); ++i) {
    if ((*generated)[i].SerializeAsString() !=
        households_[i].SerializeAsString()) {
      ++different;
    }
  }
  EXPECT_GT(different, 400);
}

INSTANTIATE_TEST_SUITE_P(Options, SampleDistrictTest,
                         ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.label;
                         });

// ---------------------------------------------------------------------------
// The outlay: the report paid 451,893 yuan in the first half-year.

TEST(SampleDistrictOutlayTest, MonthlyOutlayIsNearTheReport) {
  absl::StatusOr<std::vector<Household>> households =
      GenerateSampleDistrict(SampleDistrictOptions{});
  ASSERT_TRUE(households.ok()) << households.status();
  int64_t total = 0;
  for (const Household& h : *households) total += h.monthly_benefit_fen();
  std::cout << "monthly outlay: " << total
            << " fen (report: 45189300 / 6 = " << 45189300 / 6 << ")\n";
  const int64_t target = 45189300 / 6;
  EXPECT_GE(total, target * 95 / 100);
  EXPECT_LE(total, target * 105 / 100);
}

// ---------------------------------------------------------------------------
// Options.

TEST(SampleDistrictOptionsTest, RefusesBadDistrictCodes) {
  for (const std::string code :
       {"", "42010", "4201020", "42a102", "990102", "000000", "４２０１０２"}) {
    SCOPED_TRACE(code);
    SampleDistrictOptions options;
    options.district_code = code;
    absl::StatusOr<std::vector<Household>> r = GenerateSampleDistrict(options);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("district_code"));
  }
}

TEST(SampleDistrictOptionsTest, RefusesOtherBadOptions) {
  SampleDistrictOptions early;
  early.as_of = absl::CivilDay(1999, 12, 31);
  EXPECT_EQ(GenerateSampleDistrict(early).status().code(),
            absl::StatusCode::kInvalidArgument);

  SampleDistrictOptions tiny;
  tiny.standard_fen = 999;
  EXPECT_EQ(GenerateSampleDistrict(tiny).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SampleDistrictOptionsTest, AcceptsAnotherProvince) {
  SampleDistrictOptions options;
  options.district_code = "650102";  // Urumqi
  absl::StatusOr<std::vector<Household>> r = GenerateSampleDistrict(options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->front().household_id(), "650102-0001");
}

}  // namespace
}  // namespace dibao
