#include "console/users/users_file.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

v1::ConsoleUser User(const std::string& id, const std::string& password) {
  v1::ConsoleUser u;
  u.set_id(id);
  u.set_name("王丽");
  u.set_password_hash(*HashPassword(password));
  return u;
}

TEST(HashPasswordTest, SaltedArgon2idThatVerifiesOnlyTheRightPassword) {
  auto a = HashPassword("correct horse battery");
  auto b = HashPassword("correct horse battery");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(*a, StartsWith("$argon2id$"));
  EXPECT_THAT(*a, Not(HasSubstr("correct horse")));
  EXPECT_NE(*a, *b) << "each hash has its own salt";
  EXPECT_TRUE(PasswordMatches(*a, "correct horse battery"));
  EXPECT_TRUE(PasswordMatches(*b, "correct horse battery"));
  EXPECT_FALSE(PasswordMatches(*a, "correct horse batterY"));
  EXPECT_FALSE(PasswordMatches(*a, ""));
  EXPECT_FALSE(PasswordMatches("not a hash", "correct horse battery"));
}

TEST(HashPasswordTest, ShortPasswordsAreRefused) {
  auto short_one = HashPassword("123456789");
  EXPECT_EQ(short_one.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(short_one.status().message(), HasSubstr("at least 10"));
}

TEST(ConsoleUsersTest, SignInGivesTheUserOnlyForTheRightPassword) {
  v1::ConsoleUsers list;
  *list.add_user() = User("wang.li", "morning-queue-42");
  v1::ConsoleUser off = User("zhao.gang", "retired-account-1");
  off.set_disabled(true);
  *list.add_user() = off;
  auto users = ConsoleUsers::FromProto(list);
  ASSERT_TRUE(users.ok()) << users.status();
  EXPECT_EQ(users->size(), 2);

  auto ok = users->SignIn("wang.li", "morning-queue-42");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->id(), "wang.li");
  EXPECT_EQ(ok->name(), "王丽");

  // Wrong password, unknown user and disabled user: one answer for all, so
  // the reply does not tell which IDs exist.
  auto wrong = users->SignIn("wang.li", "morning-queue-43");
  auto unknown = users->SignIn("nobody", "morning-queue-42");
  auto disabled = users->SignIn("zhao.gang", "retired-account-1");
  for (const auto* r : {&wrong, &unknown, &disabled}) {
    EXPECT_EQ(r->status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(r->status().message(), "wrong user ID or password");
  }
}

TEST(ConsoleUsersTest, BadListsAreRefusedNamingTheUser) {
  v1::ConsoleUsers dup;
  *dup.add_user() = User("wang.li", "morning-queue-42");
  *dup.add_user() = User("wang.li", "another-password");
  auto d = ConsoleUsers::FromProto(dup);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(),
              HasSubstr("user[1] (wang.li): the same id as user[0]"));

  v1::ConsoleUsers plain;
  v1::ConsoleUser* u = plain.add_user();
  u->set_id("li.na");
  u->set_password_hash("hunter2hunter2");  // a password, not a hash
  auto p = ConsoleUsers::FromProto(plain);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(),
              HasSubstr("user[0] (li.na): password_hash is not an Argon2id"));

  v1::ConsoleUsers bad_id;
  *bad_id.add_user() = User("li na", "morning-queue-42");
  auto b = ConsoleUsers::FromProto(bad_id);
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(b.status().message(), HasSubstr("' ' is not allowed"));
}

TEST(ConsoleUsersTest, LoadsATextFileAndNamesTheLineOfASyntaxError) {
  const std::string dir = testing::NewTempDir("console-users");
  const std::string good = dir + "/users.textproto";
  testing::WriteFile(
      good, absl::StrCat("user {\n  id: \"wang.li\"\n  name: \"王丽\"\n"
                         "  password_hash: \"",
                         *HashPassword("morning-queue-42"), "\"\n}\n"));
  auto users = ConsoleUsers::Load(good);
  ASSERT_TRUE(users.ok()) << users.status();
  EXPECT_TRUE(users->SignIn("wang.li", "morning-queue-42").ok());

  const std::string bad = dir + "/bad.textproto";
  testing::WriteFile(bad, "user {\n  id: \"wang.li\"\n  pasword: \"x\"\n}\n");
  auto loaded = ConsoleUsers::Load(bad);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(loaded.status().message(), HasSubstr("bad.textproto:3"));

  auto missing = ConsoleUsers::Load(dir + "/none.textproto");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace dibao
