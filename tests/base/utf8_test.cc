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

TEST(Utf8Test, IllFormedSequencesBecomeReplacementCharacters) {
  EXPECT_EQ(ToValidUtf8("张三"), "张三");
  EXPECT_EQ(ToValidUtf8("ab\xff"), "ab\uFFFD");
  // A snippet cut inside a character, as a parser's message may quote it.
  EXPECT_EQ(ToValidUtf8("at \"张\xE5\xBC"), "at \"张\uFFFD");
  EXPECT_EQ(ToValidUtf8("\xC0\x80x"), "\uFFFDx");
  EXPECT_TRUE(IsValidUtf8(ToValidUtf8("\xff\xfe\x80\x81\xc3(")));
}

}  // namespace
}  // namespace dibao
