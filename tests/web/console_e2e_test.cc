// The web console end to end: a real server with the sample district after
// its first cycle and the console on a free port, driven by headless
// Chromium (tests/web/console_e2e.py: Debian's chromium through chromedriver
// and python3-selenium). The browser signs in, dismisses the
// top flag with a reason and reads the decision back from the case history;
// this test then finds the same decision, by the same caseworker, in the
// audit trail through dibaoctl, and the chain still verifies. Screenshots
// are kept in <build>/test-artifacts/console/.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_server.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

TEST(ConsoleEndToEndTest, SignInDismissTheTopFlagAndFindItInTheAudit) {
  testing::SampleServerOptions options;
  options.name = "console-e2e";
  options.run_cycle = true;
  options.console_users = {"wang.li"};
  auto sample = testing::SampleServer::Start(options);
  ASSERT_TRUE(sample.ok()) << sample.status();
  testing::SampleServer& s = **sample;

  const std::string out = testing::BinaryPath("test-artifacts/console");
  auto browser = testing::Run(
      {DIBAO_SYSTEM_PYTHON,
       std::string(DIBAO_SOURCE_DIR) + "/tests/web/console_e2e.py",
       "--url=" + s.server().console_url(), "--user=wang.li",
       std::string("--password=") + testing::kConsolePassword, "--out=" + out});
  std::cout << browser.out << browser.err;
  ASSERT_EQ(browser.exit_code, 0) << browser.err;

  // "decided F0000123 420102-0103"
  std::string flag, household;
  for (absl::string_view line : absl::StrSplit(browser.out, '\n')) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    if (words.size() == 3 && words[0] == "decided") {
      flag = words[1];
      household = words[2];
    }
  }
  ASSERT_FALSE(flag.empty()) << browser.out;

  auto log = s.Ctl({"audit", "log", "--household=" + household});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr("wang.li"));
  EXPECT_THAT(log.out, HasSubstr(flag));
  EXPECT_THAT(log.out, HasSubstr("PARTNER_DATA_WRONG"));
  // Each read of the case is on the chain, with the console's purpose.
  EXPECT_THAT(log.out, HasSubstr("PERSONAL_DATA_READ"));
  EXPECT_THAT(log.out, HasSubstr("ReviewService.GetCase " + flag));
  EXPECT_THAT(log.out, HasSubstr("web console"));
  auto verify = s.Ctl({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace dibao
