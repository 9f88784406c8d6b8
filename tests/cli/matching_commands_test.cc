// dibaoctl cycle, flags, assessment and check against a real server loaded
// with the sample district and its agencies' files, as an operator and a
// caseworker would use them.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_server.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class MatchingCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::SampleServerOptions options;
    options.name = "dibaoctl-matching";
    auto sample = testing::SampleServer::Start(options);
    ASSERT_TRUE(sample.ok()) << sample.status();
    sample_ = sample->release();
  }
  static void TearDownTestSuite() { delete sample_; }

  // As a district approver (flags, assessments, intake checks).
  static testing::RunResult Ctl(std::vector<std::string> args) {
    return sample_->Ctl(std::move(args));
  }
  // As the operator, who runs cycles.
  static testing::RunResult Operator(std::vector<std::string> args) {
    return sample_->CtlAs("night-operator", std::move(args));
  }

  static testing::SampleServer* sample_;
};

testing::SampleServer* MatchingCommandsTest::sample_ = nullptr;

TEST_F(MatchingCommandsTest, CycleFlagsShowAssessmentAndCheck) {
  auto run = Operator({"cycle", "run", "--as-of=2026-11-01"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("cycle 1 as of 2026-11-01 (full: the first "
                                 "cycle assesses every household)"));
  EXPECT_THAT(run.out, HasSubstr("465 households assessed"));
  EXPECT_THAT(run.out, HasSubstr("UNDECLARED_EMPLOYMENT"));

  // A second night with nothing new assesses nobody.
  auto again = Operator({"cycle", "run", "--as-of", "2026-11-02"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("0 households assessed"));

  auto csv = Ctl({"flags", "list", "--format=csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out,
              StartsWith("flag_id,household_id,id_number,rule,state,severity,"
                         "est_monthly_overpayment_fen,first_seen,last_seen,"
                         "summary\n"));
  EXPECT_THAT(csv.out, HasSubstr("HOUSEHOLD_INCOME_ABOVE_STANDARD"));

  auto vehicles = Ctl({"flags", "list", "--rule=vehicle_owned", "--state=open",
                       "--format=csv"});
  ASSERT_EQ(vehicles.exit_code, 0) << vehicles.err;
  const std::vector<std::string> lines =
      absl::StrSplit(vehicles.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << vehicles.out;
  const std::vector<std::string> cells = absl::StrSplit(lines[1], ',');
  EXPECT_EQ(cells[3], "VEHICLE_OWNED");
  EXPECT_EQ(cells[4], "OPEN");
  EXPECT_EQ(cells[5], "HIGH");

  auto show = Ctl({"flags", "show", cells[0]});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("partner facts:"));
  EXPECT_THAT(show.out, HasSubstr("PUBLIC_SECURITY-VEHICLE-20261101"));
  EXPECT_THAT(show.out, HasSubstr("estimated monthly overpayment"));

  auto assessment = Ctl({"assessment", "show", cells[1]});
  ASSERT_EQ(assessment.exit_code, 0) << assessment.err;
  EXPECT_THAT(assessment.out, HasSubstr("standard for district 420102"));
  EXPECT_THAT(assessment.out, HasSubstr("the asset test fails"));

  auto unknown = Ctl({"flags", "list", "--rule=NOPE"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("is not one of"));
  auto bad_state = Ctl({"flags", "list", "--state=maybe"});
  EXPECT_EQ(bad_state.exit_code, 1);

  auto cycles = Ctl({"cycle", "list", "--format=csv"});
  ASSERT_EQ(cycles.exit_code, 0);
  EXPECT_THAT(cycles.out, HasSubstr("2,2026-11-02,no,"));

  // An applicant household: the vehicle owner's household applying again
  // under another ID.
  std::ifstream hin(sample_->dir() + "/sample/households.csv");
  std::ifstream min(sample_->dir() + "/sample/members.csv");
  std::string header, line, households = "", members = "";
  std::getline(hin, header);
  households = header + "\n";
  while (std::getline(hin, line)) {
    if (absl::StartsWith(line, cells[1] + ",")) {
      households += "A-1" + line.substr(cells[1].size()) + "\n";
    }
  }
  std::getline(min, header);
  members = header + "\n";
  while (std::getline(min, line)) {
    if (absl::StartsWith(line, cells[1] + ",")) {
      members += "A-1" + line.substr(cells[1].size()) + "\n";
    }
  }
  testing::WriteFile(sample_->dir() + "/applicant.csv", households);
  testing::WriteFile(sample_->dir() + "/applicant-members.csv", members);
  auto check =
      Ctl({"check", "--households=" + sample_->dir() + "/applicant.csv",
           "--members=" + sample_->dir() + "/applicant-members.csv",
           "--as-of=2026-11-01"});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("household A-1"));
  EXPECT_THAT(check.out, HasSubstr("NOT ELIGIBLE"));
  EXPECT_THAT(check.out, HasSubstr("VEHICLE_OWNED"));
  EXPECT_THAT(check.out,
              HasSubstr(absl::StrCat("already belongs to ACTIVE household ",
                                     cells[1])));
}

TEST_F(MatchingCommandsTest, UsageErrors) {
  EXPECT_EQ(Operator({"cycle", "run"}).exit_code, 2);
  EXPECT_EQ(Operator({"cycle", "run", "--as-of=2026-02-30"}).exit_code, 1);
  EXPECT_EQ(Ctl({"flags", "show"}).exit_code, 2);
  EXPECT_EQ(Ctl({"check", "--households=x.csv"}).exit_code, 2);
  auto missing = Ctl({"check", "--households=/nonexistent.csv",
                      "--members=/nonexistent-m.csv"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot read"));
}

}  // namespace
}  // namespace dibao
