#include "registry/registry.h"

#include <memory>

#include "base/dates.h"
#include "base/resident_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// An 18-character ID from 17 digits.
std::string Id(const std::string& first17) {
  return first17 + ResidentIdCheckCharacter(first17);
}

v1::Member Person(const std::string& id, const std::string& name) {
  v1::Member m;
  m.set_id_number(id);
  m.set_name(name);
  m.set_reported_status(v1::REPORTED_STATUS_OTHER);
  return m;
}

v1::Household MakeHousehold(const std::string& id, const std::string& street,
                            std::vector<v1::Member> members) {
  v1::Household h;
  h.set_household_id(id);
  h.set_district_code("420102");
  h.set_street(street);
  h.set_community("桃园社区");
  h.set_registered_address("地址");
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  h.set_monthly_benefit_fen(10000);
  *h.mutable_benefit_start_date() = ToProto(absl::CivilDay(2020, 1, 1));
  for (auto& m : members) *h.add_members() = std::move(m);
  return h;
}

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2026, 11, 26, 9, 0, 0),
                               BureauTimeZone())) {
    StoreOptions options;
    options.sync_writes = false;
    store_ = *Store::Open(testing::NewTempDir("registry"), options);
    registry_ = std::make_unique<Registry>(store_.get(), &clock_);
  }

  UpsertResult MustUpsert(const v1::Household& h) {
    auto r = registry_->Upsert(h, {"clerk-1", "test"});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : UpsertResult{};
  }

  FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Registry> registry_;
  const std::string a_ = Id("42010219900307451");
  const std::string b_ = Id("42010219900307452");
  const std::string c_ = Id("42010219800101123");
};

TEST_F(RegistryTest, CreateUpdateUnchangedWithHistory) {
  auto h =
      MakeHousehold("H1", "人民街道", {Person(a_, "张三"), Person(b_, "李四")});
  auto created = MustUpsert(h);
  EXPECT_EQ(created.outcome, UpsertOutcome::kCreated);
  EXPECT_EQ(created.household.version(), 1);
  EXPECT_EQ(created.household.updated_by(), "clerk-1");

  EXPECT_EQ(MustUpsert(h).outcome, UpsertOutcome::kUnchanged);

  clock_.Advance(absl::Hours(24));
  h.set_monthly_benefit_fen(8000);
  h.mutable_members(1)->set_reported_monthly_income_fen(2000);
  h.mutable_members()->RemoveLast();      // b_ leaves...
  *h.add_members() = Person(c_, "王五");  // ...c_ joins
  h.mutable_members(0)->set_reported_monthly_income_fen(2000);
  auto updated = MustUpsert(h);
  EXPECT_EQ(updated.outcome, UpsertOutcome::kUpdated);
  EXPECT_EQ(updated.household.version(), 2);

  auto history = registry_->History("H1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_THAT((*history)[0].changed_fields(), ElementsAre("created"));
  EXPECT_EQ((*history)[1].actor(), "clerk-1");
  EXPECT_EQ((*history)[1].change_seq(), 2);
  EXPECT_THAT(
      (*history)[1].changed_fields(),
      ElementsAre(absl::StrCat("members+", c_), absl::StrCat("members-", b_),
                  absl::StrCat("members[", a_, "].reported_monthly_income_fen"),
                  "monthly_benefit_fen"));

  // The past is still readable.
  auto then = registry_->GetAsOf("H1", clock_.Now() - absl::Hours(1));
  ASSERT_TRUE(then.ok());
  EXPECT_EQ(then->monthly_benefit_fen(), 10000);
  EXPECT_EQ(then->members_size(), 2);
  EXPECT_EQ(
      registry_->GetAsOf("H1", clock_.Now() - absl::Hours(48)).status().code(),
      absl::StatusCode::kNotFound);

  // The member index follows: b_ is nobody's now, c_ is in H1.
  EXPECT_EQ(registry_->FindByMember(b_).status().code(),
            absl::StatusCode::kNotFound);
  auto found = registry_->FindByMember(c_);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->household_id(), "H1");
}

TEST_F(RegistryTest, EveryChangeIsOnTheAuditTrail) {
  auto audit = *AuditLog::Open(store_.get(), &clock_);
  Registry registry(store_.get(), &clock_, audit.get());
  auto h = MakeHousehold("H1", "人民街道", {Person(a_, "张三")});
  ASSERT_TRUE(registry.Upsert(h, {"clerk-1", "import h.csv:2"}).ok());
  ASSERT_TRUE(registry.Upsert(h, {"clerk-1", "api"}).ok());  // unchanged
  h.set_monthly_benefit_fen(30000);
  ASSERT_TRUE(registry.Upsert(h, {"clerk-2", "api"}).ok());
  // A refused change leaves no entry.
  h.clear_district_code();
  EXPECT_FALSE(registry.Upsert(h, {"clerk-2", "api"}).ok());

  std::vector<v1::AuditEntry> entries;
  ASSERT_TRUE(audit
                  ->ForHousehold("H1",
                                 [&](const v1::AuditEntry& e) {
                                   entries.push_back(e);
                                   return absl::OkStatus();
                                 })
                  .ok());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action(), v1::AUDIT_ACTION_REGISTRY_CHANGE);
  EXPECT_EQ(entries[0].actor(), "clerk-1");
  EXPECT_EQ(entries[0].detail(), "version 1 from import h.csv:2: created");
  EXPECT_EQ(entries[0].ref(), "household_history H1/1");
  EXPECT_EQ(entries[1].actor(), "clerk-2");
  EXPECT_EQ(entries[1].detail(), "version 2 from api: monthly_benefit_fen");
  EXPECT_TRUE(audit->Verify()->ok());
}

TEST_F(RegistryTest, FindByMemberAcceptsAnySpelling) {
  MustUpsert(MakeHousehold("H1", "人民街道", {Person(a_, "张三")}));
  auto found = registry_->FindByMember("420102 900307 451");  // 15-digit form
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->household_id(), "H1");
  EXPECT_EQ(registry_->FindByMember("123").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, PersonInAnActiveHouseholdCannotJoinAnother) {
  MustUpsert(MakeHousehold("H1", "人民街道", {Person(a_, "张三")}));
  std::vector<FieldError> errors;
  auto r = registry_->Upsert(
      MakeHousehold("H2", "人民街道", {Person(c_, "王五"), Person(a_, "张三")}),
      {"clerk-1", "test"}, &errors);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("ACTIVE household H1"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "id_number");
  // Nothing of H2 was stored.
  EXPECT_EQ(registry_->Get("H2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->FindByMember(c_).status().code(),
            absl::StatusCode::kNotFound);

  // Once H1 has exited, the person may be enrolled elsewhere.
  auto h1 = MakeHousehold("H1", "人民街道", {Person(a_, "张三")});
  h1.set_status(v1::HOUSEHOLD_STATUS_EXITED);
  MustUpsert(h1);
  MustUpsert(MakeHousehold("H2", "人民街道",
                           {Person(c_, "王五"), Person(a_, "张三")}));
  EXPECT_EQ(registry_->FindByMember(a_)->household_id(), "H2");
  // And H1 cannot be re-activated with them while H2 is active.
  h1.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  auto again = registry_->Upsert(h1, {"clerk-1", "test"});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("ACTIVE household H2"));
}

TEST_F(RegistryTest, InvalidHouseholdIsRefusedWholeWithFieldErrors) {
  auto h = MakeHousehold("H1", "人民街道",
                         {Person(a_, "张三"), Person("123", "坏")});
  std::vector<FieldError> errors;
  auto r = registry_->Upsert(h, {"clerk-1", "test"}, &errors);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].member_index, 1);
  EXPECT_EQ(registry_->Get("H1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->FindByMember(a_).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RegistryTest, ListFiltersAndPages) {
  for (int i = 0; i < 7; ++i) {
    const std::string street = i % 2 == 0 ? "人民街道" : "和平街道";
    auto h =
        MakeHousehold(absl::StrCat("H", i), street,
                      {Person(Id(absl::StrCat("4201021990010100", i)), "人")});
    if (i == 3) h.set_status(v1::HOUSEHOLD_STATUS_SUSPENDED);
    MustUpsert(h);
  }
  ListFilter all;
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    auto page = registry_->List(all, 3, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& h : page->households) ids.push_back(h.household_id());
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(ids, ElementsAre("H0", "H1", "H2", "H3", "H4", "H5", "H6"));

  ListFilter street;
  street.district_code = "420102";
  street.street = "和平街道";
  auto page = registry_->List(street, 0, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->households.size(), 3u);
  EXPECT_TRUE(page->next_page_token.empty());

  street.status = v1::HOUSEHOLD_STATUS_ACTIVE;
  EXPECT_EQ(registry_->List(street, 0, "")->households.size(), 2u);

  ListFilter bad;
  bad.street = "和平街道";
  EXPECT_EQ(registry_->List(bad, 0, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_->List(all, 5000, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  // A token from another query is refused, not misread.
  auto first = registry_->List(all, 1, "");
  EXPECT_EQ(registry_->List(street, 1, first->next_page_token).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_->List(all, 1, "!!!").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, MovingStreetMovesTheAreaIndex) {
  auto h = MakeHousehold("H1", "人民街道", {Person(a_, "张三")});
  MustUpsert(h);
  h.set_street("和平街道");
  MustUpsert(h);
  ListFilter old_street{"420102", "人民街道", "", {}};
  ListFilter new_street{"420102", "和平街道", "", {}};
  EXPECT_TRUE(registry_->List(old_street, 0, "")->households.empty());
  EXPECT_EQ(registry_->List(new_street, 0, "")->households.size(), 1u);
}

TEST_F(RegistryTest, ChangesSurviveReopen) {
  const std::string dir = testing::NewTempDir("registry-reopen");
  {
    auto store = *Store::Open(dir, StoreOptions());
    Registry registry(store.get(), &clock_);
    ASSERT_TRUE(
        registry
            .Upsert(MakeHousehold("H1", "人民街道", {Person(a_, "张三")}),
                    {"clerk-1", "test"})
            .ok());
  }
  auto store = *Store::Open(dir, StoreOptions());
  Registry registry(store.get(), &clock_);
  auto h = registry.Get("H1");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->members(0).name(), "张三");
}

}  // namespace
}  // namespace dibao
