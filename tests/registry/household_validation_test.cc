#include "registry/household_validation.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kToday(2026, 11, 26);

v1::Household Valid() {
  v1::Household h;
  h.set_household_id("420102-0001");
  h.set_district_code("420102");
  h.set_street("人民街道");
  h.set_community("桃园社区");
  h.set_registered_address("人民街道桃园社区1栋");
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  h.set_monthly_benefit_fen(20500);
  h.mutable_benefit_start_date()->set_year(2020);
  h.mutable_benefit_start_date()->set_month(1);
  h.mutable_benefit_start_date()->set_day(1);
  v1::Member* m = h.add_members();
  m->set_id_number("420102199003074513");
  m->set_name("张三");
  m->set_reported_status(v1::REPORTED_STATUS_UNEMPLOYED);
  return h;
}

TEST(HouseholdValidationTest, NormalisesMembers) {
  v1::Household h = Valid();
  h.mutable_members(0)->set_id_number("420102900307451");  // 15 digits
  h.add_categories(v1::CATEGORY_ELDERLY);
  h.add_categories(v1::CATEGORY_DISABLED);
  h.add_categories(v1::CATEGORY_ELDERLY);
  v1::Member* second = h.add_members();
  second->set_id_number("11010519491231002x");
  second->set_name("李四");
  second->set_reported_status(v1::REPORTED_STATUS_RETIRED);
  h.set_version(9);

  auto errors = ValidateAndNormalize(h, kToday);
  ASSERT_TRUE(errors.empty()) << errors[0].field << ": " << errors[0].reason;
  EXPECT_EQ(h.version(), 0);
  ASSERT_EQ(h.categories_size(), 2);
  EXPECT_EQ(h.categories(0), v1::CATEGORY_DISABLED);
  // Sorted by normalised ID.
  EXPECT_EQ(h.members(0).id_number(), "11010519491231002X");
  EXPECT_EQ(h.members(0).id_number_original(), "11010519491231002x");
  EXPECT_EQ(h.members(0).sex(), v1::SEX_FEMALE);
  EXPECT_EQ(h.members(0).birth_date().year(), 1949);
  EXPECT_EQ(h.members(1).id_number(), "420102199003074513");
  EXPECT_EQ(h.members(1).id_number_original(), "420102900307451");
  EXPECT_EQ(h.members(1).household_id(), "420102-0001");
}

TEST(HouseholdValidationTest, ReportsEveryProblemByField) {
  v1::Household h = Valid();
  h.set_household_id("bad id!");
  h.set_district_code("990102");
  h.set_street("");
  h.set_monthly_benefit_fen(-1);
  h.mutable_benefit_start_date()->set_year(2030);
  h.mutable_members(0)->set_id_number("420102199003074514");
  h.mutable_members(0)->set_name("");
  h.mutable_members(0)->set_reported_monthly_income_fen(kMaxMonthlyIncomeFen +
                                                        1);
  auto errors = ValidateAndNormalize(h, kToday);
  std::vector<std::string> fields;
  for (const auto& e : errors) {
    fields.push_back(absl::StrCat(e.member_index, ":", e.field));
  }
  EXPECT_THAT(fields,
              ::testing::ElementsAre(
                  "-1:household_id", "-1:district_code", "-1:street",
                  "-1:monthly_benefit_fen", "-1:benefit_start_date",
                  "0:id_number", "0:name", "0:reported_monthly_income_fen"));
  EXPECT_EQ(errors[5].reason, "check character is 4, expected 3");
  EXPECT_THAT(ToStatus(h, errors).message(), HasSubstr("and 3 more"));
}

TEST(HouseholdValidationTest, SamePersonTwiceIsRefused) {
  v1::Household h = Valid();
  *h.add_members() = h.members(0);
  h.mutable_members(1)->set_id_number(
      "420102900307451");  // same person, old form
  auto errors = ValidateAndNormalize(h, kToday);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].member_index, 1);
  EXPECT_THAT(errors[0].reason, HasSubstr("listed twice"));
}

TEST(HouseholdValidationTest, MemberOfAnotherHouseholdIdIsRefused) {
  v1::Household h = Valid();
  h.mutable_members(0)->set_household_id("other");
  auto errors = ValidateAndNormalize(h, kToday);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "household_id");
}

TEST(HouseholdValidationTest, ActiveHouseholdNeedsMembers) {
  v1::Household h = Valid();
  h.clear_members();
  auto errors = ValidateAndNormalize(h, kToday);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "members");
  h.set_status(v1::HOUSEHOLD_STATUS_EXITED);
  EXPECT_TRUE(ValidateAndNormalize(h, kToday).empty());
}

}  // namespace
}  // namespace dibao
