#include "access/principal_directory.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<std::shared_ptr<const PrincipalDirectory>> FromText(
    const std::string& text) {
  const std::string path =
      testing::NewTempDir("principals") + "/principals.textproto";
  testing::WriteFile(path, text);
  return PrincipalDirectory::Load(path);
}

TEST(PrincipalDirectoryTest, TheTestAndDemonstrationFilesLoad) {
  for (const std::string& path :
       {testing::TestPrincipalsPath(),
        std::string(DIBAO_SOURCE_DIR) + "/deploy/principals.textproto"}) {
    auto d = PrincipalDirectory::Load(path);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_GT((*d)->size(), 10) << path;
    EXPECT_EQ((*d)->sha256().size(), 64u);
  }
}

TEST(PrincipalDirectoryTest, FindsPrincipalsAndRevokedSerials) {
  auto d = FromText(R"(
    principal { id: "cw-1" role: ROLE_COMMUNITY_WORKER
                jurisdiction { district_code: "420102" street: "s" community: "c" }
                revoked_serial: "0a:1B:2c" }
    principal { id: "agency-labour" role: ROLE_AGENCY agency: AGENCY_LABOUR }
  )");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_NE((*d)->Find("cw-1"), nullptr);
  EXPECT_EQ((*d)->Find("cw-1")->role(), v1::ROLE_COMMUNITY_WORKER);
  EXPECT_EQ((*d)->Find("nobody"), nullptr);
  EXPECT_TRUE((*d)->Revoked("cw-1", "A1B2C"));
  // A serial is revoked for its principal only.
  EXPECT_FALSE((*d)->Revoked("agency-labour", "A1B2C"));
  EXPECT_FALSE((*d)->Revoked("cw-1", "A1B2D"));
}

TEST(PrincipalDirectoryTest, SerialsAreNormalised) {
  EXPECT_EQ(NormalizeSerial("0a:1b:2C"), "A1B2C");
  EXPECT_EQ(NormalizeSerial("00:00"), "0");
  EXPECT_EQ(NormalizeSerial("7F"), "7F");
  EXPECT_EQ(NormalizeSerial(""), "");
}

TEST(PrincipalDirectoryTest, MistakesNameThePrincipalAndWhatIsWrong) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {R"(principal { id: "a b" role: ROLE_AUDITOR })",
            "' ' is not allowed"},
           {R"(principal { id: "x" })", "role: missing"},
           {R"(principal { id: "x" role: ROLE_AGENCY })", "names its agency"},
           {R"(principal { id: "x" role: ROLE_AUDITOR agency: AGENCY_LAND })",
            "only for ROLE_AGENCY"},
           {R"(principal { id: "x" role: ROLE_DISTRICT_APPROVER })",
            "needs at least one jurisdiction"},
           {R"(principal { id: "x" role: ROLE_COMMUNITY_WORKER
                 jurisdiction { district_code: "420102" community: "c" } })",
            "a community is named with its street"},
           {R"(principal { id: "x" role: ROLE_STREET_REVIEWER
                 jurisdiction { district_code: "4201" street: "s" } })",
            "6-digit code"},
           {R"(principal { id: "x" role: ROLE_OPERATOR
                 jurisdiction { district_code: "420102" } })",
            "only for casework roles"},
           {R"(principal { id: "x" role: ROLE_AUDITOR revoked_serial: "xyz" })",
            "not a serial number in hex"},
           {R"(principal { id: "x" role: ROLE_AUDITOR }
               principal { id: "x" role: ROLE_ADMIN })",
            "principal[1] (x): the same id as principal[0]"},
       }) {
    auto d = FromText(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(d.status().message(), HasSubstr(c.says)) << c.text;
    EXPECT_THAT(d.status().message(), HasSubstr("principals.textproto"));
  }
  // A syntax error names the line.
  auto d = FromText("principal {\n  id: \"x\"\n  colour: 1\n}\n");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("principals.textproto:3:"));
  auto missing = PrincipalDirectory::Load("/nonexistent/principals.textproto");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace dibao
