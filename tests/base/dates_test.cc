#include "base/dates.h"

#include "gtest/gtest.h"

namespace dibao {
namespace {

TEST(DatesTest, ParsesStrictDates) {
  auto d = ParseDate("2024-02-29");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(FormatDate(*d), "2024-02-29");
  EXPECT_EQ(ParseDate("2023-02-29").status().message(),
            "'2023-02-29' is not a calendar date");
  EXPECT_EQ(ParseDate("2023-2-1").status().message(),
            "'2023-2-1' is not a date in YYYY-MM-DD form");
  EXPECT_FALSE(ParseDate("2023-13-01").ok());
  EXPECT_FALSE(ParseDate("").ok());
}

TEST(DatesTest, ProtoRoundTrip) {
  const absl::CivilDay day(1990, 3, 7);
  auto back = FromProto(ToProto(day));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, day);
  v1::Date bad;
  bad.set_year(2023);
  bad.set_month(4);
  bad.set_day(31);
  EXPECT_EQ(FromProto(bad).status().message(),
            "2023-04-31 is not a calendar date");
  EXPECT_FALSE(IsSet(v1::Date()));
  EXPECT_EQ(FormatDate(v1::Date()), "");
}

TEST(DatesTest, TimestampRoundTrip) {
  const absl::Time t = absl::FromUnixMicros(1764130000123456);
  EXPECT_EQ(FromProto(ToProto(t)), t);
}

TEST(DatesTest, AgeOnCountsWholeYears) {
  const absl::CivilDay born(1990, 3, 7);
  EXPECT_EQ(AgeOn(born, absl::CivilDay(2026, 3, 6)), 35);
  EXPECT_EQ(AgeOn(born, absl::CivilDay(2026, 3, 7)), 36);
  EXPECT_EQ(AgeOn(absl::CivilDay(2004, 2, 29), absl::CivilDay(2026, 2, 28)),
            21);
  EXPECT_EQ(AgeOn(absl::CivilDay(2004, 2, 29), absl::CivilDay(2026, 3, 1)), 22);
}

}  // namespace
}  // namespace dibao
