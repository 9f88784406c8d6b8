// dibaoctl report ... and sample ... against a real server loaded with the
// sample district and its agencies' files, as a bureau officer would use
// them.
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_server.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ReportCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::SampleServerOptions options;
    options.name = "dibaoctl-reports";
    options.principal = "inspector-1";
    auto sample = testing::SampleServer::Start(options);
    ASSERT_TRUE(sample.ok()) << sample.status();
    sample_ = sample->release();
  }
  static void TearDownTestSuite() { delete sample_; }

  static testing::RunResult Ctl(std::vector<std::string> args) {
    return sample_->Ctl(std::move(args));
  }

  static testing::SampleServer* sample_;
};

testing::SampleServer* ReportCommandsTest::sample_ = nullptr;

TEST_F(ReportCommandsTest, StatsPrintsTheReportsTables) {
  auto table = Ctl({"report", "stats", "--as-of=2026-11-01"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("465 households, 1013 persons"));
  EXPECT_THAT(table.out, HasSubstr("Table 1: persons by reported identity"));
  EXPECT_THAT(table.out, HasSubstr("EMPLOYED       55       5.43"));
  EXPECT_THAT(table.out, HasSubstr("OTHER          546      53.90"));
  EXPECT_THAT(table.out, HasSubstr("under 18           127   128     255    "
                                   "25.17"));
  EXPECT_THAT(table.out, HasSubstr("working age        284   302     586    "
                                   "57.85"));
  EXPECT_THAT(table.out, HasSubstr("above working age  82    90      172    "
                                   "16.98"));
  EXPECT_THAT(table.out, HasSubstr("Disabled: 69 (6.81%): 46 male, 23 female"));

  auto csv = Ctl({"report", "stats", "--as-of=2026-11-01", "--format=csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, StartsWith("table,row,male,female,persons,percent\n"
                                  "summary,households,,,465,\n"));
  EXPECT_THAT(csv.out, HasSubstr("table1,STUDENT,,,223,22.01\n"));
  EXPECT_THAT(csv.out, HasSubstr("table2,working age,284,302,586,57.85\n"));
  EXPECT_THAT(csv.out, HasSubstr("disabled,disabled,46,23,69,6.81\n"));

  auto bad = Ctl({"report", "stats", "--street=东风街道"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT"));
  auto bad_day = Ctl({"report", "stats", "--as-of=2026-02-30"});
  EXPECT_EQ(bad_day.exit_code, 1);
}

TEST_F(ReportCommandsTest, PostingListIsMasked) {
  auto csv = Ctl({"report", "posting", "--format=csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const std::vector<std::string> lines =
      absl::StrSplit(csv.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 466u);
  EXPECT_EQ(lines[0],
            "district_code,street,community,head_name,head_id,members,"
            "monthly_benefit_fen");
  const std::vector<std::string> cells = absl::StrSplit(lines[1], ',');
  ASSERT_EQ(cells.size(), 7u);
  EXPECT_EQ(cells[4].size(), 18u);
  EXPECT_EQ(cells[4].substr(6, 11), "***********");
  EXPECT_THAT(cells[3], HasSubstr("*"));

  auto table = Ctl({"report", "posting", "--district=420102",
                    "--street=" + cells[1], "--community=" + cells[2]});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out,
              StartsWith("公示 420102 " + cells[1] + " " + cells[2]));
  EXPECT_THAT(table.out, HasSubstr(cells[4]));
}

TEST_F(ReportCommandsTest, SampleDrawIsReproducibleAndStored) {
  auto first = Ctl({"spot-check", "draw", "--fraction=0.1", "--seed=42",
                    "--stratify=street", "--format=csv"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out,
              StartsWith("sample,stratum,household_id,street,community\n"));
  auto second = Ctl({"spot-check", "draw", "--fraction", "0.1", "--seed", "42",
                     "--stratify", "street", "--format=csv"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  // The same households; only the sample number differs.
  auto households = [](const std::string& csv) {
    std::vector<std::string> out;
    for (absl::string_view line :
         absl::StrSplit(csv, '\n', absl::SkipEmpty())) {
      out.emplace_back(line.substr(line.find(',')));
    }
    return out;
  };
  EXPECT_EQ(households(first.out), households(second.out));
  EXPECT_EQ(households(first.out).size(), 48u);  // header + 47
  auto other = Ctl({"spot-check", "draw", "--fraction=0.1", "--seed=43",
                    "--stratify=street", "--format=csv"});
  ASSERT_EQ(other.exit_code, 0);
  EXPECT_NE(households(first.out), households(other.out));

  auto list = Ctl({"spot-check", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("inspector-1"));
  auto show = Ctl({"spot-check", "show", "1"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("spot-check sample 1: 47 of 465 ACTIVE "
                                  "households"));
  EXPECT_THAT(show.out, HasSubstr("seed 42, stratified by street"));
  EXPECT_THAT(show.out, HasSubstr("drawn by inspector-1"));

  auto bad = Ctl({"spot-check", "draw", "--fraction=1.5", "--seed=1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT"));
  auto no_seed = Ctl({"spot-check", "draw", "--fraction=0.1"});
  EXPECT_EQ(no_seed.exit_code, 2);
  auto bad_stratify = Ctl(
      {"spot-check", "draw", "--fraction=0.1", "--seed=1", "--stratify=town"});
  EXPECT_EQ(bad_stratify.exit_code, 1);
  auto missing = Ctl({"spot-check", "show", "99"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));
}

TEST_F(ReportCommandsTest, ForecastAndCliff) {
  auto forecast = Ctl({"report", "forecast", "--district=420102",
                       "--as-of=2026-11-01", "--people"});
  ASSERT_EQ(forecast.exit_code, 0) << forecast.err;
  EXPECT_THAT(forecast.out, HasSubstr("intake-pressure forecast as of "
                                      "2026-11-01, district 420102"));
  EXPECT_THAT(forecast.out, HasSubstr("(unknown street)"));
  EXPECT_THAT(forecast.out, HasSubstr("released_from_custody"));
  auto csv = Ctl({"report", "forecast", "--as-of=2026-11-01", "--format=csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, StartsWith("street,benefit_ends_1m,benefit_ends_3m,"
                                  "benefit_ends_6m,released_from_custody,"
                                  "recently_converted\n"));
  EXPECT_THAT(csv.out, HasSubstr("\ntotal,"));

  auto cliff = Ctl({"report", "cliff", "--household=420102-0002", "--wage=300",
                    "--as-of=2026-11-01"});
  ASSERT_EQ(cliff.exit_code, 0) << cliff.err;
  EXPECT_THAT(cliff.out, HasSubstr("benefit cliff for household 420102-0002"));
  EXPECT_THAT(cliff.out, HasSubstr("member taking the job:"));
  EXPECT_THAT(cliff.out, HasSubstr("with the job, gradual exit"));
  EXPECT_THAT(cliff.out, HasSubstr("gradual exit (3 months):"));
  auto cliff_csv = Ctl({"report", "cliff", "--household=420102-0002",
                        "--wage=300.5", "--as-of=2026-11-01", "--format=csv"});
  ASSERT_EQ(cliff_csv.exit_code, 0) << cliff_csv.err;
  EXPECT_THAT(cliff_csv.out,
              StartsWith("situation,month,benefit,wage,household_income,"
                         "net_gain\nwithout the job,,"));
  EXPECT_THAT(cliff_csv.out, HasSubstr(",30050,"));

  auto unknown = Ctl({"report", "cliff", "--household=NOPE", "--wage=300"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
  auto bad_wage =
      Ctl({"report", "cliff", "--household=420102-0002", "--wage=3e2"});
  EXPECT_EQ(bad_wage.exit_code, 1);
  EXPECT_THAT(bad_wage.err, HasSubstr("--wage"));
  auto zero = Ctl({"report", "cliff", "--household=420102-0002", "--wage=0"});
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_THAT(zero.err, HasSubstr("INVALID_ARGUMENT"));
  auto usage = Ctl({"report", "cliff", "--household=420102-0002"});
  EXPECT_EQ(usage.exit_code, 2);
  auto help = Ctl({"report", "nope"});
  EXPECT_EQ(help.exit_code, 2);
  EXPECT_THAT(help.err, HasSubstr("unknown command 'report nope'"));
  EXPECT_THAT(help.err, HasSubstr("cliff"));
}

}  // namespace
}  // namespace dibao
