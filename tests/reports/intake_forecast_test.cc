// The intake-pressure forecast (matcher/intake_forecast) on a crafted store:
// who counts (non-beneficiaries only, alive), the 1/3/6-month windows, the
// custody and conversion look-backs, the street rule and the unknown row.
#include "reports/intake_forecast.h"

#include "absl/strings/str_format.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kDay(2026, 11, 1);

// A valid ID of someone born in 1980 in district 420102.
std::string Id(int n) {
  const std::string first17 = absl::StrFormat("4201021980010%d%03d", 1, n);
  return first17 + ResidentIdCheckCharacter(first17);
}

v1::Month Mon(int y, int m) {
  v1::Month out;
  out.set_year(y);
  out.set_month(m);
  return out;
}

v1::FeedRecord Person(int n, const std::string& name) {
  v1::FeedRecord r;
  r.set_id_number(Id(n));
  r.set_name(name);
  return r;
}

v1::FeedRecord Benefit(int n, v1::Month start, v1::Month end) {
  v1::FeedRecord r = Person(n, "失业者");
  auto* b = r.mutable_unemployment_benefit();
  *b->mutable_start_month() = start;
  *b->mutable_end_month() = end;
  b->set_monthly_amount_fen(120000);
  return r;
}

v1::FeedRecord Custody(int n, v1::CustodyEvent e, absl::CivilDay day) {
  v1::FeedRecord r = Person(n, "刑满人");
  r.mutable_custody()->set_event(e);
  *r.mutable_custody()->mutable_event_date() = ToProto(day);
  return r;
}

v1::FeedRecord Conversion(int n, absl::CivilDay day) {
  v1::FeedRecord r = Person(n, "农转非");
  r.mutable_conversion()->set_compensation_fen(5000000);
  *r.mutable_conversion()->mutable_conversion_date() = ToProto(day);
  *r.mutable_conversion()->mutable_paid_date() = ToProto(day + 20);
  return r;
}

v1::FeedRecord Hukou(int n, const std::string& address_code,
                     v1::HukouStatus status) {
  v1::FeedRecord r = Person(n, "户籍人");
  auto* h = r.mutable_hukou();
  h->set_sex(v1::SEX_FEMALE);
  *h->mutable_birth_date() = ToProto(absl::CivilDay(1980, 1, 1));
  h->set_address_code(address_code);
  h->set_status(status);
  *h->mutable_status_date() = ToProto(absl::CivilDay(2026, 9, 1));
  return r;
}

v1::FeedRecord Residence(int n, const std::string& address) {
  v1::FeedRecord r = Person(n, "居住人");
  r.mutable_residence()->set_residence_address(address);
  *r.mutable_residence()->mutable_since_date() =
      ToProto(absl::CivilDay(2026, 9, 2));
  return r;
}

v1::Household Home(const std::string& id, const std::string& street,
                   v1::HouseholdStatus status, int member) {
  v1::Household h;
  h.set_household_id(id);
  h.set_district_code("420102");
  h.set_street(street);
  h.set_community("花园社区");
  h.set_registered_address(street + "花园社区1栋");
  h.set_status(status);
  h.set_monthly_benefit_fen(20500);
  *h.mutable_benefit_start_date() = ToProto(absl::CivilDay(2024, 1, 1));
  v1::Member* m = h.add_members();
  m->set_id_number(Id(member));
  m->set_name("成员");
  m->set_relation("户主");
  m->set_reported_status(v1::REPORTED_STATUS_UNEMPLOYED);
  return h;
}

enum People {
  kBeneficiary = 1,   // in an ACTIVE household: never counted
  kEndsThisMonth,     // first unpaid month December: within 1
  kCapped,            // paid since 2025-02, capped at 24 months: within 3
  kEndsIn6,           // last paid 2027-04: within 6
  kEndsLater,         // last paid 2027-08: outside
  kEndedBefore,       // ended 2025-06: not paid now
  kExitedHousehold,   // member of an EXITED household: counted (within 3)
  kDeceased,          // benefit ending, but dead
  kReleased,          // released 2026-09-01, lives on 解放街道
  kReleasedLongAgo,   // released 2025-12-01: outside the 6-month look-back
  kBackInside,        // released, then incarcerated again
  kConverted,         // converted 2025-11-15
  kConvertedLongAgo,  // converted 2023-06-01: outside 24 months
  kOtherDistrict,     // converted 2026-03-01, hukou in 420106
};

class IntakeForecastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_
                    .Upsert({Home("H1", "解放街道", v1::HOUSEHOLD_STATUS_ACTIVE,
                                  kBeneficiary),
                             Home("H2", "前进街道", v1::HOUSEHOLD_STATUS_EXITED,
                                  kExitedHousehold)})
                    .ok());
    Push(v1::AGENCY_LABOUR, v1::FEED_KIND_UNEMPLOYMENT_BENEFIT, "LAB-1",
         {Benefit(kBeneficiary, Mon(2025, 12), Mon(2026, 11)),
          Benefit(kEndsThisMonth, Mon(2025, 12), Mon(2026, 11)),
          Benefit(kCapped, Mon(2025, 2), Mon(2027, 6)),
          Benefit(kEndsIn6, Mon(2026, 1), Mon(2027, 4)),
          Benefit(kEndsLater, Mon(2026, 6), Mon(2027, 8)),
          Benefit(kEndedBefore, Mon(2024, 1), Mon(2025, 6)),
          Benefit(kExitedHousehold, Mon(2025, 1), Mon(2026, 12)),
          Benefit(kDeceased, Mon(2025, 12), Mon(2026, 11))});
    Push(v1::AGENCY_JUSTICE, v1::FEED_KIND_CUSTODY, "JUS-1",
         {Custody(kReleased, v1::CUSTODY_EVENT_INCARCERATED,
                  absl::CivilDay(2024, 1, 1)),
          Custody(kReleased, v1::CUSTODY_EVENT_RELEASED,
                  absl::CivilDay(2026, 9, 1)),
          Custody(kReleasedLongAgo, v1::CUSTODY_EVENT_RELEASED,
                  absl::CivilDay(2025, 12, 1)),
          Custody(kBackInside, v1::CUSTODY_EVENT_RELEASED,
                  absl::CivilDay(2026, 8, 1)),
          Custody(kBackInside, v1::CUSTODY_EVENT_INCARCERATED,
                  absl::CivilDay(2026, 10, 1))});
    Push(v1::AGENCY_LAND, v1::FEED_KIND_CONVERSION, "LAND-1",
         {Conversion(kConverted, absl::CivilDay(2025, 11, 15)),
          Conversion(kConvertedLongAgo, absl::CivilDay(2023, 6, 1)),
          Conversion(kOtherDistrict, absl::CivilDay(2026, 3, 1))});
    Push(v1::AGENCY_PUBLIC_SECURITY, v1::FEED_KIND_HUKOU, "PS-1",
         {Hukou(kDeceased, "420102", v1::HUKOU_STATUS_DECEASED),
          Hukou(kOtherDistrict, "420106", v1::HUKOU_STATUS_NORMAL),
          Hukou(kReleased, "420102", v1::HUKOU_STATUS_NORMAL)});
    Push(v1::AGENCY_PUBLIC_SECURITY, v1::FEED_KIND_RESIDENCE, "PS-2",
         {Residence(kReleased, "武汉市江汉区解放街道花园社区3栋201室")});
  }

  void Push(v1::Agency agency, v1::FeedKind kind, const std::string& batch,
            const std::vector<v1::FeedRecord>& records) {
    v1::BatchHeader h;
    h.set_agency(agency);
    h.set_kind(kind);
    h.set_batch_id(batch);
    *h.mutable_as_of() = ToProto(kDay);
    h.set_mode(v1::BATCH_MODE_DELTA);
    auto receipt = store_.Push(h, records);
    ASSERT_TRUE(receipt.ok()) << receipt.status();
    ASSERT_EQ(receipt->rejected(), 0) << receipt->DebugString();
  }

  testing::TestStore store_{"intake-forecast"};
  v1::Policy policy_ = testing::SamplePolicy();
};

TEST_F(IntakeForecastTest, CountsPerStreetWithTheUnknownRowLast) {
  auto f = ForecastIntake(*store_.store(), policy_, "420102", kDay, true);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->custody_lookback_months(), 6);
  EXPECT_EQ(f->conversion_lookback_months(), 24);
  EXPECT_THAT(f->street_rule(), HasSubstr("residence address"));
  ASSERT_EQ(f->streets_size(), 2);
  const v1::StreetForecast& known = f->streets(0);
  EXPECT_EQ(known.street(), "解放街道");
  EXPECT_EQ(known.released_from_custody(), 1);
  EXPECT_EQ(known.benefit_ends_within_6(), 0);
  const v1::StreetForecast& unknown = f->streets(1);
  EXPECT_EQ(unknown.street(), "");
  EXPECT_EQ(unknown.benefit_ends_within_1(), 1);  // kEndsThisMonth
  EXPECT_EQ(unknown.benefit_ends_within_3(), 3);  // + kCapped, kExited
  EXPECT_EQ(unknown.benefit_ends_within_6(), 4);  // + kEndsIn6
  EXPECT_EQ(unknown.released_from_custody(), 0);
  EXPECT_EQ(unknown.recently_converted(), 1);  // not kOtherDistrict
  EXPECT_EQ(f->total().benefit_ends_within_6(), 4);
  EXPECT_EQ(f->total().released_from_custody(), 1);
  EXPECT_EQ(f->total().recently_converted(), 1);

  // The people, masked, by street (unknown last), signal and ID.
  ASSERT_EQ(f->people_size(), 6);
  const v1::ForecastPerson& released = f->people(0);
  EXPECT_EQ(released.street(), "解放街道");
  EXPECT_EQ(released.signal(), v1::INTAKE_SIGNAL_RELEASED_FROM_CUSTODY);
  EXPECT_EQ(released.id_number_masked(), MaskId(Id(kReleased)));
  EXPECT_EQ(released.name_masked(), "刑**");
  EXPECT_EQ(FormatDate(released.date()), "2026-09-01");
  std::vector<std::pair<std::string, int>> benefits;
  for (const auto& p : f->people()) {
    EXPECT_EQ(p.id_number_masked().find(Id(kEndsThisMonth).substr(6, 8)),
              std::string::npos);
    if (p.signal() == v1::INTAKE_SIGNAL_BENEFIT_ENDING) {
      benefits.emplace_back(p.id_number_masked(), p.months_left());
    }
  }
  EXPECT_THAT(benefits, ::testing::UnorderedElementsAre(
                            std::make_pair(MaskId(Id(kEndsThisMonth)), 1),
                            std::make_pair(MaskId(Id(kCapped)), 3),
                            std::make_pair(MaskId(Id(kEndsIn6)), 6),
                            std::make_pair(MaskId(Id(kExitedHousehold)), 2)));
}

TEST_F(IntakeForecastTest, WithoutADistrictEveryoneCounts) {
  auto f = ForecastIntake(*store_.store(), policy_, "", kDay, false);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->total().recently_converted(), 2);  // kOtherDistrict too
  EXPECT_EQ(f->people_size(), 0);
}

TEST_F(IntakeForecastTest, LooksAheadFromTheDayAsked) {
  // Three months on: the benefits last paid in November, December and
  // January are over; April's is within 3 months; August's first unpaid
  // month is 7 months away; the release is still within 6 months.
  auto f = ForecastIntake(*store_.store(), policy_, "420102",
                          absl::CivilDay(2027, 2, 1), false);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->total().benefit_ends_within_6(), 1);
  EXPECT_EQ(f->total().benefit_ends_within_3(), 1);  // kEndsIn6 (April)
  EXPECT_EQ(f->total().released_from_custody(), 1);
}

TEST_F(IntakeForecastTest, BadDistrictIsInvalidArgument) {
  EXPECT_EQ(ForecastIntake(*store_.store(), policy_, "4201", kDay, false)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ForecastIntake(*store_.store(), policy_, "42010x", kDay, false)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dibao
