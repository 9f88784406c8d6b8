#include "services/reloader.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/policy.h"
#include "services/server.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPolicy[] = DIBAO_SOURCE_DIR "/deploy/policy.textproto";

class ReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir("reloader");
    policy_file_ = dir_ + "/policy.textproto";
    config_file_ = dir_ + "/dibao.conf";
    principals_file_ = dir_ + "/principals.textproto";
    testing::WriteFile(policy_file_, testing::ReadFile(kPolicy));
    testing::WriteFile(config_file_,
                       "listen: \"127.0.0.1:50051\"\n"
                       "feeds { snapshot_max_rejected_percent: 20 }\n");
    testing::WriteFile(principals_file_,
                       testing::ReadFile(testing::TestPrincipalsPath()));
    store_ = *Store::Open(dir_ + "/data", StoreOptions());
    audit_ = *AuditLog::Open(store_.get(), &clock_);
    gate_ = *Gatekeeper::Create({principals_file_, ""}, audit_.get());
    flags_ = std::make_unique<FlagStore>(store_.get());
    cycles_ = std::make_unique<CycleRunner>(
        store_.get(), flags_.get(), &clock_,
        std::make_shared<const v1::Policy>(*LoadPolicy(policy_file_)),
        CycleOptions());
    FeedStoreOptions feed_options;
    feed_options.scratch_dir = dir_ + "/staging";
    feeds_ = *FeedStore::Create(store_.get(), &clock_, feed_options);
    ReloadSources sources;
    sources.policy_file = policy_file_;
    sources.policy_sha256 = *FileSha256(policy_file_);
    sources.config_file = config_file_;
    sources.config = *LoadServerConfig(config_file_);
    reloader_ =
        std::make_unique<Reloader>(std::move(sources), gate_.get(),
                                   cycles_.get(), feeds_.get(), audit_.get());
  }

  // The part named `name` of a reload by operator-1.
  v1::ReloadedPart Reload(absl::string_view name) {
    auto r = reloader_->Reload("operator-1");
    EXPECT_TRUE(r.ok()) << r.status();
    for (const v1::ReloadedPart& p : r->parts()) {
      if (p.part() == name) return p;
    }
    ADD_FAILURE() << "no part " << name;
    return {};
  }

  // The audit entries with `action`, in order.
  std::vector<v1::AuditEntry> Audited(v1::AuditAction action) {
    std::vector<v1::AuditEntry> found;
    const std::vector<v1::AuditEntry> all = *audit_->List(0, 1000);
    for (const v1::AuditEntry& e : all) {
      if (e.action() == action) found.push_back(e);
    }
    return found;
  }

  std::string dir_, policy_file_, config_file_, principals_file_;
  FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Gatekeeper> gate_;
  std::unique_ptr<FlagStore> flags_;
  std::unique_ptr<CycleRunner> cycles_;
  std::unique_ptr<FeedStore> feeds_;
  std::unique_ptr<Reloader> reloader_;
};

TEST_F(ReloaderTest, PolicyIsTakenWhenGoodAndKeptWhenNot) {
  const auto first = cycles_->policy();
  v1::ReloadedPart p = Reload("policy");
  EXPECT_EQ(p.outcome(), v1::ReloadedPart::UNCHANGED);
  EXPECT_TRUE(cycles_->policy().get() == first.get());

  testing::WriteFile(
      policy_file_,
      absl::StrCat(testing::ReadFile(kPolicy), "\n# notice period reviewed\n"));
  p = Reload("policy");
  EXPECT_EQ(p.outcome(), v1::ReloadedPart::RELOADED);
  EXPECT_EQ(p.sha256(), *FileSha256(policy_file_));
  const auto second = cycles_->policy();
  EXPECT_TRUE(second.get() != first.get());
  // The old one lives on for whoever still holds it.
  EXPECT_GT(first->ByteSizeLong(), 0u);

  testing::WriteFile(policy_file_, "standards { monthly_standard_fen: -5 }\n");
  p = Reload("policy");
  EXPECT_EQ(p.outcome(), v1::ReloadedPart::REFUSED);
  EXPECT_THAT(p.detail(), HasSubstr("policy.textproto:1:"));
  EXPECT_THAT(p.detail(), HasSubstr("stays"));
  EXPECT_TRUE(cycles_->policy().get() == second.get());

  const auto audited = Audited(v1::AUDIT_ACTION_POLICY_RELOADED);
  ASSERT_EQ(audited.size(), 3u);
  EXPECT_THAT(audited[0].detail(), HasSubstr("unchanged"));
  EXPECT_THAT(audited[1].detail(), HasSubstr(*FileSha256(kPolicy)));
  EXPECT_THAT(audited[2].detail(), HasSubstr("refused"));
  EXPECT_EQ(audited[2].actor(), "operator-1");
}

TEST_F(ReloaderTest, SettingsChangeTheFeedGuardsAndNameWhatNeedsARestart) {
  EXPECT_EQ(Reload("settings").outcome(), v1::ReloadedPart::UNCHANGED);

  testing::WriteFile(config_file_,
                     "listen: \"0.0.0.0:50051\"\n"
                     "feeds { snapshot_max_rejected_percent: 5 "
                     "mass_retirement_min: 50 }\n");
  v1::ReloadedPart p = Reload("settings");
  EXPECT_EQ(p.outcome(), v1::ReloadedPart::RELOADED);
  EXPECT_THAT(p.detail(), HasSubstr("snapshot_max_rejected_percent 5"));
  EXPECT_THAT(p.detail(), HasSubstr("applied only at a restart: listen"));
  EXPECT_EQ(feeds_->guards().snapshot_max_rejected_percent, 5);
  EXPECT_EQ(feeds_->guards().mass_retirement_min, 50);

  testing::WriteFile(config_file_,
                     "feeds { snapshot_max_rejected_percent: 150 }\n");
  p = Reload("settings");
  EXPECT_EQ(p.outcome(), v1::ReloadedPart::REFUSED);
  EXPECT_THAT(p.detail(), HasSubstr("between 0 and 100"));
  EXPECT_EQ(feeds_->guards().snapshot_max_rejected_percent, 5);

  testing::WriteFile(config_file_, "feeds { colour: 1 }\n");
  p = Reload("settings");
  EXPECT_EQ(p.outcome(), v1::ReloadedPart::REFUSED);
  EXPECT_THAT(p.detail(), HasSubstr("dibao.conf:1:"));
  EXPECT_EQ(Audited(v1::AUDIT_ACTION_SETTINGS_RELOADED).size(), 4u);
}

TEST_F(ReloaderTest, PrincipalsAreReadAgainAndABrokenFileRefused) {
  EXPECT_EQ(Reload("principals").outcome(), v1::ReloadedPart::UNCHANGED);
  testing::WriteFile(principals_file_, "principal { id: \"x\" colour: 1 }\n");
  v1::ReloadedPart p = Reload("principals");
  EXPECT_EQ(p.outcome(), v1::ReloadedPart::REFUSED);
  EXPECT_THAT(p.detail(), HasSubstr("principals.textproto:1:"));
  EXPECT_TRUE(gate_->Find("night-operator").has_value());
  EXPECT_EQ(Audited(v1::AUDIT_ACTION_PRINCIPALS_RELOADED).size(), 2u);
}

TEST_F(ReloaderTest, AServerStartedWithoutFilesSaysSo) {
  Reloader bare({}, gate_.get(), cycles_.get(), feeds_.get(), audit_.get());
  auto r = bare.Reload("SIGHUP");
  ASSERT_TRUE(r.ok()) << r.status();
  for (const v1::ReloadedPart& p : r->parts()) {
    if (p.part() == "principals") continue;  // the gatekeeper has one
    EXPECT_EQ(p.outcome(), v1::ReloadedPart::NOT_CONFIGURED) << p.part();
    EXPECT_THAT(p.detail(), Not(HasSubstr("refused")));
  }
}

}  // namespace
}  // namespace dibao
