#include "feeds/internal/feed_validation.h"

#include "base/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::CivilDay kToday(2026, 11, 26);

const FeedKindSpec& Spec(v1::FeedKind kind) { return *FindFeedKind(kind); }

v1::FeedRecord Employment() {
  v1::FeedRecord r;
  r.set_id_number("420102199003074513");
  r.set_name("张三");
  auto* e = r.mutable_employment();
  e->set_employer_code("91420100MA4K");
  e->set_employer_name("武汉某公司");
  *e->mutable_start_date() = ToProto(absl::CivilDay(2026, 3, 1));
  e->set_monthly_wage_fen(350000);
  return r;
}

std::vector<std::string> Fields(const std::vector<RecordError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

TEST(FeedValidationTest, AcceptsAndNormalisesTheId) {
  v1::FeedRecord r = Employment();
  r.set_id_number("420102 900307 451");
  auto errors = ValidateFeedRecord(Spec(v1::FEED_KIND_EMPLOYMENT), r, kToday);
  EXPECT_TRUE(errors.empty()) << errors[0].field << ": " << errors[0].reason;
  EXPECT_EQ(r.id_number(), "420102199003074513");
  EXPECT_EQ(r.id_number_original(), "420102 900307 451");
}

TEST(FeedValidationTest, ReportsEachBadField) {
  v1::FeedRecord r = Employment();
  r.set_id_number("420102199003074514");
  r.set_name("");
  auto* e = r.mutable_employment();
  e->clear_employer_code();
  e->mutable_start_date()->set_day(31);
  e->mutable_start_date()->set_month(2);
  e->set_monthly_wage_fen(-5);
  auto errors = ValidateFeedRecord(Spec(v1::FEED_KIND_EMPLOYMENT), r, kToday);
  EXPECT_THAT(Fields(errors), ElementsAre("id_number", "name", "employer_code",
                                          "start_date", "monthly_wage_fen"));
  EXPECT_EQ(errors[0].reason, "check character is 4, expected 3");
  EXPECT_EQ(errors[3].reason, "2026-02-31 is not a calendar date");
}

TEST(FeedValidationTest, EndBeforeStartIsRefused) {
  v1::FeedRecord r = Employment();
  *r.mutable_employment()->mutable_end_date() =
      ToProto(absl::CivilDay(2025, 1, 1));
  auto errors = ValidateFeedRecord(Spec(v1::FEED_KIND_EMPLOYMENT), r, kToday);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "end_date");
  EXPECT_EQ(errors[0].reason, "2025-01-01 is before start_date 2026-03-01");
}

TEST(FeedValidationTest, WrongKindOfRecord) {
  v1::FeedRecord r = Employment();
  auto errors = ValidateFeedRecord(Spec(v1::FEED_KIND_VEHICLE), r, kToday);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].reason, "a employment record in a batch of vehicle");
  r.clear_employment();
  errors = ValidateFeedRecord(Spec(v1::FEED_KIND_VEHICLE), r, kToday);
  EXPECT_EQ(errors[0].reason, "the record has no vehicle fields");
}

TEST(FeedValidationTest, HukouNeedsItsFieldsAndAProvince) {
  v1::FeedRecord r;
  r.set_id_number("420102199003074513");
  r.set_name("张三");
  auto* h = r.mutable_hukou();
  h->set_address_code("990102");
  auto errors = ValidateFeedRecord(Spec(v1::FEED_KIND_HUKOU), r, kToday);
  EXPECT_THAT(Fields(errors),
              ElementsAre("sex", "birth_date", "address_code", "status"));
  EXPECT_EQ(errors[2].reason, "99 is not a province code");
}

TEST(FeedValidationTest, MonthsAndAmountsAreBounded) {
  v1::FeedRecord r;
  r.set_id_number("420102199003074513");
  r.set_name("张三");
  auto* u = r.mutable_unemployment_benefit();
  u->mutable_start_month()->set_year(2026);
  u->mutable_start_month()->set_month(13);
  u->mutable_end_month()->set_year(2025);
  u->mutable_end_month()->set_month(1);
  u->set_monthly_amount_fen(kMaxFeedAmountFen + 1);
  auto errors =
      ValidateFeedRecord(Spec(v1::FEED_KIND_UNEMPLOYMENT_BENEFIT), r, kToday);
  EXPECT_THAT(Fields(errors), ElementsAre("start_month", "monthly_amount_fen"));
  EXPECT_THAT(errors[1].reason, HasSubstr("more than the limit"));
}

}  // namespace
}  // namespace dibao
