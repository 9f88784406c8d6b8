#include "formats/cells.h"

#include "dibao/v1/registry.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

TEST(CellsTest, EnumsByShortOrFullNameInAnyCase) {
  const auto* d = v1::HouseholdStatus_descriptor();
  EXPECT_EQ(*ParseEnumCell("active", d), v1::HOUSEHOLD_STATUS_ACTIVE);
  EXPECT_EQ(*ParseEnumCell("EXITED", d), v1::HOUSEHOLD_STATUS_EXITED);
  EXPECT_EQ(*ParseEnumCell("household_status_suspended", d),
            v1::HOUSEHOLD_STATUS_SUSPENDED);
  EXPECT_EQ(ParseEnumCell("UNSPECIFIED", d).status().message(),
            "unknown value 'UNSPECIFIED' (expected one of ACTIVE, SUSPENDED, "
            "EXITED)");
  EXPECT_EQ(ParseEnumCell("", d).status().message(), "is required");
  EXPECT_EQ(EnumShortName(v1::ReportedStatus_descriptor(),
                          v1::REPORTED_STATUS_LAID_OFF),
            "LAID_OFF");
}

TEST(CellsTest, Money) {
  EXPECT_EQ(*ParseFenCell("20500"), 20500);
  EXPECT_THAT(ParseFenCell("205.00").status().message(),
              HasSubstr("not a whole number of fen (1 yuan = 100 fen)"));
  EXPECT_THAT(ParseFenCell("-1").status().message(), HasSubstr("negative"));
  EXPECT_THAT(ParseFenCell("99999999999999999999").status().message(),
              HasSubstr("not a whole number"));
}

TEST(CellsTest, DatesMonthsBooleansSexDecimals) {
  EXPECT_EQ(ParseDateCell("2024-02-29", true)->day(), 29);
  EXPECT_FALSE(ParseDateCell("", true).ok());
  EXPECT_EQ(ParseDateCell("", false)->year(), 0);
  EXPECT_EQ(ParseMonthCell("2025-07", true)->month(), 7);
  EXPECT_THAT(ParseMonthCell("2025-13", true).status().message(),
              HasSubstr("not a calendar month"));
  EXPECT_THAT(ParseMonthCell("2025-7", true).status().message(),
              HasSubstr("YYYY-MM"));
  EXPECT_EQ(FormatMonth(*ParseMonthCell("2025-07", true)), "2025-07");
  EXPECT_TRUE(*ParseBoolCell("TRUE"));
  EXPECT_FALSE(*ParseBoolCell(""));
  EXPECT_FALSE(ParseBoolCell("maybe").ok());
  EXPECT_EQ(*ParseSexCell("f"), v1::SEX_FEMALE);
  EXPECT_EQ(*ParseSexCell("男"), v1::SEX_MALE);
  EXPECT_FALSE(ParseSexCell("X").ok());
  EXPECT_DOUBLE_EQ(*ParseDecimalCell("85.5"), 85.5);
  EXPECT_FALSE(ParseDecimalCell("nan").ok());
  EXPECT_FALSE(ParseDecimalCell("-3").ok());
}

}  // namespace
}  // namespace dibao
