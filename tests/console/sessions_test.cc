#include "console/sessions.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

v1::ConsoleUser User(const std::string& id) {
  v1::ConsoleUser u;
  u.set_id(id);
  u.set_name("王丽");
  return u;
}

class ConsoleSessionsTest : public ::testing::Test {
 protected:
  FakeClock clock_{absl::FromUnixSeconds(1'795'000'000)};
  ConsoleSessions sessions_{&clock_, ConsoleSessionOptions()};
};

TEST_F(ConsoleSessionsTest, ATokenFindsItsSessionWithItsOwnCsrfToken) {
  const std::string a = sessions_.Start(User("wang.li"));
  const std::string b = sessions_.Start(User("li.na"));
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  auto sa = sessions_.Find(a);
  auto sb = sessions_.Find(b);
  ASSERT_TRUE(sa && sb);
  EXPECT_EQ(sa->user_id, "wang.li");
  EXPECT_EQ(sa->user_name, "王丽");
  EXPECT_EQ(sb->user_id, "li.na");
  EXPECT_EQ(sa->csrf_token.size(), 64u);
  EXPECT_NE(sa->csrf_token, sb->csrf_token);
  EXPECT_NE(sa->csrf_token, a);
  EXPECT_FALSE(sessions_.Find("").has_value());
  EXPECT_FALSE(sessions_.Find(std::string(64, '0')).has_value());
}

TEST_F(ConsoleSessionsTest, SessionsEndWhenIdleWhenTooOldAndOnSignOut) {
  const std::string token = sessions_.Start(User("wang.li"));
  // Used every 29 minutes it lives on, but not past 12 hours.
  for (int i = 0; i < 24; ++i) {
    clock_.Advance(absl::Minutes(29));
    ASSERT_TRUE(sessions_.Find(token).has_value()) << i;
  }
  clock_.Advance(absl::Minutes(29));  // 12 h 5 min after sign-in
  EXPECT_FALSE(sessions_.Find(token).has_value());

  const std::string idle = sessions_.Start(User("wang.li"));
  clock_.Advance(absl::Minutes(31));
  EXPECT_FALSE(sessions_.Find(idle).has_value());

  const std::string out = sessions_.Start(User("wang.li"));
  sessions_.End(out);
  EXPECT_FALSE(sessions_.Find(out).has_value());
}

TEST_F(ConsoleSessionsTest, FiveWrongPasswordsLockTheIdForFifteenMinutes) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(sessions_.BeginSignIn("wang.li").ok()) << i;
    sessions_.EndSignIn("wang.li", false);
  }
  absl::Status locked = sessions_.BeginSignIn("wang.li");
  EXPECT_EQ(locked.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(locked.message(), HasSubstr("try again in 15 minutes"));
  ASSERT_TRUE(sessions_.BeginSignIn("li.na").ok());
  sessions_.EndSignIn("li.na", true);

  clock_.Advance(absl::Minutes(14));
  EXPECT_THAT(sessions_.BeginSignIn("wang.li").message(),
              HasSubstr("1 minute"));
  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(sessions_.BeginSignIn("wang.li").ok());
  sessions_.EndSignIn("wang.li", true);

  // A success clears the count.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(sessions_.BeginSignIn("li.na").ok());
    sessions_.EndSignIn("li.na", false);
  }
  ASSERT_TRUE(sessions_.BeginSignIn("li.na").ok());
  sessions_.EndSignIn("li.na", true);
  ASSERT_TRUE(sessions_.BeginSignIn("li.na").ok());
  sessions_.EndSignIn("li.na", false);
  EXPECT_TRUE(sessions_.BeginSignIn("li.na").ok());
}

TEST_F(ConsoleSessionsTest, GuessesInParallelGetNoMoreTries) {
  // Five attempts still being checked: the sixth is refused at once.
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(sessions_.BeginSignIn("wang.li").ok()) << i;
  }
  EXPECT_EQ(sessions_.BeginSignIn("wang.li").code(),
            absl::StatusCode::kResourceExhausted);
  for (int i = 0; i < 5; ++i) sessions_.EndSignIn("wang.li", false);
  EXPECT_EQ(sessions_.BeginSignIn("wang.li").code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(TokensEqualTest, ComparesWholeTokens) {
  EXPECT_TRUE(TokensEqual("abc123", "abc123"));
  EXPECT_FALSE(TokensEqual("abc123", "abc124"));
  EXPECT_FALSE(TokensEqual("abc123", "abc12"));
  EXPECT_FALSE(TokensEqual("", ""));
}

}  // namespace
}  // namespace dibao
