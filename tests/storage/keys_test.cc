#include "storage/keys.h"

#include <cstdint>
#include <limits>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace dibao::keys {
namespace {

TEST(KeysTest, FixedIntsRoundTripAndSortNumerically) {
  const uint64_t values[] = {
      0, 1, 255, 256, 65535, 1ull << 32, std::numeric_limits<uint64_t>::max()};
  std::string prev;
  for (uint64_t v : values) {
    std::string bytes;
    PutFixed64(&bytes, v);
    ASSERT_EQ(bytes.size(), 8u);
    absl::string_view in = bytes;
    uint64_t back = 0;
    ASSERT_TRUE(GetFixed64(&in, &back));
    EXPECT_EQ(back, v);
    EXPECT_TRUE(in.empty());
    if (!prev.empty()) {
      EXPECT_LT(prev, bytes) << v;
    }
    prev = bytes;
  }
  std::string four;
  PutFixed32(&four, 0x01020304);
  EXPECT_EQ(four, std::string("\x01\x02\x03\x04", 4));
}

TEST(KeysTest, TruncatedInputIsRefused) {
  absl::string_view in("\x00\x00\x00", 3);
  uint32_t v;
  EXPECT_FALSE(GetFixed32(&in, &v));
  absl::string_view s;
  absl::string_view str(
      "\x00\x00\x00\x05"
      "abc",
      7);
  EXPECT_FALSE(GetString(&str, &s));
}

TEST(KeysTest, HouseholdKeyRoundTrip) {
  const std::string key = HouseholdKey("420102-0001");
  auto id = DecodeHouseholdKey(key);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "420102-0001");
  EXPECT_TRUE(absl::string_view(key).substr(0, HouseholdPrefix().size()) ==
              HouseholdPrefix());
  EXPECT_EQ(DecodeHouseholdKey(MemberKey("x")).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeysTest, AreaKeyRoundTripAndPrefixes) {
  const std::string key = AreaKey("420102", "人民街道", "桃园社区", "H1");
  auto parts = DecodeAreaKey(key);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->district, "420102");
  EXPECT_EQ(parts->street, "人民街道");
  EXPECT_EQ(parts->community, "桃园社区");
  EXPECT_EQ(parts->household_id, "H1");
  for (const std::string& prefix :
       {AreaPrefix(), AreaPrefix("420102"), AreaPrefix("420102", "人民街道"),
        AreaPrefix("420102", "人民街道", "桃园社区")}) {
    EXPECT_EQ(key.compare(0, prefix.size(), prefix), 0);
  }
  // A street that is a prefix of another street's name is not matched.
  const std::string other = AreaKey("420102", "人民街道东", "c", "H2");
  const std::string prefix = AreaPrefix("420102", "人民街道");
  EXPECT_NE(other.compare(0, prefix.size(), prefix), 0);
}

TEST(KeysTest, HistoryKeysSortByVersionWithinHousehold) {
  std::string prev;
  for (uint64_t v : {1ull, 2ull, 10ull, 256ull, 70000ull}) {
    const std::string key = HistoryKey("H1", v);
    auto parts = DecodeHistoryKey(key);
    ASSERT_TRUE(parts.ok());
    EXPECT_EQ(parts->household_id, "H1");
    EXPECT_EQ(parts->version, v);
    if (!prev.empty()) {
      EXPECT_LT(prev, key);
    }
    prev = key;
  }
  // "H1"'s history is not a prefix of "H10"'s.
  const std::string h10 = HistoryKey("H10", 1);
  EXPECT_NE(h10.compare(0, HistoryPrefix("H1").size(), HistoryPrefix("H1")), 0);
}

TEST(KeysTest, ChangeKeysSortBySequence) {
  EXPECT_LT(ChangeKey(9), ChangeKey(10));
  EXPECT_LT(ChangeKey(255), ChangeKey(256));
  auto seq = DecodeChangeKey(ChangeKey(123456789));
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 123456789u);
  EXPECT_FALSE(DecodeChangeKey(ChangeKey(1) + "x").ok());
}

TEST(KeysTest, FactKeysRoundTripAndGroupByPersonThenKind) {
  std::string natural;
  AppendNaturalKeyString("E1", &natural);
  AppendNaturalKeyDate(2026, 3, 1, &natural);
  std::string key;
  FactKey("420102199003074513", 10, natural, 7, &key);
  EXPECT_EQ(key, FactKey("420102199003074513", 10, natural, 7));
  auto parts = DecodeFactKey(key);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(parts->id_number, "420102199003074513");
  EXPECT_EQ(parts->kind, 10u);
  EXPECT_EQ(parts->natural_key, natural);
  EXPECT_EQ(parts->batch_seq, 7u);
  EXPECT_TRUE(absl::StartsWith(key, FactPrefix("420102199003074513")));
  // Versions of one fact in batch order; one person's kinds together.
  EXPECT_LT(key, FactKey("420102199003074513", 10, natural, 8));
  EXPECT_LT(FactKey("420102199003074513", 10, natural, 300),
            FactKey("420102199003074513", 11, "", 1));
  EXPECT_LT(FactKey("420102199003074513", 99, natural, 9),
            FactKey("420102199003074521", 1, "", 1));

  FactIndexKey(10, "420102199003074513", natural, &key);
  auto index = DecodeFactIndexKey(key);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(index->kind, 10u);
  EXPECT_EQ(index->id_number, "420102199003074513");
  EXPECT_EQ(index->natural_key, natural);
  EXPECT_TRUE(absl::StartsWith(key, FactIndexPrefix(10)));
  EXPECT_FALSE(DecodeFactKey(key).ok());  // not a fact key
}

TEST(KeysTest, NaturalKeyDatesAndMonthsSortInTimeOrder) {
  std::string a, b, c, d;
  AppendNaturalKeyDate(2025, 12, 31, &a);
  AppendNaturalKeyDate(2026, 1, 1, &b);
  AppendNaturalKeyMonth(2025, 12, &c);
  AppendNaturalKeyMonth(2026, 1, &d);
  EXPECT_LT(a, b);
  EXPECT_LT(c, d);
}

TEST(KeysTest, FactIndexValueKeepsTheFingerprint) {
  std::string value;
  EncodeFactIndexValue(42, "0123456789abcdef", &value);
  auto fingerprint = FactIndexFingerprint(value);
  ASSERT_TRUE(fingerprint.ok());
  EXPECT_EQ(*fingerprint, "0123456789abcdef");
  EXPECT_FALSE(FactIndexFingerprint(value.substr(1)).ok());
}

TEST(KeysTest, DirtyPersonsKeysSortByBatchThenChunk) {
  const std::string key = DirtyPersonsKey(5, 2);
  auto parts = DecodeDirtyPersonsKey(key);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(parts->batch_seq, 5u);
  EXPECT_EQ(parts->chunk, 2u);
  EXPECT_TRUE(absl::StartsWith(key, DirtyPersonsPrefix()));
  EXPECT_LT(DirtyPersonsKey(5, 2), DirtyPersonsKey(5, 300));
  EXPECT_LT(DirtyPersonsKey(5, 300), DirtyPersonsKey(6, 0));
  EXPECT_FALSE(DecodeDirtyPersonsKey(key + "x").ok());
}

TEST(KeysTest, FactPrefixIsTheFactsFamilysPrefixFilterLength) {
  EXPECT_EQ(FactPrefix("420102199003074513").size(), kFactPersonPrefixLength);
}

TEST(KeysTest, DirtyHouseholdKeysSortByBatchThenHousehold) {
  const std::string key = DirtyHouseholdKey(7, "420102-0001");
  auto parts = DecodeDirtyHouseholdKey(key);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(parts->batch_seq, 7u);
  EXPECT_EQ(parts->household_id, "420102-0001");
  // A cycle reads (and range-deletes) from a batch on: the empty ID starts
  // a batch's range.
  EXPECT_LT(DirtyHouseholdKey(7, ""), key);
  EXPECT_LT(key, DirtyHouseholdKey(7, "420102-0002"));
  EXPECT_LT(DirtyHouseholdKey(7, "420102-9999"), DirtyHouseholdKey(8, ""));
  EXPECT_FALSE(DecodeDirtyHouseholdKey(key + "x").ok());
}

TEST(KeysTest, FlagWakeAndCycleKeys) {
  const std::string flag_key = FlagKey("H1", "VEHICLE_OWNED", "ab12");
  auto flag = DecodeFlagKey(flag_key);
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->household_id, "H1");
  EXPECT_EQ(flag->rule, "VEHICLE_OWNED");
  EXPECT_EQ(flag->identity, "ab12");
  EXPECT_TRUE(absl::StartsWith(FlagKey("H1", "A", "f"), FlagPrefix("H1")));
  EXPECT_FALSE(absl::StartsWith(FlagKey("H10", "A", "f"), FlagPrefix("H1")));
  const std::string wake_key = WakeKey(20261201, "H1");
  auto wake = DecodeWakeKey(wake_key);
  ASSERT_TRUE(wake.ok());
  EXPECT_EQ(wake->yyyymmdd, 20261201u);
  EXPECT_EQ(wake->household_id, "H1");
  EXPECT_LT(WakeKey(20261130, "Z"), WakeKey(20261201, ""));
  EXPECT_LT(CycleKey(9), CycleKey(10));
  EXPECT_LT(FlagIdKey(255), FlagIdKey(256));
}

TEST(KeysTest, AuditKeys) {
  EXPECT_EQ(*DecodeAuditKey(AuditKey(300)), 300u);
  EXPECT_LT(AuditKey(255), AuditKey(256));
  EXPECT_TRUE(absl::StartsWith(AuditKey(1), AuditPrefix()));
  EXPECT_FALSE(DecodeAuditKey(CycleKey(1)).ok());
  // The decoded parts are views into the key, so the key must outlive them.
  const std::string key = AuditHouseholdKey("H1", 42);
  auto parts = DecodeAuditHouseholdKey(key);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->household_id, "H1");
  EXPECT_EQ(parts->seq, 42u);
  EXPECT_LT(AuditHouseholdKey("H1", 255), AuditHouseholdKey("H1", 256));
  EXPECT_TRUE(
      absl::StartsWith(AuditHouseholdKey("H1", 1), AuditHouseholdPrefix("H1")));
  EXPECT_FALSE(absl::StartsWith(AuditHouseholdKey("H10", 1),
                                AuditHouseholdPrefix("H1")));
}

TEST(KeysTest, RecommendationAndSampleKeys) {
  EXPECT_EQ(*DecodeRecommendationKey(RecommendationKey(300)), 300u);
  EXPECT_LT(RecommendationKey(255), RecommendationKey(256));
  EXPECT_TRUE(absl::StartsWith(RecommendationKey(1), RecommendationPrefix()));
  EXPECT_FALSE(DecodeRecommendationKey(SampleKey(1)).ok());
  EXPECT_EQ(*DecodeSampleKey(SampleKey(7)), 7u);
  EXPECT_LT(SampleKey(255), SampleKey(256));
  EXPECT_TRUE(absl::StartsWith(SampleKey(1), SamplePrefix()));
  EXPECT_FALSE(DecodeSampleKey(AuditKey(1)).ok());
}

}  // namespace
}  // namespace dibao::keys
