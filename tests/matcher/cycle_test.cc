#include "matcher/cycle.h"

#include <map>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/dates.h"
#include "matcher/keys.h"
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
