#include "matcher/flag_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kDay(2026, 11, 1);

const char kMember[] = "420102199003074513";

v1::Finding Finding(const std::string& rule, const std::string& id,
                    const std::string& fingerprint,
                    std::vector<std::string> identity_keys = {}) {
  v1::Finding f;
  f.set_rule(rule);
  f.set_id_number(id);
  f.set_fingerprint(fingerprint);
  f.set_summary(absl::StrCat(rule, " of ", id));
  for (auto& k : identity_keys) f.add_identity_keys(std::move(k));
  return f;
}

// An employment fact of the member at `employer` paying `wage_fen`.
v1::Fact Job(const std::string& employer, int64_t wage_fen,
             const std::string& batch) {
  v1::Fact fact;
  fact.set_agency(v1::AGENCY_LABOUR);
  fact.set_kind(v1::FEED_KIND_EMPLOYMENT);
  fact.set_batch_id(batch);
  v1::FeedRecord& r = *fact.mutable_record();
  r.set_id_number(kMember);
  v1::EmploymentRecord& e = *r.mutable_employment();
  e.set_employer_code(employer);
  e.mutable_start_date()->set_year(2026);
  e.mutable_start_date()->set_month(3);
  e.mutable_start_date()->set_day(1);
  e.set_monthly_wage_fen(wage_fen);
  return fact;
}

// An UNDECLARED_EMPLOYMENT finding as the assessor makes it: the jobs as
// its facts and their natural keys as its identity.
v1::Finding JobFinding(const std::vector<v1::Fact>& jobs, int64_t over_fen) {
  v1::Finding f = Finding("UNDECLARED_EMPLOYMENT", kMember, "");
  std::string content;
  for (const v1::Fact& job : jobs) {
    *f.add_facts() = job;
    f.add_identity_keys(FactIdentityKey(job.kind(), job.record()));
    absl::StrAppend(&content, job.record().employment().employer_code(), "=",
                    job.record().employment().monthly_wage_fen(), ";");
  }
  std::sort(f.mutable_identity_keys()->begin(),
            f.mutable_identity_keys()->end());
  f.set_fingerprint(content);
  f.set_est_monthly_overpayment_fen(over_fen);
  return f;
}

v1::Household Household(const std::string& id) {
  v1::Household h;
  h.set_household_id(id);
  h.set_district_code("420102");
  h.set_street("解放街道");
  h.set_community("花园社区");
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  h.add_members()->set_id_number("420102199003074513");
  return h;
}

class FlagStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions so;
    so.sync_writes = false;
    store_ = *Store::Open(testing::NewTempDir("flags") + "/data", so);
    flags_ = std::make_unique<FlagStore>(store_.get());
    policy_.set_version("p1");
    policy_.mutable_income()->set_tolerance_fen(2000);
    policy_.mutable_flags()->set_reopen_window_days(30);
  }

  // One cycle's step for `h` on `day`.
  FlagCounts Reconcile(const v1::Household& h, absl::CivilDay day,
                       const std::vector<v1::Finding>* findings,
                       const std::vector<v1::Finding>* sustaining = nullptr) {
    FlagCounts counts;
    rocksdb::WriteBatch batch;
    // As the cycle reads them: settled flags stay unparsed bytes.
    std::vector<StoredFlag> existing;
    FlagStore::Cursor cursor(*flags_, nullptr);
    EXPECT_TRUE(cursor.Read(h.household_id(), &existing).ok());
    auto match = FlagStore::Match(findings, sustaining, existing, day, policy_);
    EXPECT_TRUE(match.ok()) << match.status();
    if (!match.ok()) return counts;
    EXPECT_TRUE(flags_
                    ->Reconcile(h, day, policy_, findings, sustaining,
                                std::move(existing), *match, &seq_, &batch,
                                &counts)
                    .ok());
    EXPECT_TRUE(store_->Write(batch).ok());
    return counts;
  }

  std::vector<v1::Flag> Flags(const std::string& household) {
    return *flags_->HouseholdFlags(household);
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<FlagStore> flags_;
  v1::Policy policy_;
  uint64_t seq_ = 0;
};

TEST_F(FlagStoreTest, AFindingBecomesOneOpenFlagThatLaterNightsUpdate) {
  const v1::Household h = Household("H1");
  const std::vector<v1::Finding> found = {
      Finding("VEHICLE_OWNED", "420102199003074513", "aa")};
  FlagCounts c = Reconcile(h, kDay, &found);
  EXPECT_EQ(c["VEHICLE_OWNED"].new_flags, 1);
  auto flags = Flags("H1");
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].flag_id(), "F0000001");
  EXPECT_EQ(flags[0].state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(flags[0].street(), "解放街道");
  EXPECT_EQ(flags[0].version(), 1);

  c = Reconcile(h, kDay + 1, &found);
  EXPECT_EQ(c["VEHICLE_OWNED"].still_open, 1);
  EXPECT_EQ(c["VEHICLE_OWNED"].new_flags, 0);
  flags = Flags("H1");
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(FormatDate(flags[0].first_seen()), "2026-11-01");
  EXPECT_EQ(FormatDate(flags[0].last_seen()), "2026-11-02");
  EXPECT_EQ(flags[0].version(), 2);

  // The same day again changes nothing, not even the version.
  Reconcile(h, kDay + 1, &found);
  EXPECT_EQ(Flags("H1")[0].version(), 2);
}

TEST_F(FlagStoreTest, GoneResolvesWithAReasonAndBackReopens) {
  const v1::Household h = Household("H1");
  const std::vector<v1::Finding> found = {
      Finding("INCOME_UNDERREPORTED", kMember, "aa", {"k1"})};
  Reconcile(h, kDay, &found);
  // Another conflict of the same rule and member (no fact in common): the
  // first is gone, and says which flag is now.
  const std::vector<v1::Finding> changed = {
      Finding("INCOME_UNDERREPORTED", kMember, "bb", {"k2"})};
  FlagCounts c = Reconcile(h, kDay + 1, &changed);
  EXPECT_EQ(c["INCOME_UNDERREPORTED"].auto_resolved, 1);
  EXPECT_EQ(c["INCOME_UNDERREPORTED"].new_flags, 1);
  const v1::Flag old = *flags_->Get("F0000001");
  EXPECT_EQ(old.state(), v1::FLAG_STATE_AUTO_RESOLVED);
  EXPECT_THAT(old.resolved_reason(), HasSubstr("now flag F0000002"));

  const std::vector<v1::Finding> none;
  Reconcile(h, kDay + 2, &none);
  EXPECT_THAT(flags_->Get("F0000002")->resolved_reason(),
              HasSubstr("no longer detected on 2026-11-03"));

  // Back within the reopen window: the same flag, REOPENED.
  c = Reconcile(h, kDay + 3, &found);
  EXPECT_EQ(c["INCOME_UNDERREPORTED"].reopened, 1);
  EXPECT_EQ(c["INCOME_UNDERREPORTED"].new_flags, 0);
  const v1::Flag back = *flags_->Get("F0000001");
  EXPECT_EQ(back.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(back.reopened(), 1);
  EXPECT_TRUE(back.resolved_reason().empty());
}

TEST_F(FlagStoreTest, BackAfterTheReopenWindowIsANewFlag) {
  const v1::Household h = Household("H1");
  const std::vector<v1::Finding> found = {
      Finding("VEHICLE_OWNED", kMember, "aa", {"car"})};
  Reconcile(h, kDay, &found);
  const std::vector<v1::Finding> none;
  Reconcile(h, kDay + 1, &none);
  FlagCounts c = Reconcile(h, kDay + 1 + 31, &found);
  EXPECT_EQ(c["VEHICLE_OWNED"].new_flags, 1);
  EXPECT_EQ(c["VEHICLE_OWNED"].reopened, 0);
  EXPECT_EQ(flags_->Get("F0000001")->state(), v1::FLAG_STATE_AUTO_RESOLVED);
  EXPECT_EQ(flags_->Get("F0000002")->state(), v1::FLAG_STATE_OPEN);
}

TEST_F(FlagStoreTest, AnAmountThatMovesUpdatesTheFlagInPlace) {
  const v1::Household h = Household("H1");
  std::vector<v1::Finding> found = {
      JobFinding({Job("E1", 123500, "L-1")}, 50000)};
  Reconcile(h, kDay, &found);
  // A caseworker is halfway through the case.
  v1::Flag claimed = *flags_->Get("F0000001");
  claimed.set_assignee("cw-1");
  v1::ReviewComment* note = claimed.add_comments();
  note->set_by("cw-1");
  note->set_text("visited, waiting for the bank statement");
  ASSERT_TRUE(flags_->Put(claimed).ok());

  // One yuan more in the next snapshot.
  found = {JobFinding({Job("E1", 123600, "L-2")}, 50100)};
  FlagCounts c = Reconcile(h, kDay + 30, &found);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].new_flags, 0);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].auto_resolved, 0);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].updated, 1);
  const std::vector<v1::Flag> flags = Flags("H1");
  ASSERT_EQ(flags.size(), 1u);
  const v1::Flag& f = flags[0];
  EXPECT_EQ(f.flag_id(), "F0000001");
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(f.assignee(), "cw-1");
  ASSERT_EQ(f.comments_size(), 1);
  EXPECT_EQ(FormatDate(f.first_seen()), "2026-11-01");
  EXPECT_EQ(FormatDate(f.last_seen()), "2026-12-01");
  EXPECT_EQ(f.finding().est_monthly_overpayment_fen(), 50100);
  // Each evidence version, with the batch it came from.
  ASSERT_EQ(f.evidence_size(), 2);
  EXPECT_EQ(f.evidence(0).batch_ids(0), "L-1");
  EXPECT_EQ(f.evidence(1).batch_ids(0), "L-2");
  EXPECT_EQ(FormatDate(f.evidence(1).seen_from()), "2026-12-01");
  EXPECT_EQ(f.evidence(1).est_monthly_overpayment_fen(), 50100);

  // A second job joins the evidence: still the same conflict.
  found = {
      JobFinding({Job("E1", 123600, "L-2"), Job("E2", 80000, "L-3")}, 90000)};
  c = Reconcile(h, kDay + 60, &found);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].new_flags, 0);
  EXPECT_EQ(Flags("H1").size(), 1u);
  EXPECT_EQ(Flags("H1")[0].evidence_size(), 3);
}

TEST_F(FlagStoreTest,
       SettledFlagsStaySettledUntilTheEvidenceChangesMaterially) {
  const v1::Household h = Household("H1");
  std::vector<v1::Finding> found = {
      JobFinding({Job("E1", 123500, "L-1")}, 50000)};
  Reconcile(h, kDay, &found);
  v1::Flag dismissed = *flags_->Get("F0000001");
  dismissed.set_state(v1::FLAG_STATE_DISMISSED);
  v1::ReviewDecision* d = dismissed.add_decisions();
  d->set_state(v1::FLAG_STATE_DISMISSED);
  d->set_by("cw-1");
  ASSERT_TRUE(flags_->Put(dismissed).ok());

  // The amount moves within the policy's material change (20 yuan): settled.
  found = {JobFinding({Job("E1", 125000, "L-2")}, 51500)};
  FlagCounts c = Reconcile(h, kDay + 30, &found);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].new_flags, 0);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].reopened, 0);
  v1::Flag f = *flags_->Get("F0000001");
  EXPECT_EQ(f.state(), v1::FLAG_STATE_DISMISSED);
  // The decided evidence stays; the newer one is in the history.
  EXPECT_EQ(f.finding().est_monthly_overpayment_fen(), 50000);
  EXPECT_EQ(f.evidence_size(), 2);

  // A second employer appears: reopened, saying why and what was decided.
  found = {
      JobFinding({Job("E1", 125000, "L-2"), Job("E2", 80000, "L-3")}, 51500)};
  c = Reconcile(h, kDay + 60, &found);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].reopened, 1);
  f = *flags_->Get("F0000001");
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_THAT(f.reopened_reason(),
              HasSubstr("a partner fact the decision did not rest on: "
                        "employment from batch L-3"));
  EXPECT_THAT(f.reopened_reason(), HasSubstr("it was DISMISSED by cw-1"));
  EXPECT_EQ(f.decisions_size(), 1);

  // Confirmed, then the overpayment rises by more than the policy allows.
  f.set_state(v1::FLAG_STATE_CONFIRMED);
  ASSERT_TRUE(flags_->Put(f).ok());
  found = {
      JobFinding({Job("E1", 125000, "L-2"), Job("E2", 80000, "L-3")}, 80000)};
  c = Reconcile(h, kDay + 90, &found);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].reopened, 1);
  EXPECT_THAT(
      flags_->Get("F0000001")->reopened_reason(),
      HasSubstr("the estimated overpayment rose from 515.00 to 800.00"));
}

TEST_F(FlagStoreTest, PassingByLessThanTheMarginKeepsAnOpenFlagOpen) {
  const v1::Household h = Household("H1");
  const std::vector<v1::Finding> found = {
      Finding("HOUSEHOLD_INCOME_ABOVE_STANDARD", "", "above")};
  Reconcile(h, kDay, &found);
  const std::vector<v1::Finding> none;
  const std::vector<v1::Finding> near = {
      Finding("HOUSEHOLD_INCOME_ABOVE_STANDARD", "", "just below")};
  FlagCounts c = Reconcile(h, kDay + 30, &none, &near);
  EXPECT_EQ(c["HOUSEHOLD_INCOME_ABOVE_STANDARD"].auto_resolved, 0);
  EXPECT_EQ(c["HOUSEHOLD_INCOME_ABOVE_STANDARD"].still_open, 1);
  EXPECT_EQ(flags_->Get("F0000001")->state(), v1::FLAG_STATE_OPEN);
  // Well below: resolved. And a near miss never raises or reopens a flag.
  c = Reconcile(h, kDay + 60, &none);
  EXPECT_EQ(c["HOUSEHOLD_INCOME_ABOVE_STANDARD"].auto_resolved, 1);
  c = Reconcile(h, kDay + 61, &none, &near);
  EXPECT_EQ(c["HOUSEHOLD_INCOME_ABOVE_STANDARD"].reopened, 0);
  EXPECT_EQ(c["HOUSEHOLD_INCOME_ABOVE_STANDARD"].new_flags, 0);
  EXPECT_EQ(flags_->Get("F0000001")->state(), v1::FLAG_STATE_AUTO_RESOLVED);
}

TEST_F(FlagStoreTest, FlagsStoredBeforeIdentityKeysKeepTheirState) {
  // As the code before identity keys stored a flag: keyed by its evidence
  // fingerprint, without identity, identity keys or evidence history.
  const v1::Household h = Household("H1");
  v1::Flag legacy;
  legacy.set_flag_id("F0000001");
  legacy.set_household_id("H1");
  legacy.set_state(v1::FLAG_STATE_OPEN);
  *legacy.mutable_finding() = JobFinding({Job("E1", 123500, "L-1")}, 50000);
  legacy.mutable_finding()->clear_identity_keys();
  legacy.mutable_finding()->set_fingerprint("0ldf1ngerpr1nt");
  *legacy.mutable_first_seen() = ToProto(kDay);
  *legacy.mutable_last_seen() = ToProto(kDay);
  legacy.set_version(3);
  legacy.set_assignee("cw-1");
  legacy.add_comments()->set_text("waiting for the bank statement");
  const std::string key =
      keys::FlagKey("H1", "UNDECLARED_EMPLOYMENT", "0ldf1ngerpr1nt");
  rocksdb::WriteBatch batch;
  batch.Put(store_->handle(Cf::kFlags), key, legacy.SerializeAsString());
  batch.Put(store_->handle(Cf::kFlagIds), keys::FlagIdKey(1), key);
  ASSERT_TRUE(store_->Write(batch).ok());
  seq_ = 1;

  const std::vector<v1::Finding> found = {
      JobFinding({Job("E1", 123600, "L-2")}, 50100)};
  FlagCounts c = Reconcile(h, kDay + 30, &found);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].new_flags, 0);
  EXPECT_EQ(c["UNDECLARED_EMPLOYMENT"].updated, 1);
  const std::vector<v1::Flag> flags = Flags("H1");
  ASSERT_EQ(flags.size(), 1u);  // updated under its old key, not copied
  EXPECT_EQ(flags[0].flag_id(), "F0000001");
  EXPECT_EQ(flags[0].identity(), "0ldf1ngerpr1nt");
  EXPECT_EQ(flags[0].assignee(), "cw-1");
  EXPECT_EQ(flags[0].comments_size(), 1);
  EXPECT_EQ(flags[0].version(), 4);
  ASSERT_EQ(flags[0].evidence_size(), 2);
  EXPECT_EQ(flags[0].evidence(0).fingerprint(), "0ldf1ngerpr1nt");
  EXPECT_EQ(FormatDate(flags[0].evidence(0).seen_from()), "2026-11-01");
  EXPECT_EQ(flags_->Get("F0000001")->finding().est_monthly_overpayment_fen(),
            50100);
}

TEST_F(FlagStoreTest, DismissedStaysDismissedAndExitedHouseholdsResolve) {
  v1::Household h = Household("H1");
  const std::vector<v1::Finding> found = {
      Finding("VEHICLE_OWNED", "420102199003074513", "aa"),
      Finding("MOVED_OUT", "420102199003074513", "cc")};
  Reconcile(h, kDay, &found);
  v1::Flag dismissed = *flags_->Get("F0000001");
  dismissed.set_state(v1::FLAG_STATE_DISMISSED);
  ASSERT_TRUE(flags_->Put(dismissed).ok());
  FlagCounts c = Reconcile(h, kDay + 1, &found);
  EXPECT_EQ(c["VEHICLE_OWNED"].new_flags, 0);
  EXPECT_EQ(c["VEHICLE_OWNED"].still_open, 0);
  EXPECT_EQ(flags_->Get("F0000001")->state(), v1::FLAG_STATE_DISMISSED);

  h.set_status(v1::HOUSEHOLD_STATUS_EXITED);
  c = Reconcile(h, kDay + 2, nullptr);
  EXPECT_EQ(c["MOVED_OUT"].auto_resolved, 1);
  EXPECT_THAT(flags_->Get("F0000002")->resolved_reason(),
              HasSubstr("the household is EXITED"));
  EXPECT_EQ(flags_->Get("F0000001")->state(), v1::FLAG_STATE_DISMISSED);
}

TEST_F(FlagStoreTest, ListFiltersAndPages) {
  for (int i = 0; i < 5; ++i) {
    const std::vector<v1::Finding> found = {
        Finding("VEHICLE_OWNED", "420102199003074513", "aa"),
        Finding("REFUSED_TRAINING", "420102199003074513", "bb")};
    Reconcile(Household(absl::StrCat("H", i)), kDay, &found);
  }
  FlagFilter vehicles;
  vehicles.rule = "VEHICLE_OWNED";
  std::vector<std::string> seen;
  std::string token;
  do {
    auto page = flags_->List(vehicles, 2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::Flag& f : page->flags) seen.push_back(f.household_id());
    token = page->next_page_token;
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"H0", "H1", "H2", "H3", "H4"}));
  EXPECT_EQ(flags_->List({}, 0, "not base64!").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(FlagStoreTest, SettledFlagsAreReadAsBytesUntilNeeded) {
  const v1::Household h = Household("H1");
  const std::vector<v1::Finding> found = {
      Finding("VEHICLE_OWNED", "420102199003074513", "aa")};
  Reconcile(h, kDay, &found);
  const std::vector<v1::Finding> none;
  Reconcile(h, kDay + 1, &none);
  std::vector<StoredFlag> stored;
  FlagStore::Cursor cursor(*flags_, nullptr);
  ASSERT_TRUE(cursor.Read("H1", &stored).ok());
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_FALSE(stored[0].full);
  EXPECT_EQ(stored[0].flag.state(), v1::FLAG_STATE_AUTO_RESOLVED);
  EXPECT_EQ(stored[0].flag.finding().rule(), "VEHICLE_OWNED");
  EXPECT_EQ(stored[0].flag.identity(), "F0000001");
  ASSERT_TRUE(stored[0].Complete().ok());
  EXPECT_EQ(stored[0].flag.flag_id(), "F0000001");
  EXPECT_EQ(stored[0].flag.finding().summary(),
            "VEHICLE_OWNED of 420102199003074513");
}

TEST_F(FlagStoreTest, FlagIds) {
  EXPECT_EQ(FormatFlagId(123), "F0000123");
  EXPECT_EQ(*ParseFlagId("F0000123"), 123u);
  EXPECT_EQ(ParseFlagId("123").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFlagId("F").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(flags_->Get("F0000009").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(FlagStoreTest, TheCursorReadsHouseholdsInAnyOrder) {
  for (const char* id : {"H2", "H4", "H10"}) {
    const std::vector<v1::Finding> found = {
        Finding("VEHICLE_OWNED", "420102199003074513", id)};
    Reconcile(Household(id), kDay, &found);
  }
  FlagStore::Cursor cursor(*flags_, nullptr);
  std::vector<StoredFlag> out;
  // Key order (shorter IDs first), then backwards, then a repeat.
  for (const auto& [id, n] :
       std::vector<std::pair<std::string, size_t>>{{"H1", 0},
                                                   {"H2", 1},
                                                   {"H3", 0},
                                                   {"H4", 1},
                                                   {"H10", 1},
                                                   {"H2", 1},
                                                   {"H2", 1},
                                                   {"H0", 0},
                                                   {"H10", 1}}) {
    ASSERT_TRUE(cursor.Read(id, &out).ok());
    EXPECT_EQ(out.size(), n) << id;
  }
}

}  // namespace
}  // namespace dibao
