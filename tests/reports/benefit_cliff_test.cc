// The benefit-cliff calculator (matcher/benefit_cliff): the household's
// income with and without a job under the current policy and gradual exit,
// with the engine's own reassessment, and the errors for bad requests.
#include "reports/benefit_cliff.h"

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kDay(2026, 11, 1);

std::string IdOf(const std::string& first17) {
  return first17 + ResidentIdCheckCharacter(first17);
}

const std::string kHusband = IdOf("42010219800501001");  // male, 46
const std::string kWife = IdOf("42010219680301002");     // female, 58

v1::Household Couple() {
  v1::Household h;
  h.set_household_id("H-CLIFF");
  h.set_district_code("420102");
  h.set_street("解放街道");
  h.set_community("花园社区");
  h.set_registered_address("解放街道花园社区1栋1单元101室");
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  h.set_monthly_benefit_fen(41000);
  *h.mutable_benefit_start_date() = ToProto(absl::CivilDay(2024, 1, 1));
  v1::Member* m = h.add_members();
  m->set_id_number(kHusband);
  m->set_name("李明");
  m->set_relation("户主");
  m->set_reported_status(v1::REPORTED_STATUS_UNEMPLOYED);
  m->set_able_to_work(true);
  v1::Member* w = h.add_members();
  w->set_id_number(kWife);
  w->set_name("王芳");
  w->set_relation("配偶");
  w->set_reported_status(v1::REPORTED_STATUS_OTHER);
  return h;
}

class BenefitCliffTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.Upsert({Couple()}).ok()); }

  absl::StatusOr<v1::BenefitCliff> Cliff(
      int64_t wage, const std::string& member = "",
      const std::string& household = "H-CLIFF") {
    v1::CliffRequest r;
    r.set_household_id(household);
    r.set_wage_fen(wage);
    r.set_member_id_number(member);
    return ComputeBenefitCliff(*store_.store(), *store_.registry(), policy_, r,
                               kDay);
  }

  testing::TestStore store_{"benefit-cliff"};
  v1::Policy policy_ = testing::SamplePolicy();
};

TEST_F(BenefitCliffTest, TheReportsCliffAndGradualExit) {
  // The report's case: a 300 yuan job, about 100 yuan of transport.
  auto c = Cliff(30000);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->member_id_number(), kHusband);
  EXPECT_EQ(c->member_name(), "李明");
  EXPECT_THAT(c->member_reason(), HasSubstr("able to work"));
  EXPECT_EQ(c->work_expense_fen(), 10000);
  EXPECT_EQ(c->current_benefit_fen(), 41000);
  EXPECT_EQ(c->policy_version(), policy_.version());

  // Without the job: (205 - 0) x 2 = 410 yuan.
  EXPECT_EQ(c->without_job().benefit_fen(), 41000);
  EXPECT_EQ(c->without_job().household_income_fen(), 41000);
  EXPECT_EQ(c->without_job().net_gain_fen(), 0);
  // With it: (300 - 100) / 2 = 100 per capita, (205 - 100) x 2 = 210.
  EXPECT_EQ(c->with_job().benefit_fen(), 21000);
  EXPECT_EQ(c->with_job().wage_fen(), 30000);
  EXPECT_EQ(c->with_job().household_income_fen(), 51000);
  // 510 - 410 - 100 of transport: working does not pay.
  EXPECT_EQ(c->with_job().net_gain_fen(), 0);
  EXPECT_THAT(c->with_job().explanation(),
              ::testing::Contains(HasSubstr("(205.00 - 100.00) x 2 = 210.00")));
  EXPECT_THAT(c->with_job().explanation(),
              ::testing::Contains(HasSubstr(
                  "net gain: 510.00 yuan - 410.00 yuan - cost of going to "
                  "work 100.00 yuan = 0.00 yuan a month")));

  // Gradual exit: 3 months at the old benefit, then the new top-up.
  EXPECT_EQ(c->gradual_exit_months(), 3);
  ASSERT_EQ(c->gradual_exit_size(), 4);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c->gradual_exit(i).month(), i + 1);
    EXPECT_EQ(c->gradual_exit(i).benefit_fen(), 41000);
    EXPECT_EQ(c->gradual_exit(i).household_income_fen(), 71000);
    EXPECT_EQ(c->gradual_exit(i).net_gain_fen(), 20000);
    EXPECT_THAT(c->gradual_exit(i).explanation(), HasSubstr("continues"));
  }
  EXPECT_EQ(c->gradual_exit(3).benefit_fen(), 21000);
  EXPECT_EQ(c->gradual_exit(3).net_gain_fen(), 0);
  EXPECT_THAT(c->explanation(),
              ::testing::Contains(HasSubstr(
                  "gradual exit: net gain 200.00 yuan a month for the first "
                  "3 months, then 0.00 yuan")));
}

TEST_F(BenefitCliffTest, AWageAboveTheStandardEndsTheBenefit) {
  auto c = Cliff(100000);
  ASSERT_TRUE(c.ok()) << c.status();
  // (1000 - 100) / 2 = 450 per capita, above 205: no top-up.
  EXPECT_EQ(c->with_job().benefit_fen(), 0);
  EXPECT_EQ(c->with_job().household_income_fen(), 100000);
  EXPECT_EQ(c->with_job().net_gain_fen(), 100000 - 41000 - 10000);
  EXPECT_EQ(c->gradual_exit(0).net_gain_fen(), 100000 - 10000);
  EXPECT_EQ(c->gradual_exit(3).net_gain_fen(), 49000);
}

TEST_F(BenefitCliffTest, WithoutGradualExitInThePolicy) {
  policy_.set_gradual_exit_months(0);
  auto c = Cliff(30000);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->gradual_exit_size(), 1);
  EXPECT_EQ(c->gradual_exit(0).benefit_fen(), c->with_job().benefit_fen());
  EXPECT_EQ(c->gradual_exit(0).net_gain_fen(), c->with_job().net_gain_fen());
  EXPECT_THAT(c->gradual_exit(0).explanation(),
              HasSubstr("no gradual exit in the policy"));
}

TEST_F(BenefitCliffTest, TheMemberAskedForInAnySpelling) {
  auto wife = Cliff(30000, kWife);
  ASSERT_TRUE(wife.ok()) << wife.status();
  EXPECT_EQ(wife->member_id_number(), kWife);
  EXPECT_EQ(wife->member_reason(), "the member asked for");
  // The old 15-digit number of the husband.
  auto husband = Cliff(30000, "420102800501001");
  ASSERT_TRUE(husband.ok()) << husband.status();
  EXPECT_EQ(husband->member_id_number(), kHusband);
}

TEST_F(BenefitCliffTest, BadRequests) {
  for (int64_t wage : {int64_t{0}, int64_t{-100}, kMaxCliffWageFen + 1}) {
    EXPECT_EQ(Cliff(wage).status().code(), absl::StatusCode::kInvalidArgument)
        << wage;
  }
  EXPECT_EQ(Cliff(30000, "", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Cliff(30000, "", "H-NONE").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Cliff(30000, "not an id").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Cliff(30000, IdOf("42010219900307451")).status().code(),
            absl::StatusCode::kNotFound);
  // Nobody of working age without a job.
  v1::Household h = Couple();
  h.mutable_members(0)->set_reported_status(v1::REPORTED_STATUS_EMPLOYED);
  h.mutable_members(0)->set_reported_monthly_income_fen(150000);
  ASSERT_TRUE(store_.Upsert({h}).ok());
  EXPECT_EQ(Cliff(30000).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace dibao
