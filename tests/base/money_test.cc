#include "base/money.h"

#include <limits>

#include "gtest/gtest.h"

namespace dibao {
namespace {

TEST(MoneyTest, FormatsFenAsYuan) {
  EXPECT_EQ(FormatYuan(0), "0.00");
  EXPECT_EQ(FormatYuan(5), "0.05");
  EXPECT_EQ(FormatYuan(20500), "205.00");
  EXPECT_EQ(FormatYuan(123456), "1234.56");
  EXPECT_EQ(FormatYuan(-5), "-0.05");
  EXPECT_EQ(FormatYuan(std::numeric_limits<int64_t>::min()),
            "-92233720368547758.08");
}

}  // namespace
}  // namespace dibao
