// The wire enums' short names and recommendation IDs (formats/names.h).
#include "formats/names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

TEST(DismissReasonTest, CodesRoundTripAndUnknownOnesAreListed) {
  EXPECT_EQ(*ParseDismissReason("partner_data_wrong"),
            v1::DISMISS_REASON_PARTNER_DATA_WRONG);
  EXPECT_EQ(DismissReasonCode(v1::DISMISS_REASON_POLICY_EXCEPTION),
            "POLICY_EXCEPTION");
  auto bad = ParseDismissReason("LAZY");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("PARTNER_DATA_WRONG, ALREADY_DECLARED, WRONG_PERSON, "
                        "POLICY_EXCEPTION, OTHER"));
  EXPECT_FALSE(ParseDismissReason("UNSPECIFIED").ok());
}

TEST(RecommendationIdTest, RoundTripAndOtherIdsAreRefused) {
  EXPECT_EQ(FormatRecommendationId(12), "R0000012");
  EXPECT_EQ(*ParseRecommendationId("R0000012"), 12u);
  EXPECT_EQ(ParseRecommendationId("F0000012").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dibao
