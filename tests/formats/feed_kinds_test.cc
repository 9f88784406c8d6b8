#include "formats/feed_kinds.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

TEST(FeedKindsTest, EveryKindHasAValidSpec) {
  std::set<int> seen;
  for (const FeedKindSpec& spec : AllFeedKinds()) {
    EXPECT_TRUE(seen.insert(spec.kind).second) << spec.name;
    ASSERT_NE(spec.record_field(), nullptr) << spec.name;
    const auto* d = spec.record_type();
    for (const auto& f : spec.key_fields) {
      EXPECT_NE(d->FindFieldByName(f), nullptr) << spec.name << "." << f;
    }
    for (const auto& f : spec.required_fields) {
      EXPECT_NE(d->FindFieldByName(f), nullptr) << spec.name << "." << f;
    }
    for (const auto& [a, b] : spec.ordered_dates) {
      EXPECT_NE(d->FindFieldByName(a), nullptr) << spec.name << "." << a;
      EXPECT_NE(d->FindFieldByName(b), nullptr) << spec.name << "." << b;
    }
    EXPECT_EQ(FindFeedKind(spec.kind), &spec);
  }
  // Every kind of the schema is in the table.
  EXPECT_EQ(seen.size(),
            static_cast<size_t>(v1::FeedKind_descriptor()->value_count() - 1));
}

TEST(FeedKindsTest, FindByAgencyAndKindNames) {
  auto spec = FindFeedKind("LABOUR", "Employment");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ((*spec)->kind, v1::FEED_KIND_EMPLOYMENT);
  EXPECT_EQ((*FindFeedKind("public_security", "vehicle"))->agency,
            v1::AGENCY_PUBLIC_SECURITY);
  EXPECT_THAT(FindFeedKind("land", "employment").status().message(),
              HasSubstr("comes from agency labour, not land"));
  EXPECT_THAT(FindFeedKind("union", "bonus").status().message(),
              HasSubstr("(hardship, assistance)"));
  EXPECT_THAT(FindFeedKind("police", "hukou").status().message(),
              HasSubstr("unknown agency 'police'"));
  EXPECT_EQ(AgencyName(v1::AGENCY_PUBLIC_SECURITY), "public_security");
  EXPECT_EQ(FindFeedKind(v1::FEED_KIND_UNSPECIFIED), nullptr);
}

}  // namespace
}  // namespace dibao
