#include "casework/recommendations.h"

#include <memory>
#include <string>
#include <vector>

#include "base/dates.h"
#include "casework/review.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::CivilDay kDay(2026, 11, 2);

// ---------------------------------------------------------------------------
// Recommend(): the arithmetic on crafted households.

v1::Policy Policy() {
  v1::Policy p;
  p.set_gradual_exit_months(3);
  p.set_notice_days(15);
  return p;
}

v1::Household TwoMembers(int64_t benefit_fen) {
  v1::Household h;
  h.set_household_id("H1");
  h.set_district_code("420102");
  h.set_street("前进街道");
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  h.set_monthly_benefit_fen(benefit_fen);
  h.set_version(4);
  h.add_members()->set_id_number("420102196708042120");
  h.add_members()->set_id_number("420102200501180832");
  return h;
}

v1::Assessment TopUp(int64_t fen) {
  v1::Assessment a;
  a.set_household_id("H1");
  *a.mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 1));
  a.set_top_up_fen(fen);
  a.add_explanation(absl::StrCat("top-up: ", fen));
  return a;
}

v1::Flag Flag(const std::string& id, const std::string& rule,
              v1::FlagState state, int64_t overpayment_fen,
              const std::string& member = "420102200501180832") {
  v1::Flag f;
  f.set_flag_id(id);
  f.set_household_id("H1");
  f.set_state(state);
  f.mutable_finding()->set_rule(rule);
  f.mutable_finding()->set_id_number(member);
  f.mutable_finding()->set_summary(rule);
  f.mutable_finding()->set_est_monthly_overpayment_fen(overpayment_fen);
  return f;
}

// A confirmed undeclared job that started on `start`.
v1::Flag Job(const std::string& id, absl::CivilDay start) {
  v1::Flag f =
      Flag(id, "UNDECLARED_EMPLOYMENT", v1::FLAG_STATE_CONFIRMED, 41000);
  v1::Fact* fact = f.mutable_finding()->add_facts();
  *fact->mutable_record()->mutable_employment()->mutable_start_date() =
      ToProto(start);
  return f;
}

TEST(RecommendTest, NothingWithoutAHumanConfirm) {
  // The reassessment says exit, but nobody has confirmed anything.
  const auto out = Recommend(TwoMembers(41000),
                             {Flag("F1", "HOUSEHOLD_INCOME_ABOVE_STANDARD",
                                   v1::FLAG_STATE_OPEN, 41000)},
                             TopUp(0), Policy(), kDay);
  EXPECT_FALSE(out.recommendation.has_value());
  EXPECT_TRUE(out.waiting.empty());
}

TEST(RecommendTest, WaitsWhileMoneyFlagsAreUndecided) {
  const auto out = Recommend(
      TwoMembers(41000),
      {Job("F1", absl::CivilDay(2026, 1, 5)),
       Flag("F2", "INCOME_UNDERREPORTED", v1::FLAG_STATE_NEEDS_VISIT, 30000),
       // A signal with no money at stake does not hold it up.
       Flag("F3", "REFUSED_TRAINING", v1::FLAG_STATE_OPEN, 0)},
      TopUp(0), Policy(), kDay);
  EXPECT_FALSE(out.recommendation.has_value());
  EXPECT_THAT(out.waiting, HasSubstr("F2"));
  EXPECT_THAT(out.waiting, ::testing::Not(HasSubstr("F3")));
}

TEST(RecommendTest, ExitAfterTheGradualMonthsAreOver) {
  // Job since January: three months of gradual exit ended in April.
  const auto out =
      Recommend(TwoMembers(41000), {Job("F1", absl::CivilDay(2026, 1, 5))},
                TopUp(0), Policy(), kDay);
  ASSERT_TRUE(out.recommendation.has_value());
  const v1::Recommendation& r = *out.recommendation;
  EXPECT_EQ(r.kind(), v1::RECOMMENDATION_KIND_EXIT);
  EXPECT_EQ(r.current_benefit_fen(), 41000);
  EXPECT_EQ(r.new_benefit_fen(), 0);
  EXPECT_EQ(r.notice_days(), 15);
  // 2026-11-02 + 15 days = 2026-11-17: the first of December.
  EXPECT_EQ(*FromProto(r.effective()), absl::CivilDay(2026, 12, 1));
  EXPECT_THAT(r.flag_ids(), ElementsAre("F1"));
  EXPECT_EQ(r.household_version(), 4);
  EXPECT_THAT(r.arithmetic(),
              ::testing::Contains(HasSubstr("ended on 2026-04-30")));
  EXPECT_THAT(*r.arithmetic().rbegin(), HasSubstr("-410.00"));
}

TEST(RecommendTest, GradualExitAfterARecentJob) {
  // Job since October: paid through the end of January, then exit.
  const auto out =
      Recommend(TwoMembers(41000), {Job("F1", absl::CivilDay(2026, 10, 12))},
                TopUp(0), Policy(), kDay);
  ASSERT_TRUE(out.recommendation.has_value());
  const v1::Recommendation& r = *out.recommendation;
  EXPECT_EQ(r.kind(), v1::RECOMMENDATION_KIND_GRADUAL_EXIT);
  EXPECT_EQ(*FromProto(r.gradual_exit_until()), absl::CivilDay(2027, 1, 31));
  EXPECT_EQ(*FromProto(r.effective()), absl::CivilDay(2027, 2, 1));
  // The benefit continues meanwhile.
  EXPECT_EQ(r.new_benefit_fen(), 41000);

  // Without gradual exit in the policy it is a plain exit.
  v1::Policy none = Policy();
  none.set_gradual_exit_months(0);
  EXPECT_EQ(
      Recommend(TwoMembers(41000), {Job("F1", absl::CivilDay(2026, 10, 12))},
                TopUp(0), none, kDay)
          .recommendation->kind(),
      v1::RECOMMENDATION_KIND_EXIT);
  // Nor when a confirmed asset fails the test too.
  EXPECT_EQ(
      Recommend(TwoMembers(41000),
                {Job("F1", absl::CivilDay(2026, 10, 12)),
                 Flag("F2", "VEHICLE_OWNED", v1::FLAG_STATE_CONFIRMED, 41000)},
                TopUp(0), Policy(), kDay)
          .recommendation->kind(),
      v1::RECOMMENDATION_KIND_EXIT);
}

TEST(RecommendTest, RemoveMemberWithTheTopUpWithoutThem) {
  const auto out =
      Recommend(TwoMembers(41000),
                {Flag("F1", "DECEASED_MEMBER", v1::FLAG_STATE_CONFIRMED, 20500,
                      "420102196708042120")},
                TopUp(20500), Policy(), kDay);
  ASSERT_TRUE(out.recommendation.has_value());
  const v1::Recommendation& r = *out.recommendation;
  EXPECT_EQ(r.kind(), v1::RECOMMENDATION_KIND_REMOVE_MEMBER);
  EXPECT_THAT(r.remove_members(), ElementsAre("420102196708042120"));
  EXPECT_EQ(r.new_benefit_fen(), 20500);

  // Everyone gone: the household exits.
  const auto all =
      Recommend(TwoMembers(41000),
                {Flag("F1", "DECEASED_MEMBER", v1::FLAG_STATE_CONFIRMED, 20500,
                      "420102196708042120"),
                 Flag("F2", "INCARCERATED_MEMBER", v1::FLAG_STATE_CONFIRMED,
                      20500, "420102200501180832")},
                TopUp(0), Policy(), kDay);
  EXPECT_EQ(all.recommendation->kind(), v1::RECOMMENDATION_KIND_EXIT);
}

TEST(RecommendTest, DismissedEvidenceDoesNotCount) {
  // The reassessment counts a wage a caseworker dismissed as someone else's
  // (top-up 0); only the confirmed flag's 100 yuan counts.
  const auto out = Recommend(
      TwoMembers(41000),
      {Flag("F1", "INCOME_UNDERREPORTED", v1::FLAG_STATE_CONFIRMED, 10000),
       Flag("F2", "UNDECLARED_EMPLOYMENT", v1::FLAG_STATE_DISMISSED, 41000)},
      TopUp(0), Policy(), kDay);
  ASSERT_TRUE(out.recommendation.has_value());
  EXPECT_EQ(out.recommendation->kind(), v1::RECOMMENDATION_KIND_REDUCE);
  EXPECT_EQ(out.recommendation->new_benefit_fen(), 31000);
  EXPECT_THAT(out.recommendation->arithmetic(),
              ::testing::Contains(HasSubstr("dismissed (F2)")));
}

TEST(RecommendTest, ReduceIncreaseKeep) {
  const v1::Flag confirmed =
      Flag("F1", "INCOME_UNDERREPORTED", v1::FLAG_STATE_CONFIRMED, 5000);
  auto kind = [&](int64_t top_up) {
    return Recommend(TwoMembers(41000), {confirmed}, TopUp(top_up), Policy(),
                     kDay)
        .recommendation->kind();
  };
  EXPECT_EQ(kind(36000), v1::RECOMMENDATION_KIND_REDUCE);
  EXPECT_EQ(kind(45000), v1::RECOMMENDATION_KIND_INCREASE);
  EXPECT_EQ(kind(41000), v1::RECOMMENDATION_KIND_KEEP);
  // An increase needs no notice: from the next month.
  const auto up = Recommend(TwoMembers(41000), {confirmed}, TopUp(45000),
                            Policy(), absl::CivilDay(2026, 11, 20));
  EXPECT_EQ(up.recommendation->notice_days(), 0);
  EXPECT_EQ(*FromProto(up.recommendation->effective()),
            absl::CivilDay(2026, 12, 1));
}

TEST(RecommendTest, EffectiveDayCountsTheNotice) {
  EXPECT_EQ(EffectiveDay(v1::RECOMMENDATION_KIND_EXIT, 15,
                         absl::CivilDay(2026, 11, 2)),
            absl::CivilDay(2026, 12, 1));
  EXPECT_EQ(EffectiveDay(v1::RECOMMENDATION_KIND_EXIT, 15,
                         absl::CivilDay(2026, 11, 20)),
            absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(EffectiveDay(v1::RECOMMENDATION_KIND_REDUCE, 30,
                         absl::CivilDay(2026, 12, 31)),
            absl::CivilDay(2027, 2, 1));
  EXPECT_EQ(EffectiveDay(v1::RECOMMENDATION_KIND_INCREASE, 15,
                         absl::CivilDay(2026, 12, 31)),
            absl::CivilDay(2027, 1, 1));
}

// ---------------------------------------------------------------------------
// Recommender on the sample district after its first cycle.

class RecommenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<testing::TestStore>("recommendations");
    audit_ = *AuditLog::Open(db_->store(), db_->clock());
    registry_ =
        std::make_unique<Registry>(db_->store(), db_->clock(), audit_.get());
    ASSERT_TRUE(db_->LoadSample().ok());
    cycles_ = std::make_unique<CycleRunner>(
        db_->store(), db_->flags(), db_->clock(),
        std::make_shared<const v1::Policy>(testing::SamplePolicy()),
        CycleOptions());
    ASSERT_TRUE(cycles_->Run(testing::kSampleDay, false, "test").ok());
    review_ =
        std::make_unique<Review>(db_->flags(), audit_.get(), db_->clock());
    recommender_ = std::make_unique<Recommender>(db_->store(), db_->flags(),
                                                 registry_.get(), cycles_.get(),
                                                 audit_.get(), db_->clock());
  }

  // The first household with a flag of `rule`, and all its flags.
  std::vector<v1::Flag> HouseholdWith(const std::string& rule) {
    FlagFilter f;
    f.rule = rule;
    std::string household;
    EXPECT_TRUE(db_->flags()
                    ->ForEach(f,
                              [&](const v1::Flag& flag) {
                                if (household.empty()) {
                                  household = flag.household_id();
                                }
                                return absl::OkStatus();
                              })
                    .ok());
    return *db_->flags()->HouseholdFlags(household);
  }

  void Confirm(const v1::Flag& f) {
    ASSERT_TRUE(review_
                    ->Decide({"cw-1", f.flag_id()}, Decision::kConfirm,
                             v1::DISMISS_REASON_UNSPECIFIED, "核实无误")
                    .ok());
  }

  // 评 and the first 审: the community (cw-3) evaluates, the street
  // (street-1) reviews; the district decides next.
  void ThroughStreet(const std::string& id) {
    auto evaluated = recommender_->Evaluate(id, "cw-3", "评议通过");
    ASSERT_TRUE(evaluated.ok()) << evaluated.status();
    EXPECT_EQ(evaluated->state(), v1::RECOMMENDATION_STATE_EVALUATED);
    auto reviewed = recommender_->Review(id, "street-1", "审核通过");
    ASSERT_TRUE(reviewed.ok()) << reviewed.status();
    EXPECT_EQ(reviewed->state(), v1::RECOMMENDATION_STATE_REVIEWED);
  }

  v1::GenerateRecommendationsResponse Generate() {
    auto r = recommender_->Generate(testing::kSampleDay + 1, "cw-2");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : v1::GenerateRecommendationsResponse();
  }

  std::unique_ptr<testing::TestStore> db_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<CycleRunner> cycles_;
  std::unique_ptr<Review> review_;
  std::unique_ptr<Recommender> recommender_;
};

TEST_F(RecommenderTest, NoneBeforeAnyConfirm) {
  const auto response = Generate();
  EXPECT_EQ(response.made_size(), 0);
  EXPECT_EQ(response.waiting_size(), 0);
}

TEST_F(RecommenderTest, ApprovedExitUpdatesTheRegistryWithHistoryAndAudit) {
  const auto flags = HouseholdWith("HOUSEHOLD_INCOME_ABOVE_STANDARD");
  const std::string household = flags[0].household_id();
  // Confirming only one flag leaves the household waiting for the rest.
  Confirm(flags[0]);
  if (flags.size() > 1) {
    auto waiting = Generate();
    EXPECT_EQ(waiting.made_size(), 0);
    ASSERT_EQ(waiting.waiting_size(), 1);
    EXPECT_THAT(waiting.waiting(0), HasSubstr(household));
    for (size_t i = 1; i < flags.size(); ++i) Confirm(flags[i]);
  }
  const auto response = Generate();
  ASSERT_EQ(response.made_size(), 1);
  const v1::Recommendation made = response.made(0);
  EXPECT_EQ(made.state(), v1::RECOMMENDATION_STATE_PROPOSED);
  EXPECT_TRUE(made.kind() == v1::RECOMMENDATION_KIND_EXIT ||
              made.kind() == v1::RECOMMENDATION_KIND_GRADUAL_EXIT);
  EXPECT_EQ(made.flag_ids_size(), static_cast<int>(flags.size()));
  // Generating again changes nothing.
  const auto again = Generate();
  EXPECT_EQ(again.made_size(), 0);
  EXPECT_EQ(again.unchanged(), 1);

  // The district decides only what the street reviewed.
  auto early =
      recommender_->Approve(made.recommendation_id(), "head-1", "审批通过");
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.status().message(),
              HasSubstr("the community evaluates it first"));
  ThroughStreet(made.recommendation_id());

  // Four eyes: who confirmed a flag of it, or proposed it, does not decide
  // it, and nothing changes.
  for (const char* involved : {"cw-1", "cw-2"}) {
    auto refused =
        recommender_->Approve(made.recommendation_id(), involved, "自己审批");
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(refused.status().message(), HasSubstr("four eyes"));
    EXPECT_THAT(refused.status().message(),
                HasSubstr(std::string(involved) == "cw-1"
                              ? "cw-1 decided flag "
                              : "cw-2 proposed recommendation "));
    EXPECT_EQ(recommender_->Reject(made.recommendation_id(), involved, "x")
                  .status()
                  .code(),
              absl::StatusCode::kPermissionDenied);
  }
  // Nor who evaluated or reviewed it.
  for (const char* involved : {"cw-3", "street-1"}) {
    auto refused =
        recommender_->Approve(made.recommendation_id(), involved, "自己审批");
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(refused.status().message(),
                HasSubstr(std::string(involved) == "cw-3"
                              ? "cw-3 did the community evaluation"
                              : "street-1 did the street review"));
  }
  EXPECT_EQ(recommender_->Get(made.recommendation_id())->state(),
            v1::RECOMMENDATION_STATE_REVIEWED);

  // Approval needs a note and a person.
  EXPECT_EQ(recommender_->Approve(made.recommendation_id(), "head-1", "")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  auto approved =
      recommender_->Approve(made.recommendation_id(), "head-1", "审批通过");
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_EQ(approved->state(), v1::RECOMMENDATION_STATE_APPROVED);
  EXPECT_EQ(approved->decided_by(), "head-1");
  // Each stage's result, in order, by three different people.
  ASSERT_EQ(approved->stages_size(), 3);
  EXPECT_EQ(approved->stages(0).stage(), v1::RECOMMENDATION_STAGE_EVALUATION);
  EXPECT_EQ(approved->stages(0).by(), "cw-3");
  EXPECT_EQ(approved->stages(1).stage(),
            v1::RECOMMENDATION_STAGE_STREET_REVIEW);
  EXPECT_EQ(approved->stages(1).by(), "street-1");
  EXPECT_EQ(approved->stages(2).stage(),
            v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL);
  EXPECT_EQ(approved->stages(2).note(), "审批通过");
  for (const auto& stage : approved->stages()) EXPECT_TRUE(stage.passed());

  const v1::Household h = *registry_->Get(household);
  if (made.kind() == v1::RECOMMENDATION_KIND_EXIT) {
    EXPECT_EQ(h.status(), v1::HOUSEHOLD_STATUS_EXITED);
    EXPECT_EQ(h.monthly_benefit_fen(), 0);
    EXPECT_EQ(approved->applied_version(), h.version());
    const auto history = *registry_->History(household);
    EXPECT_THAT(history.rbegin()->source(),
                HasSubstr(made.recommendation_id()));
    EXPECT_EQ(history.rbegin()->actor(), "head-1");
  }
  // Stored as returned; a second decision is refused naming the first.
  EXPECT_EQ(recommender_->Get(made.recommendation_id())->SerializeAsString(),
            approved->SerializeAsString());
  auto twice =
      recommender_->Reject(made.recommendation_id(), "head-2", "不同意");
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.status().message(), HasSubstr("APPROVED (by head-1)"));

  // The trail holds the making and the approval, and still verifies.
  std::vector<v1::AuditAction> actions;
  ASSERT_TRUE(audit_
                  ->ForHousehold(household,
                                 [&](const v1::AuditEntry& e) {
                                   actions.push_back(e.action());
                                   return absl::OkStatus();
                                 })
                  .ok());
  EXPECT_THAT(actions,
              ::testing::Contains(v1::AUDIT_ACTION_RECOMMENDATION_MADE));
  EXPECT_THAT(actions,
              ::testing::Contains(v1::AUDIT_ACTION_RECOMMENDATION_EVALUATED));
  EXPECT_THAT(actions,
              ::testing::Contains(v1::AUDIT_ACTION_RECOMMENDATION_REVIEWED));
  EXPECT_THAT(actions,
              ::testing::Contains(v1::AUDIT_ACTION_RECOMMENDATION_APPROVED));
  EXPECT_TRUE(audit_->Verify()->ok());
  // Decided flags are not recommended on again.
  EXPECT_EQ(Generate().made_size(), 0);
}

TEST_F(RecommenderTest, RejectedIsRecordedAndNotProposedAgain) {
  const auto flags = HouseholdWith("DECEASED_MEMBER");
  for (const auto& f : flags) Confirm(f);
  const auto made = Generate();
  ASSERT_EQ(made.made_size(), 1);
  const std::string id = made.made(0).recommendation_id();
  const int64_t version =
      registry_->Get(made.made(0).household_id())->version();
  ThroughStreet(id);
  auto rejected =
      recommender_->Reject(id, "head-1", "家属已申请变更，另行处理");
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->state(), v1::RECOMMENDATION_STATE_REJECTED);
  EXPECT_EQ(registry_->Get(made.made(0).household_id())->version(), version);
  EXPECT_EQ(Generate().made_size(), 0);
}

TEST_F(RecommenderTest, ChangedHouseholdSupersedesAndRefusesStaleApproval) {
  const auto flags = HouseholdWith("DECEASED_MEMBER");
  for (const auto& f : flags) Confirm(f);
  const v1::Recommendation first = Generate().made(0);
  ThroughStreet(first.recommendation_id());

  // The household changes in the registry (a new address) after it was made.
  v1::Household h = *registry_->Get(first.household_id());
  h.set_residence_address("新地址 1 号");
  ASSERT_TRUE(registry_->Upsert(h, {"counter", "test"}).ok());
  auto stale = recommender_->Approve(first.recommendation_id(), "head-1", "ok");
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.status().message(), HasSubstr("changed since"));

  const auto next = Generate();
  ASSERT_EQ(next.made_size(), 1);
  EXPECT_EQ(recommender_->Get(first.recommendation_id())->state(),
            v1::RECOMMENDATION_STATE_SUPERSEDED);
  EXPECT_EQ(recommender_->Get(first.recommendation_id())->superseded_by(),
            next.made(0).recommendation_id());
  ThroughStreet(next.made(0).recommendation_id());
  auto approved =
      recommender_->Approve(next.made(0).recommendation_id(), "head-1", "ok");
  ASSERT_TRUE(approved.ok()) << approved.status();
  // The member left the registry's household.
  const v1::Household after = *registry_->Get(first.household_id());
  for (const auto& m : after.members()) {
    for (const auto& gone : first.remove_members()) {
      EXPECT_NE(m.id_number(), gone);
    }
  }
  EXPECT_EQ(after.monthly_benefit_fen(), approved->new_benefit_fen());
}

TEST_F(RecommenderTest, AReopenedFlagStopsTheRecommendationRestingOnIt) {
  const auto flags = HouseholdWith("VEHICLE_OWNED");
  for (const auto& f : flags) Confirm(f);
  const v1::Recommendation made = Generate().made(0);
  ASSERT_TRUE(
      recommender_->Evaluate(made.recommendation_id(), "cw-3", "评议通过")
          .ok());
  // The cycle reopened a flag it rests on (its partner fact was withdrawn).
  v1::Flag reopened = *db_->flags()->Get(made.flag_ids(0));
  reopened.set_state(v1::FLAG_STATE_OPEN);
  reopened.set_reopened_reason(
      "reopened on 2026-11-02: the vehicle fact of 420102********4513 was "
      "withdrawn by public_security");
  ASSERT_TRUE(db_->flags()->Put(reopened).ok());

  auto review =
      recommender_->Review(made.recommendation_id(), "street-1", "ok");
  EXPECT_EQ(review.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(review.status().message(),
              HasSubstr(absl::StrCat("flag ", made.flag_ids(0),
                                     ", on which "
                                     "recommendation ",
                                     made.recommendation_id(),
                                     " rests, is OPEN now (reopened on "
                                     "2026-11-02: the vehicle fact")));
  // Rejecting it stays possible.
  EXPECT_TRUE(recommender_
                  ->Review(made.recommendation_id(), "street-1",
                           "partner withdrew the vehicle", /*reject=*/true)
                  .ok());
}

TEST_F(RecommenderTest, EachStageByItsOwnPersonAndAnyStageMayReject) {
  const auto flags = HouseholdWith("DECEASED_MEMBER");
  for (const auto& f : flags) Confirm(f);
  const std::string id = Generate().made(0).recommendation_id();
  // The street reviews only what the community evaluated.
  auto early = recommender_->Review(id, "street-1", "审核");
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.status().message(), HasSubstr("is PROPOSED"));
  // The community worker who confirmed the flags evaluates: it is the
  // residents' committee's own judgement.
  ASSERT_TRUE(recommender_->Evaluate(id, "cw-1", "入户核实").ok());
  // Neither the evaluator nor who decided a flag reviews it.
  auto self = recommender_->Review(id, "cw-1", "审核");
  EXPECT_EQ(self.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(self.status().message(),
              HasSubstr("cw-1 did the community evaluation of recommendation"));
  EXPECT_THAT(self.status().message(), HasSubstr("another street reviewer"));
  // Evaluating twice is refused: it waits for the street now.
  EXPECT_THAT(recommender_->Evaluate(id, "cw-3", "again").status().message(),
              HasSubstr("the street reviews it next"));

  // The street refuses it: REJECTED with the stage that did, on the trail,
  // and its flags are not proposed on again.
  auto refused = recommender_->Review(id, "street-1", "死亡信息待户籍核实",
                                      /*reject=*/true);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->state(), v1::RECOMMENDATION_STATE_REJECTED);
  ASSERT_EQ(refused->stages_size(), 2);
  EXPECT_FALSE(refused->stages(1).passed());
  EXPECT_EQ(refused->stages(1).stage(), v1::RECOMMENDATION_STAGE_STREET_REVIEW);
  EXPECT_EQ(refused->decided_by(), "street-1");
  EXPECT_EQ(recommender_->Approve(id, "head-1", "ok").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Generate().made_size(), 0);
}

TEST_F(RecommenderTest, AChangedHouseholdSupersedesOneHalfwayThrough) {
  for (const auto& f : HouseholdWith("DECEASED_MEMBER")) Confirm(f);
  const v1::Recommendation first = Generate().made(0);
  ASSERT_TRUE(
      recommender_->Evaluate(first.recommendation_id(), "cw-3", "评议").ok());
  v1::Household h = *registry_->Get(first.household_id());
  h.set_residence_address("新地址 2 号");
  ASSERT_TRUE(registry_->Upsert(h, {"counter", "test"}).ok());
  // Passing a stale one on is refused; the next run replaces it.
  EXPECT_THAT(recommender_->Review(first.recommendation_id(), "street-1", "ok")
                  .status()
                  .message(),
              HasSubstr("changed since"));
  const auto next = Generate();
  ASSERT_EQ(next.made_size(), 1);
  EXPECT_EQ(recommender_->Get(first.recommendation_id())->state(),
            v1::RECOMMENDATION_STATE_SUPERSEDED);
  EXPECT_EQ(next.made(0).state(), v1::RECOMMENDATION_STATE_PROPOSED);
}

TEST_F(RecommenderTest, ListFiltersAndBadRequests) {
  for (const auto& f : HouseholdWith("DECEASED_MEMBER")) Confirm(f);
  for (const auto& f : HouseholdWith("INCARCERATED_MEMBER")) Confirm(f);
  ASSERT_EQ(Generate().made_size(), 2);
  v1::ListRecommendationsRequest request;
  request.set_page_size(1);
  auto page = recommender_->List(request);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->recommendations_size(), 1);
  request.set_page_token(page->next_page_token());
  auto second = recommender_->List(request);
  ASSERT_EQ(second->recommendations_size(), 1);
  EXPECT_NE(second->recommendations(0).recommendation_id(),
            page->recommendations(0).recommendation_id());

  request.Clear();
  request.set_state(v1::RECOMMENDATION_STATE_APPROVED);
  EXPECT_EQ(recommender_->List(request)->recommendations_size(), 0);
  request.set_state(static_cast<v1::RecommendationState>(42));
  EXPECT_EQ(recommender_->List(request).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(recommender_->Get("R9999999").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace dibao
