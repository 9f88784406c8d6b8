#include "formats/registry_format.h"

#include <sstream>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

struct Read {
  std::vector<std::pair<int64_t, v1::Household>> households;
  std::vector<std::pair<int64_t, v1::Member>> members;
  std::vector<RowError> errors;
  absl::Status status;
};

Read ReadH(const std::string& text, FileFormat f = FileFormat::kCsv) {
  Read r;
  std::istringstream in(text);
  r.status = ReadHouseholds(
      in, f,
      [&](int64_t line, v1::Household h) {
        r.households.emplace_back(line, h);
      },
      [&](RowError e) { r.errors.push_back(e); });
  return r;
}

Read ReadM(const std::string& text, FileFormat f = FileFormat::kCsv) {
  Read r;
  std::istringstream in(text);
  r.status = ReadMembers(
      in, f,
      [&](int64_t line, v1::Member m) { r.members.emplace_back(line, m); },
      [&](RowError e) { r.errors.push_back(e); });
  return r;
}

const char kHeader[] =
    "household_id,district_code,street,community,registered_address,"
    "residence_address,status,monthly_benefit_fen,benefit_start_date,"
    "categories\n";

TEST(RegistryFormatTest, ReadsHouseholdsInAnyColumnOrderAndCase) {
  auto r = ReadH(
      "status,household_id,district_code,street,community,registered_address,"
      "monthly_benefit_fen,benefit_start_date,categories\n"
      "active,H1,420102,人民街道,桃园社区,地址1,30000,2020-01-15,"
      "disabled; elderly\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].reason;
  ASSERT_EQ(r.households.size(), 1u);
  const v1::Household& h = r.households[0].second;
  EXPECT_EQ(r.households[0].first, 2);
  EXPECT_EQ(h.household_id(), "H1");
  EXPECT_EQ(h.status(), v1::HOUSEHOLD_STATUS_ACTIVE);
  EXPECT_EQ(h.monthly_benefit_fen(), 30000);
  EXPECT_EQ(h.benefit_start_date().day(), 15);
  ASSERT_EQ(h.categories_size(), 2);
  EXPECT_EQ(h.categories(0), v1::CATEGORY_DISABLED);
  EXPECT_EQ(h.categories(1), v1::CATEGORY_ELDERLY);
}

TEST(RegistryFormatTest, EveryBadFieldIsReportedWithItsLine) {
  auto r = ReadH(std::string(kHeader) +
                 "H1,420102,s,c,a,,ACTIVE,100,2020-01-01,\n"
                 "H2,420102,s,c,a,,RETIRED,12.5,2020-02-30,THREE_NO;RICH\n"
                 "H3,420102,s,c,a,,ACTIVE,-1,2020-01-01,\n"
                 "H4,too,few\n");
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.households.size(), 1u);
  ASSERT_EQ(r.errors.size(), 6u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].field, "status");
  EXPECT_EQ(r.errors[0].key, "H2");
  EXPECT_THAT(r.errors[0].reason,
              HasSubstr("unknown value 'RETIRED' (expected one of ACTIVE, "
                        "SUSPENDED, EXITED)"));
  EXPECT_EQ(r.errors[1].field, "monthly_benefit_fen");
  EXPECT_THAT(r.errors[1].reason, HasSubstr("not a whole number of fen"));
  EXPECT_EQ(r.errors[2].field, "benefit_start_date");
  EXPECT_THAT(r.errors[2].reason, HasSubstr("not a calendar date"));
  EXPECT_EQ(r.errors[3].field, "categories");
  EXPECT_THAT(r.errors[3].reason, HasSubstr("'RICH'"));
  EXPECT_EQ(r.errors[4].line, 4);
  EXPECT_THAT(r.errors[4].reason, HasSubstr("is negative"));
  EXPECT_EQ(r.errors[5].line, 5);
  EXPECT_EQ(r.errors[5].reason, "has 3 fields, the header has 10");
}

TEST(RegistryFormatTest, HeaderProblemsStopTheFile) {
  EXPECT_THAT(ReadH("household_id,colour\n").status.message(),
              HasSubstr("unknown column 'colour'"));
  EXPECT_THAT(ReadH("household_id,household_id\n").status.message(),
              HasSubstr("appears twice"));
  EXPECT_THAT(ReadH("household_id,street\n").status.message(),
              HasSubstr("missing required column 'district_code'"));
  EXPECT_THAT(ReadH("").status.message(), HasSubstr("empty"));
}

TEST(RegistryFormatTest, MembersWithOptionalColumns) {
  auto r = ReadM(
      "\xEF\xBB\xBFhousehold_id,id_number,name,reported_status,"
      "reported_monthly_income_fen,disabled\n"
      "H1, 420102199003074513 ,张三,Employed,30000,TRUE\n"
      "H1,x,李四,student,0,maybe\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.members.size(), 1u);
  const v1::Member& m = r.members[0].second;
  EXPECT_EQ(m.id_number(), "420102199003074513");
  EXPECT_EQ(m.reported_status(), v1::REPORTED_STATUS_EMPLOYED);
  EXPECT_TRUE(m.disabled());
  EXPECT_EQ(m.sex(), v1::SEX_UNSPECIFIED);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].field, "disabled");
  EXPECT_EQ(r.errors[0].key, "H1");
}

TEST(RegistryFormatTest, InvalidUtf8CellIsRefusedNotPassedOn) {
  // A GBK-encoded name (张三) in a UTF-8 file.
  auto r = ReadM(
      "household_id,id_number,name,reported_status,reported_monthly_income_"
      "fen\n"
      "H1,420102199003074513,\xD5\xC5\xC8\xFD,OTHER,0\n"
      "H1,420102199003074521,李四,OTHER,0\n");
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.members.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].field, "name");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("not valid UTF-8 (byte 1"));
  EXPECT_EQ(r.errors[0].key, "H1");
}

TEST(RegistryFormatTest, CsvWriterOutputReadsBackIdentically) {
  v1::Household h;
  h.set_household_id("H-7");
  h.set_district_code("420102");
  h.set_street("人民街道");
  h.set_community("桃园, 社区");
  h.set_registered_address("地址 \"1\"");
  h.set_status(v1::HOUSEHOLD_STATUS_SUSPENDED);
  h.set_monthly_benefit_fen(12345);
  h.mutable_benefit_start_date()->set_year(2019);
  h.mutable_benefit_start_date()->set_month(7);
  h.mutable_benefit_start_date()->set_day(1);
  h.add_categories(v1::CATEGORY_THREE_NO);
  h.add_categories(v1::CATEGORY_LAID_OFF);
  std::string text = HouseholdCsvHeader();
  AppendHouseholdCsv(h, &text);
  auto r = ReadH(text);
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.households.size(), 1u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      r.households[0].second, h));

  v1::Member m;
  m.set_household_id("H-7");
  m.set_id_number("11010519491231002X");
  m.set_name("王芳");
  m.set_sex(v1::SEX_FEMALE);
  m.mutable_birth_date()->set_year(1949);
  m.mutable_birth_date()->set_month(12);
  m.mutable_birth_date()->set_day(31);
  m.set_relation("户主");
  m.set_reported_status(v1::REPORTED_STATUS_RETIRED);
  m.set_reported_monthly_income_fen(9000);
  m.set_disabled(true);
  std::string mtext = MemberCsvHeader();
  AppendMemberCsv(m, &mtext);
  auto rm = ReadM(mtext);
  ASSERT_TRUE(rm.errors.empty()) << rm.errors[0].reason;
  ASSERT_EQ(rm.members.size(), 1u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      rm.members[0].second, m));
}

TEST(RegistryFormatTest, JsonLinesUseTheProtobufMapping) {
  auto r = ReadH(
      "{\"household_id\":\"H1\",\"status\":\"HOUSEHOLD_STATUS_ACTIVE\","
      "\"monthly_benefit_fen\":\"500\"}\n\n"
      "{\"household_id\":\"H2\",\"colour\":\"red\"}\n"
      "not json\n",
      FileFormat::kJsonl);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.households.size(), 1u);
  EXPECT_EQ(r.households[0].second.monthly_benefit_fen(), 500);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[1].line, 4);
  EXPECT_FALSE(ToJsonLine(r.households[0].second).empty());
}

TEST(RegistryFormatTest, FormatFromFlagOrExtension) {
  EXPECT_EQ(*ChooseFileFormat("a.CSV", ""), FileFormat::kCsv);
  EXPECT_EQ(*ChooseFileFormat("a.jsonl", ""), FileFormat::kJsonl);
  EXPECT_EQ(*ChooseFileFormat("a.txt", "csv"), FileFormat::kCsv);
  EXPECT_FALSE(ChooseFileFormat("a.txt", "").ok());
  EXPECT_FALSE(ChooseFileFormat("a.csv", "xml").ok());
  EXPECT_EQ(*ParseHouseholdStatus("exited"), v1::HOUSEHOLD_STATUS_EXITED);
  EXPECT_EQ(ShortName(v1::REPORTED_STATUS_CIVIL_AFFAIRS), "CIVIL_AFFAIRS");
}

}  // namespace
}  // namespace dibao
