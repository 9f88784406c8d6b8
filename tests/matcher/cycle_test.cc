#include "matcher/cycle.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/intake_check.h"
#include "storage/keys.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

using testing::kSampleDay;

std::vector<v1::Flag> AllFlags(FlagStore& flags) {
  std::vector<v1::Flag> out;
  EXPECT_TRUE(flags
                  .ForEach({},
                           [&](const v1::Flag& f) {
                             out.push_back(f);
                             return absl::OkStatus();
                           })
                  .ok());
  return out;
}

class SampleCycleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new testing::TestStore("sample-cycle");
    households_ = new std::vector<v1::Household>();
    feeds_ = new SampleFeeds();
    ASSERT_TRUE(db_->LoadSample(households_, feeds_).ok());
    policy_ = std::make_shared<v1::Policy>(testing::SamplePolicy());
    CycleRunner runner(db_->store(), db_->flags(), db_->clock(), policy_, {});
    auto report = runner.Run(kSampleDay, false, "test");
    ASSERT_TRUE(report.ok()) << report.status();
    report_ = new v1::CycleReport(*report);
  }
  static void TearDownTestSuite() {
    delete report_;
    delete feeds_;
    delete households_;
    delete db_;
    policy_.reset();
  }

  static testing::TestStore* db_;
  static std::vector<v1::Household>* households_;
  static SampleFeeds* feeds_;
  static std::shared_ptr<const v1::Policy> policy_;
  static v1::CycleReport* report_;
};

testing::TestStore* SampleCycleTest::db_ = nullptr;
std::vector<v1::Household>* SampleCycleTest::households_ = nullptr;
SampleFeeds* SampleCycleTest::feeds_ = nullptr;
std::shared_ptr<const v1::Policy> SampleCycleTest::policy_;
v1::CycleReport* SampleCycleTest::report_ = nullptr;

TEST_F(SampleCycleTest, EveryPlantedCaseIsFoundAndNoDecoyRaisesAFlag) {
  // (household, member, rule) of every flag; household-level rules also
  // count for each member of the household.
  std::set<std::tuple<std::string, std::string, std::string>> flagged;
  std::set<std::pair<std::string, std::string>> household_level;
  for (const v1::Flag& f : AllFlags(*db_->flags())) {
    flagged.emplace(f.household_id(), f.finding().id_number(),
                    f.finding().rule());
    if (f.finding().id_number().empty()) {
      household_level.emplace(f.household_id(), f.finding().rule());
    }
  }
  std::set<std::string> rules_planted;
  for (const PlantedCase& c : feeds_->planted) {
    const bool found =
        flagged.count({c.household_id, c.id_number, c.rule}) > 0 ||
        household_level.count({c.household_id, c.rule}) > 0;
    EXPECT_EQ(found, c.expect_flag) << c.rule << " " << c.household_id << " "
                                    << c.id_number << ": " << c.detail;
    if (c.expect_flag) rules_planted.insert(c.rule);
  }
  // At least one planted case per rule.
  EXPECT_EQ(rules_planted.size(), 14u);
}

TEST_F(SampleCycleTest, TheFirstCycleIsFullAndReportsPerRule) {
  EXPECT_TRUE(report_->full());
  EXPECT_EQ(report_->households_assessed(),
            static_cast<int64_t>(households_->size()));
  EXPECT_GT(report_->rules_size(), 0);
  int64_t flags = 0;
  for (const auto& r : report_->rules()) flags += r.new_flags();
  EXPECT_EQ(flags, static_cast<int64_t>(AllFlags(*db_->flags()).size()));
}

}  // namespace
}  // namespace dibao

namespace dibao {
namespace {

using testing::SamplePolicy;
using testing::TestStore;

// A store with the sample loaded, and a runner over it.
class CycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.LoadSample(&households_, &feeds_).ok());
    policy_ = std::make_shared<v1::Policy>(SamplePolicy());
  }

  std::unique_ptr<CycleRunner> Runner(CycleOptions options = {}) {
    return std::make_unique<CycleRunner>(db_.store(), db_.flags(), db_.clock(),
                                         policy_, options);
  }

  v1::CycleReport Run(absl::CivilDay day, bool full = false,
                      CycleOptions options = {}) {
    auto report = Runner(options)->Run(day, full, "test");
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : v1::CycleReport();
  }

  // The flag of `rule` about planted member `id`.
  std::optional<v1::Flag> FlagOf(const std::string& rule,
                                 const std::string& id) {
    for (const v1::Flag& f : AllFlags(*db_.flags())) {
      if (f.finding().rule() == rule && f.finding().id_number() == id) return f;
    }
    return std::nullopt;
  }

  const PlantedCase& Planted(const std::string& rule) {
    for (const PlantedCase& c : feeds_.planted) {
      if (c.rule == rule && c.expect_flag && !c.id_number.empty()) return c;
    }
    ADD_FAILURE() << "nothing planted for " << rule;
    return feeds_.planted[0];
  }

  TestStore db_{"cycle"};
  std::vector<v1::Household> households_;
  SampleFeeds feeds_;
  std::shared_ptr<v1::Policy> policy_;
};

int64_t Sum(const v1::CycleReport& r,
            int64_t (v1::CycleReport::RuleCounts::*field)() const) {
  int64_t n = 0;
  for (const auto& c : r.rules()) n += (c.*field)();
  return n;
}

std::string Serialized(const std::vector<v1::Flag>& flags) {
  std::string out;
  for (const v1::Flag& f : flags) out += f.SerializeAsString();
  return out;
}

TEST_F(CycleTest, ANightWithoutChangesAssessesNobodyAndDuplicatesNothing) {
  const v1::CycleReport first = Run(kSampleDay);
  const auto before = AllFlags(*db_.flags());
  const v1::CycleReport second = Run(kSampleDay + 1);
  EXPECT_FALSE(second.full());
  EXPECT_EQ(second.households_assessed(), 0);
  EXPECT_EQ(Serialized(AllFlags(*db_.flags())), Serialized(before));
  EXPECT_EQ(second.cycle_seq(), first.cycle_seq() + 1);
}

TEST_F(CycleTest, ReDetectionUpdatesLastSeenAndNeverDuplicates) {
  Run(kSampleDay);
  const size_t flags = AllFlags(*db_.flags()).size();
  const v1::CycleReport again = Run(kSampleDay + 7, /*full=*/true);
  EXPECT_EQ(Sum(again, &v1::CycleReport::RuleCounts::new_flags), 0);
  EXPECT_EQ(Sum(again, &v1::CycleReport::RuleCounts::still_open),
            static_cast<int64_t>(flags));
  for (const v1::Flag& f : AllFlags(*db_.flags())) {
    EXPECT_EQ(FormatDate(f.first_seen()), "2026-11-01");
    EXPECT_EQ(FormatDate(f.last_seen()), "2026-11-08") << f.flag_id();
    EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  }
  EXPECT_EQ(AllFlags(*db_.flags()).size(), flags);
}

TEST_F(CycleTest, AConflictThatGoesAwayResolvesItselfWithTheReason) {
  Run(kSampleDay);
  const PlantedCase& c = Planted("DECEASED_MEMBER");
  ASSERT_TRUE(FlagOf("DECEASED_MEMBER", c.id_number));
  // The household reports the death: the member leaves the registry.
  v1::Household h = *db_.registry()->Get(c.household_id);
  auto* members = h.mutable_members();
  for (int i = 0; i < members->size(); ++i) {
    if (members->Get(i).id_number() == c.id_number) {
      members->DeleteSubrange(i, 1);
      break;
    }
  }
  ASSERT_TRUE(db_.Upsert({h}).ok());
  const v1::CycleReport r = Run(kSampleDay + 1);
  EXPECT_EQ(r.households_from_registry(), 1);
  const auto flag = FlagOf("DECEASED_MEMBER", c.id_number);
  ASSERT_TRUE(flag);
  EXPECT_EQ(flag->state(), v1::FLAG_STATE_AUTO_RESOLVED);
  EXPECT_THAT(flag->resolved_reason(),
              ::testing::HasSubstr("left the household"));
  EXPECT_EQ(FormatDate(flag->resolved_on()), "2026-11-02");
  EXPECT_GE(Sum(r, &v1::CycleReport::RuleCounts::auto_resolved), 1);
}

TEST_F(CycleTest, ADismissedFingerprintIsNotRaisedAgain) {
  Run(kSampleDay);
  const PlantedCase& c = Planted("VEHICLE_OWNED");
  auto flag = FlagOf("VEHICLE_OWNED", c.id_number);
  ASSERT_TRUE(flag);
  flag->set_state(v1::FLAG_STATE_DISMISSED);
  ASSERT_TRUE(db_.flags()->Put(*flag).ok());
  const v1::CycleReport r = Run(kSampleDay + 1, /*full=*/true);
  const auto after = FlagOf("VEHICLE_OWNED", c.id_number);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state(), v1::FLAG_STATE_DISMISSED);
  EXPECT_EQ(after->flag_id(), flag->flag_id());
  EXPECT_EQ(FormatDate(after->last_seen()), "2026-11-01");
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::new_flags), 0);
}

TEST_F(CycleTest, AFactEndingOnItsOwnWakesTheHouseholdOnThatDay) {
  Run(kSampleDay);
  const PlantedCase& c = Planted("UNDECLARED_EMPLOYMENT");
  const auto flag = FlagOf("UNDECLARED_EMPLOYMENT", c.id_number);
  ASSERT_TRUE(flag);
  ASSERT_GT(flag->finding().facts_size(), 0);
  // The labour bureau says the job ends on the 10th.
  v1::FeedRecord job = flag->finding().facts(0).record();
  if (!job.has_employment()) GTEST_SKIP() << "planted as a hardship case";
  *job.mutable_employment()->mutable_end_date() = ToProto(kSampleDay + 9);
  v1::BatchHeader h;
  h.set_agency(v1::AGENCY_LABOUR);
  h.set_kind(v1::FEED_KIND_EMPLOYMENT);
  h.set_batch_id("LABOUR-END-1");
  *h.mutable_as_of() = ToProto(kSampleDay + 1);
  h.set_mode(v1::BATCH_MODE_DELTA);
  db_.clock()->Advance(absl::Hours(24));
  const auto receipt = db_.Push(h, {job});
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  ASSERT_EQ(receipt->accepted(), 1) << receipt->DebugString();
  Run(kSampleDay + 1);
  // Other evidence (the job now has an end date), another flag; the first
  // says where its conflict went.
  std::vector<v1::Flag> flags;
  for (const v1::Flag& f : AllFlags(*db_.flags())) {
    if (f.finding().rule() == "UNDECLARED_EMPLOYMENT" &&
        f.finding().id_number() == c.id_number) {
      flags.push_back(f);
    }
  }
  ASSERT_EQ(flags.size(), 2u);
  const v1::Flag& old =
      flags[0].flag_id() == flag->flag_id() ? flags[0] : flags[1];
  const v1::Flag& now =
      flags[0].flag_id() == flag->flag_id() ? flags[1] : flags[0];
  EXPECT_EQ(old.state(), v1::FLAG_STATE_AUTO_RESOLVED);
  EXPECT_THAT(old.resolved_reason(),
              ::testing::HasSubstr("now flag " + now.flag_id()));
  EXPECT_EQ(now.state(), v1::FLAG_STATE_OPEN);
  // Nothing is pushed any more; the cycle on the 11th finds the household
  // due by date, without a full scan.
  const v1::CycleReport r = Run(kSampleDay + 10);
  EXPECT_FALSE(r.full());
  EXPECT_GE(r.households_due(), 1);
  EXPECT_LT(r.households_assessed(), 10);
  EXPECT_EQ(db_.flags()->Get(now.flag_id())->state(),
            v1::FLAG_STATE_AUTO_RESOLVED);
}

TEST_F(CycleTest, APolicyChangeReassessesEveryoneUnderTheNewPolicy) {
  Run(kSampleDay);
  policy_->set_version("2026-12 raised standard");
  policy_->mutable_standards(1)->set_monthly_standard_fen(60000);
  const v1::CycleReport r = Run(kSampleDay + 1);
  EXPECT_TRUE(r.full());
  EXPECT_THAT(r.full_reason(), ::testing::HasSubstr("policy changed"));
  EXPECT_EQ(r.policy_version(), "2026-12 raised standard");
  for (const v1::Flag& f : AllFlags(*db_.flags())) {
    if (f.state() == v1::FLAG_STATE_OPEN) {
      EXPECT_EQ(f.policy_version(), "2026-12 raised standard") << f.flag_id();
    }
  }
  // At 600 yuan, fewer households are above the standard.
  EXPECT_GT(Sum(r, &v1::CycleReport::RuleCounts::auto_resolved), 0);
}

TEST_F(CycleTest, TheSameStoreAndDayGiveTheSameFlagsWhateverTheThreads) {
  TestStore other("cycle-other");
  ASSERT_TRUE(other.LoadSample().ok());
  CycleOptions one_thread;
  one_thread.threads = 1;
  one_thread.block_households = 7;
  Run(kSampleDay, false, one_thread);
  CycleOptions four;
  four.threads = 4;
  four.block_households = 100;
  ASSERT_TRUE(
      CycleRunner(other.store(), other.flags(), other.clock(), policy_, four)
          .Run(kSampleDay, false, "test")
          .ok());
  EXPECT_EQ(Serialized(AllFlags(*db_.flags())),
            Serialized(AllFlags(*other.flags())));
}

TEST_F(CycleTest, AnInterruptedCycleResumesWithoutDuplicates) {
  TestStore other("cycle-uninterrupted");
  ASSERT_TRUE(other.LoadSample().ok());
  CycleOptions small;
  small.block_households = 50;
  ASSERT_TRUE(
      CycleRunner(other.store(), other.flags(), other.clock(), policy_, small)
          .Run(kSampleDay, false, "test")
          .ok());

  CycleOptions crash = small;
  crash.abort_after_blocks = 3;
  auto interrupted = Runner(crash)->Run(kSampleDay, false, "test");
  EXPECT_EQ(interrupted.status().code(), absl::StatusCode::kAborted);
  const size_t partial = AllFlags(*db_.flags()).size();
  EXPECT_GT(partial, 0u);
  EXPECT_LT(partial, AllFlags(*other.flags()).size());
  // The process dies and starts again.
  db_.Reopen();
  const v1::CycleReport r = Run(kSampleDay, false, small);
  EXPECT_TRUE(r.resumed());
  EXPECT_EQ(r.households_assessed(), static_cast<int64_t>(households_.size()));
  EXPECT_EQ(Serialized(AllFlags(*db_.flags())),
            Serialized(AllFlags(*other.flags())));
}

TEST_F(CycleTest, TheIntakeCheckFindsWhatTheCycleFinds) {
  Run(kSampleDay);
  for (const std::string rule :
       {"UNDECLARED_EMPLOYMENT", "DECEASED_MEMBER", "VEHICLE_OWNED"}) {
    const PlantedCase& c = Planted(rule);
    const v1::Household h = *db_.registry()->Get(c.household_id);
    auto checked =
        CheckApplicant(*db_.store(), *policy_, h, kSampleDay, kSampleDay);
    ASSERT_TRUE(checked.ok()) << checked.status();
    std::vector<v1::Flag> flags;
    for (const v1::Flag& f : AllFlags(*db_.flags())) {
      if (f.household_id() == c.household_id) flags.push_back(f);
    }
    std::multiset<std::string> from_cycle, from_check;
    for (const v1::Flag& f : flags) {
      from_cycle.insert(f.finding().SerializeAsString());
    }
    for (const v1::Finding& f : checked->findings()) {
      from_check.insert(f.SerializeAsString());
    }
    EXPECT_EQ(from_check, from_cycle) << rule;
    auto stored = Runner()->GetAssessment(c.household_id);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(checked->assessment().SerializeAsString(),
              stored->SerializeAsString());
  }
}

TEST_F(CycleTest, AnAssessmentIsShownForEveryHousehold) {
  Run(kSampleDay);
  auto runner = Runner();
  // The first household of the sample has no planted case.
  std::set<std::string> flagged;
  for (const v1::Flag& f : AllFlags(*db_.flags())) {
    flagged.insert(f.household_id());
  }
  for (const v1::Household& h : households_) {
    if (flagged.count(h.household_id())) continue;
    auto a = runner->GetAssessment(h.household_id());
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(FormatDate(a->as_of()), "2026-11-01");
    EXPECT_GT(a->explanation_size(), 2);
    break;
  }
  EXPECT_EQ(runner->GetAssessment("nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(CycleTest, WithoutAPolicyTheCycleIsRefused) {
  CycleRunner runner(db_.store(), db_.flags(), db_.clock(), nullptr, {});
  EXPECT_EQ(runner.Run(kSampleDay, false, "test").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace dibao
