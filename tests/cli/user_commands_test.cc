// dibaoctl user add|list: the console's user file, written as an operator
// writes it, with the password on standard input.
#include <sys/stat.h>

#include <string>

#include "console/users/users_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// dibaoctl ARGS with `password` on standard input.
testing::RunResult CtlWithInput(const std::string& input,
                                const std::string& args) {
  return testing::Run(
      {"/bin/sh", "-c", "printf '%s\\n' \"$PW\" | \"$CTL\" " + args},
      {"PW=" + input, "CTL=" + testing::BinaryPath("cli/dibaoctl")});
}

TEST(UserCommandsTest, AddListAndChangeAPassword) {
  const std::string users = testing::NewTempDir("user-cmd") + "/users.txt";
  auto add = CtlWithInput("morning-queue-42", "user add --users=" + users +
                                                  " --id=wang.li --name=王丽");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_THAT(add.out, HasSubstr("added wang.li"));
  const std::string text = testing::ReadFile(users);
  EXPECT_THAT(text, HasSubstr("$argon2id$"));
  EXPECT_THAT(text, Not(HasSubstr("morning-queue-42")));
  struct stat st;
  ASSERT_EQ(stat(users.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "only its owner may read the hashes";

  auto loaded = ConsoleUsers::Load(users);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(loaded->SignIn("wang.li", "morning-queue-42").ok());

  auto second = CtlWithInput("another-one-77",
                             "user add --users=" + users + " --id=li.na");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto change = CtlWithInput("a-new-password-9",
                             "user add --users=" + users + " --id=wang.li");
  ASSERT_EQ(change.exit_code, 0) << change.err;
  EXPECT_THAT(change.out, HasSubstr("updated wang.li"));
  loaded = ConsoleUsers::Load(users);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_FALSE(loaded->SignIn("wang.li", "morning-queue-42").ok());
  EXPECT_TRUE(loaded->SignIn("wang.li", "a-new-password-9").ok());
  EXPECT_TRUE(loaded->SignIn("li.na", "another-one-77").ok());

  auto list = testing::Run({testing::BinaryPath("cli/dibaoctl"), "user", "list",
                            "--users=" + users});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("wang.li"));
  EXPECT_THAT(list.out, HasSubstr("王丽"));
  EXPECT_THAT(list.out, HasSubstr("li.na"));
  EXPECT_THAT(list.out, Not(HasSubstr("argon2")));
}

TEST(UserCommandsTest, BadInputIsRefusedAndTheFileKept) {
  const std::string users = testing::NewTempDir("user-cmd") + "/users.txt";
  auto short_pw =
      CtlWithInput("short", "user add --users=" + users + " --id=wang.li");
  EXPECT_EQ(short_pw.exit_code, 1);
  EXPECT_THAT(short_pw.err, HasSubstr("at least 10"));
  auto bad_id = CtlWithInput("morning-queue-42",
                             "user add --users=" + users + " --id='wang li'");
  EXPECT_EQ(bad_id.exit_code, 1);
  EXPECT_THAT(bad_id.err, HasSubstr("not allowed"));
  auto usage = CtlWithInput("morning-queue-42", "user add --id=wang.li");
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("--users FILE"));
}

}  // namespace
}  // namespace dibao
