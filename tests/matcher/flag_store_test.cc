#include "matcher/flag_store.h"

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kDay(2026, 11, 1);

v1::Finding Finding(const std::string& rule, const std::string& id,
                    const std::string& fingerprint) {
  v1::Finding f;
  f.set_rule(rule);
  f.set_id_number(id);
  f.set_fingerprint(fingerprint);
  f.set_summary(absl::StrCat(rule, " of ", id));
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
  }

  // One cycle's step for `h` on `day`.
  FlagCounts Reconcile(const v1::Household& h, absl::CivilDay day,
                       const std::vector<v1::Finding>* findings) {
    FlagCounts counts;
    rocksdb::WriteBatch batch;
    // As the cycle reads them: settled flags stay unparsed bytes.
    std::vector<StoredFlag> existing;
    FlagStore::Cursor cursor(*flags_, nullptr);
    EXPECT_TRUE(cursor.Read(h.household_id(), &existing).ok());
    EXPECT_TRUE(flags_
                    ->Reconcile(h, day, "p1", findings, std::move(existing),
                                &seq_, &batch, &counts)
                    .ok());
    EXPECT_TRUE(store_->Write(batch).ok());
    return counts;
  }

  std::vector<v1::Flag> Flags(const std::string& household) {
    return *flags_->HouseholdFlags(household);
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<FlagStore> flags_;
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
      Finding("INCOME_UNDERREPORTED", "420102199003074513", "aa")};
  Reconcile(h, kDay, &found);
  const std::vector<v1::Finding> changed = {
      Finding("INCOME_UNDERREPORTED", "420102199003074513", "bb")};
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

  c = Reconcile(h, kDay + 3, &found);
  EXPECT_EQ(c["INCOME_UNDERREPORTED"].reopened, 1);
  const v1::Flag back = *flags_->Get("F0000001");
  EXPECT_EQ(back.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(back.reopened(), 1);
  EXPECT_TRUE(back.resolved_reason().empty());
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
  EXPECT_EQ(stored[0].flag.finding().fingerprint(), "aa");
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
