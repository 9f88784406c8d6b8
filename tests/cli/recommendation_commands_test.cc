// From the nightly run to an approved exit with dibaoctl alone, as a
// caseworker and a bureau head would: decide the flags, make the
// recommendations, list them for approval, approve one, and find it all in
// the registry and the audit trail.
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RecommendationCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir("dibaoctl-recommendations");
    ServerOptions options;
    testing::UseTestAccess(&options, dir_);
    options.data_dir = dir_ + "/data";
    options.store.sync_writes = false;
    options.policy_file =
        std::string(DIBAO_SOURCE_DIR) + "/deploy/policy.textproto";
    auto server = Server::Start(options, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    const std::string failed = testing::LoadSampleWithCtl(
        [this](const std::string& principal, std::vector<std::string> args) {
          return Ctl(principal, std::move(args));
        },
        dir_);
    ASSERT_TRUE(failed.empty()) << failed;
    ASSERT_EQ(
        Ctl("night-operator", {"cycle", "run", "--as-of=2026-11-01"}).exit_code,
        0);
  }

  // dibaoctl as principal `who` (empty: with no certificate).
  testing::RunResult Ctl(const std::string& who,
                         std::vector<std::string> args) {
    return testing::Run(
        testing::CtlCommand(server_->address(), who, std::move(args)));
  }

  // Column `col` of the CSV rows of `out` after the header.
  static std::vector<std::string> Column(const std::string& out, int col) {
    std::vector<std::string> values;
    bool header = true;
    for (absl::string_view line : absl::StrSplit(out, '\n')) {
      if (line.empty()) continue;
      if (header) {
        header = false;
        continue;
      }
      std::vector<std::string> cells = absl::StrSplit(line, ',');
      if (static_cast<int>(cells.size()) > col) values.push_back(cells[col]);
    }
    return values;
  }

  SystemClock clock_;
  std::string dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(RecommendationCommandsTest, FromConfirmedFlagsToAnApprovedExit) {
  // Nothing confirmed yet: nothing to recommend, whatever the reassessment.
  auto none = Ctl("cw-1", {"recommendations", "generate"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_THAT(none.out, HasSubstr("0 recommendations made"));
  EXPECT_EQ(Ctl("", {"recommendations", "generate"}).exit_code,
            2);  // no certificate

  // The caseworker confirms every flag of an exit candidate.
  auto candidates = Ctl("cw-1", {"flags", "list", "--format=csv",
                                 "--rule=HOUSEHOLD_INCOME_ABOVE_STANDARD"});
  ASSERT_EQ(candidates.exit_code, 0) << candidates.err;
  const std::string household = Column(candidates.out, 1).at(0);
  auto flags = Ctl("cw-1", {"flags", "list", "--format=csv", "--state=open",
                            "--household=" + household});
  for (const std::string& id : Column(flags.out, 0)) {
    auto decided = Ctl("cw-1", {"review", "decide", id, "--decision=confirm",
                                "--note=工资与社保记录一致"});
    ASSERT_EQ(decided.exit_code, 0) << decided.err;
  }

  auto made = Ctl("cw-1", {"recommendations", "generate"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_THAT(made.out, HasSubstr("1 recommendations made"));
  EXPECT_THAT(made.out, HasSubstr(household));

  auto csv = Ctl("auditor-1", {"recommendations", "list", "--format=csv",
                               "--state=proposed"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, HasSubstr("recommendation,state,kind,household"));
  const std::string id = Column(csv.out, 0).at(0);
  EXPECT_EQ(Column(csv.out, 3).at(0), household);
  const std::string kind = Column(csv.out, 2).at(0);
  EXPECT_TRUE(kind == "EXIT" || kind == "GRADUAL_EXIT") << kind;

  auto shown = Ctl("auditor-1", {"recommendations", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("rests on the confirmed flags"));
  EXPECT_THAT(shown.out, HasSubstr("per capita"));

  // 一评两审: the bureau head decides only what the street reviewed.
  auto early = Ctl("head-1", {"recommendations", "approve", id,
                              "--note=局长办公会审批通过"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_THAT(early.err, HasSubstr("the community evaluates it first"));
  // 评: a community worker passes it on; a street reviewer may not.
  EXPECT_THAT(
      Ctl("supervisor", {"recommendations", "evaluate", id, "--note=评议"}).err,
      HasSubstr("PERMISSION_DENIED"));
  auto evaluated =
      Ctl("cw-2", {"recommendations", "evaluate", id, "--note=居委会评议通过"});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_THAT(evaluated.out, HasSubstr("EVALUATED"));
  EXPECT_THAT(evaluated.out, HasSubstr("community evaluation passed by cw-2"));
  // 三榜: the evaluation's result is on the community's first posting
  // list, masked; nothing is on the street's yet.
  auto first_list =
      Ctl("cw-2", {"report", "posting", "--stage=evaluation", "--format=csv"});
  ASSERT_EQ(first_list.exit_code, 0) << first_list.err;
  EXPECT_THAT(first_list.out,
              HasSubstr("district_code,street,community,head_name,head_id,"
                        "members,kind,current_benefit_fen,new_benefit_fen,"
                        "decided,effective"));
  EXPECT_THAT(first_list.out, HasSubstr(kind));
  EXPECT_THAT(first_list.out, HasSubstr("***********"));
  EXPECT_THAT(first_list.out, Not(HasSubstr(household)));
  EXPECT_EQ(Column(Ctl("cw-2",
                       {"report", "posting", "--stage=review", "--format=csv"})
                       .out,
                   0)
                .size(),
            0u);
  EXPECT_EQ(Ctl("cw-2", {"report", "posting", "--stage=later"}).exit_code, 1);
  // 审: the street reviews it.
  auto reviewed = Ctl("supervisor",
                      {"recommendations", "review", id, "--note=街道审核通过"});
  ASSERT_EQ(reviewed.exit_code, 0) << reviewed.err;
  EXPECT_THAT(reviewed.out, HasSubstr("REVIEWED"));
  // 审: the bureau head approves, with a note; without one it is a usage
  // error.
  EXPECT_EQ(Ctl("head-1", {"recommendations", "approve", id}).exit_code, 2);
  auto approved = Ctl("head-1", {"recommendations", "approve", id,
                                 "--note=局长办公会审批通过"});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_THAT(approved.out, HasSubstr("district approval passed by head-1"));
  EXPECT_THAT(approved.out, HasSubstr("street review passed by supervisor"));
  auto third_list = Ctl("auditor-1", {"report", "posting", "--stage=approval"});
  ASSERT_EQ(third_list.exit_code, 0) << third_list.err;
  EXPECT_THAT(third_list.out, HasSubstr("公示 district approval 420102"));
  auto again =
      Ctl("head-2", {"recommendations", "reject", id, "--note=不同意"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("FAILED_PRECONDITION"));

  if (kind == "EXIT") {
    auto registry = Ctl("auditor-1", {"registry", "get", household});
    EXPECT_THAT(registry.out, HasSubstr("EXITED"));
    auto history = Ctl("auditor-1", {"registry", "history", household});
    EXPECT_THAT(history.out, HasSubstr("recommendation " + id + " approved"));
  }
  auto trail = Ctl("auditor-1", {"audit", "log", "--household=" + household});
  ASSERT_EQ(trail.exit_code, 0) << trail.err;
  EXPECT_THAT(trail.out, HasSubstr("FLAG_DECIDED"));
  EXPECT_THAT(trail.out, HasSubstr("RECOMMENDATION_MADE"));
  EXPECT_THAT(trail.out, HasSubstr("RECOMMENDATION_EVALUATED"));
  EXPECT_THAT(trail.out, HasSubstr("RECOMMENDATION_REVIEWED"));
  EXPECT_THAT(trail.out, HasSubstr("RECOMMENDATION_APPROVED"));
  EXPECT_THAT(trail.out, HasSubstr("head-1"));
  auto verify = Ctl("auditor-1", {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("intact"));
}

TEST_F(RecommendationCommandsTest, RemovedMembersAreMaskedInTheSheet) {
  auto deceased =
      Ctl("cw-1", {"flags", "list", "--format=csv", "--rule=DECEASED_MEMBER"});
  const std::string household = Column(deceased.out, 1).at(0);
  // A list carries IDs masked (the flag itself has them whole).
  const std::string member = Column(deceased.out, 2).at(0);
  EXPECT_EQ(member.substr(6, 8), "********");
  auto flags = Ctl("cw-1", {"flags", "list", "--format=csv", "--state=open",
                            "--household=" + household});
  for (const std::string& id : Column(flags.out, 0)) {
    ASSERT_EQ(Ctl("cw-1", {"review", "decide", id, "--decision=confirm",
                           "--note=死亡证明"})
                  .exit_code,
              0);
  }
  ASSERT_EQ(Ctl("cw-1", {"recommendations", "generate"}).exit_code, 0);
  auto csv = Ctl("auditor-1", {"recommendations", "list", "--format=csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, HasSubstr("REMOVE_MEMBER"));
  EXPECT_THAT(csv.out, HasSubstr(member));
  // No whole ID anywhere in the sheet.
  EXPECT_FALSE(std::regex_search(csv.out, std::regex("[0-9]{17}[0-9X]")))
      << csv.out;
  auto bad = Ctl("auditor-1", {"recommendations", "list", "--state=maybe"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("PROPOSED"));
}

}  // namespace
}  // namespace dibao
