#include "base/log.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

TEST(LogTest, TextIsOneLineForPeople) {
  EXPECT_EQ(FormatLogEvent(LogFormat::kText, "2026-11-02T02:00:00.000+08:00",
                           LogLevel::kWarning, "feeds", "upload_cancelled",
                           {{"actor", "agency-labour"}},
                           "upload by agency-labour cancelled: idle"),
            "2026-11-02T02:00:00.000+08:00 W feeds: upload by agency-labour "
            "cancelled: idle\n");
}

TEST(LogTest, JsonIsOneObjectPerLineWithTypedFields) {
  const std::string line =
      FormatLogEvent(LogFormat::kJson, "2026-11-02T02:00:00.000+08:00",
                     LogLevel::kInfo, "feeds", "batch_committed",
                     {{"batch_id", "LAB-1"},
                      {"accepted", 12},
                      {"seconds", 0.5},
                      {"replayed", false}},
                     "a \"quoted\" message\nwith a newline");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // escaped inside
  EXPECT_THAT(line,
              ::testing::HasSubstr("\"ts\":\"2026-11-02T02:00:00.000+08:00\""));
  EXPECT_THAT(line, ::testing::HasSubstr("\"level\":\"info\""));
  EXPECT_THAT(line, ::testing::HasSubstr("\"component\":\"feeds\""));
  EXPECT_THAT(line, ::testing::HasSubstr("\"event\":\"batch_committed\""));
  EXPECT_THAT(line, ::testing::HasSubstr("\"accepted\":12"));
  EXPECT_THAT(line, ::testing::HasSubstr("\"seconds\":0.5"));
  EXPECT_THAT(line, ::testing::HasSubstr("\"replayed\":false"));
  EXPECT_THAT(line, ::testing::HasSubstr("\"batch_id\":\"LAB-1\""));
  EXPECT_THAT(
      line, ::testing::HasSubstr("a \\\"quoted\\\" message\\nwith a newline"));
}

TEST(LogTest, FormatsByName) {
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_THAT(ParseLogFormat("xml").status().message(),
              ::testing::HasSubstr("text or json"));
}

}  // namespace
}  // namespace dibao
