#include "base/free_text.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

TEST(FreeTextTest, ANoteMayRunOverLinesUpToItsLimit) {
  EXPECT_TRUE(CheckNote("note", "").ok());
  EXPECT_TRUE(CheckNote("note", "走访核实:\n\t户主已就业").ok());
  EXPECT_TRUE(CheckNote("note", std::string(kMaxNoteBytes, 'x')).ok());
  const absl::Status s = CheckNote("note", std::string(kMaxNoteBytes + 1, 'x'));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("note is 4097 bytes; at most 4096"));
}

TEST(FreeTextTest, ControlCharactersAndBadUtf8AreRefusedWhereTheyAre) {
  absl::Status s = CheckNote("comment", "ok\x1b[2Jwiped");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("comment holds control character 0x1b at byte 2"));
  s = CheckNote("comment", "张\xE5\xBC");
  EXPECT_THAT(s.message(), HasSubstr("comment is not valid UTF-8 at byte 3"));
}

TEST(FreeTextTest, ANameIsOneShortLine) {
  EXPECT_TRUE(CheckName("assignee", "cw-li 李").ok());
  EXPECT_THAT(CheckName("assignee", "cw\nli").message(),
              HasSubstr("assignee holds control character 0x0a at byte 2"));
  EXPECT_THAT(
      CheckName("assignee", std::string(kMaxNameBytes + 1, 'a')).message(),
      HasSubstr("at most 128"));
}

TEST(FreeTextTest, APrincipalIdIsACertificateName) {
  EXPECT_TRUE(CheckPrincipalId("agency-public_security").ok());
  EXPECT_TRUE(CheckPrincipalId("wang.li@420102").ok());
  EXPECT_THAT(CheckPrincipalId("").message(), HasSubstr("1 to 64"));
  EXPECT_THAT(CheckPrincipalId(std::string(65, 'a')).message(),
              HasSubstr("1 to 64"));
  EXPECT_THAT(CheckPrincipalId("cw 1").message(),
              HasSubstr("' ' is not allowed"));
  EXPECT_FALSE(CheckPrincipalId("王丽").ok());
  EXPECT_FALSE(CheckPrincipalId("cw/1").ok());
}

}  // namespace
}  // namespace dibao
