#include "console/sessions.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

// Two clients' addresses.
constexpr char kHere[] = "10.0.0.1";
constexpr char kThere[] = "10.0.0.2";

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

TEST_F(ConsoleSessionsTest,
       FiveWrongPasswordsLockTheIdAtThatAddressForFifteenMinutes) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(sessions_.BeginSignIn("wang.li", kHere).ok()) << i;
    sessions_.EndSignIn("wang.li", kHere, false);
  }
  absl::Status locked = sessions_.BeginSignIn("wang.li", kHere);
  EXPECT_EQ(locked.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(locked.message(), HasSubstr("try again in 15 minutes"));
  ASSERT_TRUE(sessions_.BeginSignIn("li.na", kHere).ok());
  sessions_.EndSignIn("li.na", kHere, true);

  clock_.Advance(absl::Minutes(14));
  EXPECT_THAT(sessions_.BeginSignIn("wang.li", kHere).message(),
              HasSubstr("1 minute"));
  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(sessions_.BeginSignIn("wang.li", kHere).ok());
  sessions_.EndSignIn("wang.li", kHere, true);

  // A success clears the count.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(sessions_.BeginSignIn("li.na", kHere).ok());
    sessions_.EndSignIn("li.na", kHere, false);
  }
  ASSERT_TRUE(sessions_.BeginSignIn("li.na", kHere).ok());
  sessions_.EndSignIn("li.na", kHere, true);
  ASSERT_TRUE(sessions_.BeginSignIn("li.na", kHere).ok());
  sessions_.EndSignIn("li.na", kHere, false);
  EXPECT_TRUE(sessions_.BeginSignIn("li.na", kHere).ok());
}

TEST_F(ConsoleSessionsTest, GuessesInParallelFromOneAddressWaitTheirTurn) {
  // One attempt per address is checked at a time: parallel guesses get no
  // more tries, and hold no more than one of the server's hashing slots.
  ASSERT_TRUE(sessions_.BeginSignIn("wang.li", kHere).ok());
  absl::Status second = sessions_.BeginSignIn("li.na", kHere);
  EXPECT_EQ(second.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(second.message(), HasSubstr("still being checked"));
  EXPECT_TRUE(sessions_.BeginSignIn("li.na", kThere).ok());
  sessions_.EndSignIn("li.na", kThere, true);
  sessions_.EndSignIn("wang.li", kHere, false);
  ASSERT_TRUE(sessions_.BeginSignIn("wang.li", kHere).ok());
  // Abandoned (the server was busy): neither a failure nor a success.
  sessions_.AbandonSignIn("wang.li", kHere);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(sessions_.BeginSignIn("wang.li", kHere).ok()) << i;
    sessions_.EndSignIn("wang.li", kHere, false);
  }
  // 1 + 4 failures: the fifth locks.
  EXPECT_EQ(sessions_.BeginSignIn("wang.li", kHere).code(),
            absl::StatusCode::kResourceExhausted);
}

// Someone guessing a caseworker's password from one address does not lock
// the caseworker out at hers: the right password goes through there.
TEST_F(ConsoleSessionsTest, ALockoutIsTheGuessersNotTheUsers) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(sessions_.BeginSignIn("wang.li", kHere).ok()) << i;
    sessions_.EndSignIn("wang.li", kHere, false);
  }
  EXPECT_THAT(sessions_.BeginSignIn("wang.li", kHere).message(),
              HasSubstr("from this address"));
  ASSERT_TRUE(sessions_.BeginSignIn("wang.li", kThere).ok());
  sessions_.EndSignIn("wang.li", kThere, true);
  // Her success elsewhere does not lift the guesser's lockout.
  EXPECT_EQ(sessions_.BeginSignIn("wang.li", kHere).code(),
            absl::StatusCode::kResourceExhausted);
}

// A flood from one address is stopped by address before any password is
// hashed, whatever IDs it tries; others sign in as usual.
TEST_F(ConsoleSessionsTest, OneAddressGetsABurstThenTenAMinute) {
  for (int i = 0; i < 10; ++i) {
    const std::string id = absl::StrCat("random-", i);
    ASSERT_TRUE(sessions_.BeginSignIn(id, kHere).ok()) << i;
    sessions_.EndSignIn(id, kHere, false);
  }
  absl::Status flood = sessions_.BeginSignIn("random-10", kHere);
  EXPECT_EQ(flood.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(flood.message(),
              HasSubstr("too many sign-ins from 10.0.0.1: try again in 6 "
                        "seconds"));
  ASSERT_TRUE(sessions_.BeginSignIn("wang.li", kThere).ok());
  sessions_.EndSignIn("wang.li", kThere, true);
  clock_.Advance(absl::Seconds(6));
  EXPECT_TRUE(sessions_.BeginSignIn("random-11", kHere).ok());
  EXPECT_EQ(sessions_.BeginSignIn("random-12", kHere).code(),
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
