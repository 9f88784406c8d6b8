#include "base/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace dibao {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("张三 ４２０ 😀"));
}

TEST(Utf8Test, FindsTheFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8Byte("ab\xff"), 2);
  EXPECT_EQ(FirstInvalidUtf8Byte("\xC0\x80"), 0);       // overlong NUL
  EXPECT_EQ(FirstInvalidUtf8Byte("x\xED\xA0\x80"), 1);  // surrogate
  EXPECT_EQ(FirstInvalidUtf8Byte("张\xE5\xBC"), 3);     // truncated
  EXPECT_EQ(FirstInvalidUtf8Byte(std::string("a\0b", 3)), -1);
}

}  // namespace
}  // namespace dibao
