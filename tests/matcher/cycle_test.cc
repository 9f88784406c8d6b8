#include "matcher/cycle.h"

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "feeds/fact_reader.h"
#include "formats/feed_format.h"
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

TEST_F(CycleTest, ADismissedConflictIsNotRaisedAgain) {
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
  // Still there, and still as decided.
  EXPECT_EQ(FormatDate(after->last_seen()), "2026-11-02");
  EXPECT_EQ(after->finding().fingerprint(), flag->finding().fingerprint());
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::new_flags), 0);
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::reopened), 0);
}

// The agency of the flag's first partner fact withdraws it, as of `day`.
void WithdrawFirstFact(TestStore& db, const v1::Flag& flag,
                       const std::string& batch_id, absl::CivilDay day) {
  ASSERT_GT(flag.finding().facts_size(), 0);
  const v1::Fact& fact = flag.finding().facts(0);
  v1::FeedRecord withdrawal = fact.record();
  withdrawal.set_action(v1::RECORD_ACTION_WITHDRAW);
  withdrawal.set_withdrawal_reason(v1::WITHDRAWAL_REASON_WRONG_PERSON);
  withdrawal.set_withdrawal_note("keyed to the wrong ID");
  v1::BatchHeader h;
  h.set_agency(fact.agency());
  h.set_kind(fact.kind());
  h.set_batch_id(batch_id);
  h.set_mode(v1::BATCH_MODE_DELTA);
  h.set_record_count(1);
  *h.mutable_as_of() = ToProto(day);
  db.clock()->Set(
      absl::FromCivil(absl::CivilSecond(day) + 86400 + 7200, BureauTimeZone()));
  auto upload = db.feeds()->Begin(h, "agency");
  ASSERT_TRUE(upload.ok()) << upload.status();
  ASSERT_TRUE((*upload)->Add(std::move(withdrawal)).ok());
  auto receipt = (*upload)->Commit();
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  ASSERT_EQ(receipt->withdrawn(), 1);
}

TEST_F(CycleTest, AnOpenFlagWhoseFactIsWithdrawnResolvesSayingSo) {
  Run(kSampleDay);
  const PlantedCase& c = Planted("VEHICLE_OWNED");
  auto flag = FlagOf("VEHICLE_OWNED", c.id_number);
  ASSERT_TRUE(flag);
  WithdrawFirstFact(db_, *flag, "PS-W1", kSampleDay + 1);
  const v1::CycleReport r = Run(kSampleDay + 1);
  EXPECT_GE(r.households_assessed(), 1);
  const auto after = FlagOf("VEHICLE_OWNED", c.id_number);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state(), v1::FLAG_STATE_AUTO_RESOLVED);
  EXPECT_THAT(after->resolved_reason(),
              ::testing::HasSubstr(
                  "was withdrawn by public_security on 2026-11-02 (batch "
                  "PS-W1, WRONG_PERSON: keyed to the wrong ID)"));
  EXPECT_THAT(after->withdrawn_by_batches(), ::testing::ElementsAre("PS-W1"));

  // Replayed as of the day before, the fact is as it was then.
  Run(kSampleDay, /*full=*/true);
  const auto replayed = FlagOf("VEHICLE_OWNED", c.id_number);
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->state(), v1::FLAG_STATE_OPEN);
  WithdrawalFinder finder(db_.store(), nullptr);
  EXPECT_FALSE(*finder.Find(flag->finding().facts(0), kSampleDay));
  EXPECT_TRUE(*finder.Find(flag->finding().facts(0), kSampleDay + 1));
}

TEST_F(CycleTest, AConfirmedFlagWhoseFactIsWithdrawnGoesBackToACaseworker) {
  Run(kSampleDay);
  const PlantedCase& c = Planted("VEHICLE_OWNED");
  auto flag = FlagOf("VEHICLE_OWNED", c.id_number);
  ASSERT_TRUE(flag);
  flag->set_state(v1::FLAG_STATE_CONFIRMED);
  v1::ReviewDecision* d = flag->add_decisions();
  d->set_state(v1::FLAG_STATE_CONFIRMED);
  d->set_by("wang.li");
  ASSERT_TRUE(db_.flags()->Put(*flag).ok());
  WithdrawFirstFact(db_, *flag, "PS-W1", kSampleDay + 1);

  const v1::CycleReport r = Run(kSampleDay + 1);
  auto after = FlagOf("VEHICLE_OWNED", c.id_number);
  ASSERT_TRUE(after);
  // Never silently undone: open again, the decision kept beside the reason.
  EXPECT_EQ(after->state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(after->reopened(), 1);
  EXPECT_THAT(after->reopened_reason(),
              ::testing::HasSubstr("was withdrawn by public_security"));
  EXPECT_THAT(after->reopened_reason(),
              ::testing::HasSubstr("(it was CONFIRMED by wang.li; decide it "
                                   "again)"));
  EXPECT_EQ(after->decisions_size(), 1);
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::reopened), 1);

  // Decided again (the exit stands on other grounds): the same withdrawal
  // does not reopen it a second time.
  after->set_state(v1::FLAG_STATE_CONFIRMED);
  ASSERT_TRUE(db_.flags()->Put(*after).ok());
  Run(kSampleDay + 2, /*full=*/true);
  const auto settled = FlagOf("VEHICLE_OWNED", c.id_number);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->state(), v1::FLAG_STATE_CONFIRMED);
  EXPECT_EQ(settled->reopened(), 1);
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
  // The same job (employer and start date) with an end date: the same
  // conflict, its evidence updated in place.
  std::vector<v1::Flag> flags;
  for (const v1::Flag& f : AllFlags(*db_.flags())) {
    if (f.finding().rule() == "UNDECLARED_EMPLOYMENT" &&
        f.finding().id_number() == c.id_number) {
      flags.push_back(f);
    }
  }
  ASSERT_EQ(flags.size(), 1u);
  const v1::Flag& now = flags[0];
  EXPECT_EQ(now.flag_id(), flag->flag_id());
  EXPECT_EQ(now.state(), v1::FLAG_STATE_OPEN);
  ASSERT_EQ(now.evidence_size(), 2);
  EXPECT_EQ(now.evidence(1).batch_ids(0), "LABOUR-END-1");
  // Nothing is pushed any more; the cycle on the 11th finds the household
  // due by date, without a full scan.
  const v1::CycleReport r = Run(kSampleDay + 10);
  EXPECT_FALSE(r.full());
  EXPECT_GE(r.households_due(), 1);
  EXPECT_LT(r.households_assessed(), 10);
  EXPECT_EQ(db_.flags()->Get(now.flag_id())->state(),
            v1::FLAG_STATE_AUTO_RESOLVED);
}

// A caseworker halfway through a case: the flags of a household above the
// standard are claimed and commented; the labour bureau's next batch
// carries the same payments one yuan higher. Nothing resolves, nothing is
// raised anew, the work stays on the flags and their evidence has a new
// version from that batch.
TEST_F(CycleTest, AmountsMovingByAYuanKeepEveryFlagAndTheCaseworkersWork) {
  Run(kSampleDay);
  std::optional<v1::Flag> above;
  for (const v1::Flag& f : AllFlags(*db_.flags())) {
    if (f.state() == v1::FLAG_STATE_OPEN &&
        f.finding().rule() == "HOUSEHOLD_INCOME_ABOVE_STANDARD" &&
        f.finding().facts_size() > 0) {
      above = f;
      break;
    }
  }
  ASSERT_TRUE(above) << "the sample has a household above the standard";
  const std::string household = above->household_id();
  std::vector<v1::Flag> before;
  for (v1::Flag f : AllFlags(*db_.flags())) {
    if (f.household_id() != household) continue;
    f.set_assignee("cw-1");
    v1::ReviewComment* note = f.add_comments();
    note->set_by("cw-1");
    note->set_text("visited, waiting for the bank statement");
    ASSERT_TRUE(db_.flags()->Put(f).ok());
    before.push_back(*db_.flags()->Get(f.flag_id()));
  }
  // Every money fact of the flags, one yuan more, by kind.
  std::map<v1::FeedKind, std::vector<v1::FeedRecord>> moved;
  std::set<std::string> sent;
  for (const v1::Flag& f : before) {
    for (const v1::Fact& fact : f.finding().facts()) {
      v1::FeedRecord r = fact.record();
      if (!sent.insert(r.SerializeAsString()).second) continue;
      if (r.has_employment()) {
        r.mutable_employment()->set_monthly_wage_fen(
            r.employment().monthly_wage_fen() + 100);
      } else if (r.has_unemployment_benefit()) {
        r.mutable_unemployment_benefit()->set_monthly_amount_fen(
            r.unemployment_benefit().monthly_amount_fen() + 100);
      } else if (r.has_pension()) {
        r.mutable_pension()->set_monthly_amount_fen(
            r.pension().monthly_amount_fen() + 100);
      } else {
        continue;
      }
      moved[fact.kind()].push_back(r);
    }
  }
  ASSERT_FALSE(moved.empty());
  db_.clock()->Advance(absl::Hours(24));
  for (const auto& [kind, records] : moved) {
    v1::BatchHeader h;
    h.set_agency(v1::AGENCY_LABOUR);
    h.set_kind(kind);
    h.set_batch_id(absl::StrCat("LABOUR-PLUS-ONE-", kind));
    *h.mutable_as_of() = ToProto(kSampleDay + 1);
    h.set_mode(v1::BATCH_MODE_DELTA);
    const auto receipt = db_.Push(h, records);
    ASSERT_TRUE(receipt.ok()) << receipt.status();
    ASSERT_EQ(receipt->accepted(), static_cast<int64_t>(records.size()));
  }
  const v1::CycleReport r = Run(kSampleDay + 1);
  EXPECT_GE(r.households_from_feeds(), 1);
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::new_flags), 0);
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::auto_resolved), 0);
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::reopened), 0);
  EXPECT_GE(Sum(r, &v1::CycleReport::RuleCounts::updated), 1);
  int moved_flags = 0;
  for (const v1::Flag& was : before) {
    const v1::Flag now = *db_.flags()->Get(was.flag_id());
    EXPECT_EQ(now.state(), was.state()) << was.flag_id();
    EXPECT_EQ(now.assignee(), "cw-1") << was.flag_id();
    ASSERT_EQ(now.comments_size(), 1) << was.flag_id();
    EXPECT_EQ(FormatDate(now.first_seen()), FormatDate(was.first_seen()));
    EXPECT_EQ(FormatDate(now.last_seen()), "2026-11-02") << was.flag_id();
    if (now.finding().fingerprint() != was.finding().fingerprint()) {
      ++moved_flags;
      ASSERT_EQ(now.evidence_size(), 2) << now.DebugString();
      EXPECT_THAT(
          now.evidence(1).batch_ids(),
          ::testing::Contains(::testing::StartsWith("LABOUR-PLUS-ONE-")));
    }
  }
  EXPECT_GE(moved_flags, 1);
  int in_household = 0;
  for (const v1::Flag& f : AllFlags(*db_.flags())) {
    in_household += f.household_id() == household;
  }
  EXPECT_EQ(in_household, static_cast<int>(before.size()));
}

// Every wage, pension and unemployment benefit of the sample district one
// yuan higher in the agencies' next files (the district's whole money,
// not 1% of it), and the cycle again for the same day: the conflicts are
// the same ones, so nothing is resolved, raised or reopened.
TEST_F(CycleTest, EveryAmountOneYuanHigherChurnsNoFlag) {
  Run(kSampleDay);
  const size_t flags_before = AllFlags(*db_.flags()).size();
  int64_t moved = 0;
  for (const SampleFeedFile& file : feeds_.files) {
    const v1::FeedKind kind = file.spec->kind;
    if (kind != v1::FEED_KIND_EMPLOYMENT && kind != v1::FEED_KIND_PENSION &&
        kind != v1::FEED_KIND_UNEMPLOYMENT_BENEFIT) {
      continue;
    }
    std::vector<v1::FeedRecord> records;
    std::istringstream in(file.csv);
    ASSERT_TRUE(
        ReadFeedRecords(
            in, FileFormat::kCsv, *file.spec,
            [&](int64_t, v1::FeedRecord r) {
              if (r.has_employment()) {
                r.mutable_employment()->set_monthly_wage_fen(
                    r.employment().monthly_wage_fen() + 100);
              } else if (r.has_pension()) {
                r.mutable_pension()->set_monthly_amount_fen(
                    r.pension().monthly_amount_fen() + 100);
              } else {
                r.mutable_unemployment_benefit()->set_monthly_amount_fen(
                    r.unemployment_benefit().monthly_amount_fen() + 100);
              }
              records.push_back(std::move(r));
            },
            [](RowError) {})
            .ok());
    v1::BatchHeader h;
    h.set_agency(file.spec->agency);
    h.set_kind(kind);
    h.set_batch_id(file.batch_id + "-PLUS-ONE-YUAN");
    *h.mutable_as_of() = ToProto(kSampleDay);
    h.set_mode(file.snapshot ? v1::BATCH_MODE_SNAPSHOT : v1::BATCH_MODE_DELTA);
    const auto receipt = db_.Push(h, records);
    ASSERT_TRUE(receipt.ok()) << receipt.status();
    EXPECT_EQ(receipt->retired(), 0);
    moved += receipt->accepted();
  }
  ASSERT_GT(moved, 100);
  const v1::CycleReport r = Run(kSampleDay);
  EXPECT_GT(r.households_from_feeds(), 50);
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::new_flags), 0);
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::auto_resolved), 0);
  EXPECT_EQ(Sum(r, &v1::CycleReport::RuleCounts::reopened), 0);
  EXPECT_GT(Sum(r, &v1::CycleReport::RuleCounts::updated), 10);
  EXPECT_EQ(AllFlags(*db_.flags()).size(), flags_before);
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
