// The real dibaoctl binary against a real server on a loopback port.
#include <unicode/ucnv.h>

#include <algorithm>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

const char kHouseholdsHeader[] =
    "household_id,district_code,street,community,registered_address,status,"
    "monthly_benefit_fen,benefit_start_date,categories\n";
const char kMembersHeader[] =
    "household_id,id_number,name,relation,reported_status,"
    "reported_monthly_income_fen,disabled,able_to_work\n";

class DibaoctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir("dibaoctl");
    ServerOptions options;
    testing::UseTestAccess(&options, dir_);
    options.data_dir = dir_ + "/data";
    auto server = Server::Start(options, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // dibaoctl as a district approver, who keeps the registry.
  testing::RunResult Ctl(std::vector<std::string> args) {
    return CtlAs("loader", std::move(args));
  }
  testing::RunResult CtlAs(const std::string& principal,
                           std::vector<std::string> args) {
    return testing::Run(
        testing::CtlCommand(server_->address(), principal, std::move(args)));
  }

  SystemClock clock_;
  std::string dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(DibaoctlTest, SampleDistrictImportsReimportsAndRoundTrips) {
  auto gen =
      Ctl({"sample", "generate", "--seed=3", "--out=" + dir_ + "/sample"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_THAT(gen.out, HasSubstr("465 households, 1013 persons"));

  const std::string h = "--households=" + dir_ + "/sample/households.csv";
  const std::string m = "--members=" + dir_ + "/sample/members.csv";
  auto first = Ctl({"registry", "import", h, m});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("465 created, 0 updated, 0 unchanged"));
  EXPECT_THAT(first.out, HasSubstr("1013 members stored"));

  auto again = Ctl({"registry", "import", h, m});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("0 created, 0 updated, 465 unchanged"));

  // The whole registry leaves only with a stated purpose, counted on the
  // audit chain.
  auto unstated = Ctl({"registry", "export", "--households=" + dir_ + "/h2.csv",
                       "--members=" + dir_ + "/m2.csv"});
  EXPECT_EQ(unstated.exit_code, 1);
  EXPECT_THAT(unstated.err, HasSubstr("needs a stated purpose"));
  auto exported = Ctl({"--purpose=年度复核数据备份", "registry", "export",
                       "--households=" + dir_ + "/h2.csv",
                       "--members=" + dir_ + "/m2.csv"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto trail =
      CtlAs("auditor-1", {"audit", "log", "--format=csv", "--limit=10000"});
  EXPECT_THAT(trail.out, HasSubstr("BULK_EXPORT"));
  EXPECT_THAT(trail.out, HasSubstr("年度复核数据备份"));
  EXPECT_THAT(trail.out, HasSubstr("465 records"));
  EXPECT_THAT(trail.err, Not(HasSubstr("more follow")));
  // More than the server's 10,000 a call is paged, and a listing that
  // stops short says where to go on.
  auto paged =
      CtlAs("auditor-1", {"audit", "log", "--format=csv", "--limit=20000"});
  ASSERT_EQ(paged.exit_code, 0) << paged.err;
  auto partial = CtlAs("auditor-1", {"audit", "log", "--limit=3"});
  EXPECT_THAT(partial.err,
              HasSubstr("3 entries listed; more follow: dibaoctl audit log "
                        "--after 3"));
  EXPECT_EQ(SortedLines(testing::ReadFile(dir_ + "/h2.csv")),
            SortedLines(testing::ReadFile(dir_ + "/sample/households.csv")));
  EXPECT_EQ(SortedLines(testing::ReadFile(dir_ + "/m2.csv")),
            SortedLines(testing::ReadFile(dir_ + "/sample/members.csv")));

  // A csv listing is re-importable and changes nothing.
  auto listed = Ctl({"registry", "list", "--format=csv"});
  ASSERT_EQ(listed.exit_code, 0);
  testing::WriteFile(dir_ + "/listed.csv", listed.out);
  auto relisted =
      Ctl({"registry", "import", "--households=" + dir_ + "/listed.csv",
           "--members=" + dir_ + "/m2.csv"});
  EXPECT_EQ(relisted.exit_code, 0) << relisted.out;
  EXPECT_THAT(relisted.out, HasSubstr("465 unchanged"));

  auto table = Ctl({"registry", "list"});
  EXPECT_THAT(table.out, HasSubstr("465 households, monthly benefit"));
}

TEST_F(DibaoctlTest, BadLinesAreReportedWhileGoodLinesLand) {
  testing::WriteFile(
      dir_ + "/households.csv",
      std::string(kHouseholdsHeader) +
          "H1,420102,人民街道,桃园社区,地址1,ACTIVE,10000,2020-01-01,\n"
          "H2,420102,人民街道,桃园社区,地址2,RICH,10000,2020-01-01,\n"
          "H3,420102,人民街道,桃园社区,地址3,ACTIVE,10000,2020-01-01,ELDERLY\n"
          "H1,420102,人民街道,桃园社区,地址1,ACTIVE,10000,2020-01-01,\n");
  testing::WriteFile(
      dir_ + "/members.csv",
      std::string(kMembersHeader) +
          "H1,420102199003074513,张三,户主,UNEMPLOYED,0,false,true\n"
          "H3,420102199003074514,李四,户主,OTHER,0,false,false\n"
          "H9,11010519491231002X,王五,户主,RETIRED,9000,false,false\n");
  auto r =
      Ctl({"registry", "import", "--households=" + dir_ + "/households.csv",
           "--members=" + dir_ + "/members.csv"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 created"));
  EXPECT_THAT(r.out, HasSubstr("4 line(s) refused"));
  // Which file, which line, which field, why.
  EXPECT_THAT(r.out, HasSubstr("households.csv  3     status"));
  EXPECT_THAT(r.out, HasSubstr("unknown value 'RICH'"));
  EXPECT_THAT(r.out, HasSubstr("households.csv  5     household_id  H1"));
  EXPECT_THAT(r.out, HasSubstr("appears again (first on line 2)"));
  EXPECT_THAT(r.out, HasSubstr("members.csv     3     id_number"));
  EXPECT_THAT(r.out, HasSubstr("check character is 4, expected 3"));
  EXPECT_THAT(r.out, HasSubstr("members.csv     4     household_id  H9"));
  EXPECT_THAT(r.out, HasSubstr("household H9 is not in households.csv"));

  auto get = Ctl({"registry", "get", "H1"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_THAT(get.out, HasSubstr("张三"));
  auto missing = Ctl({"registry", "get", "H3"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));
}

TEST_F(DibaoctlTest, DuplicateEnrolmentIsRefusedWithTheOtherHousehold) {
  testing::WriteFile(
      dir_ + "/h.csv",
      std::string(kHouseholdsHeader) +
          "H1,420102,人民街道,桃园社区,地址1,ACTIVE,10000,2020-01-01,\n"
          "H2,420102,和平街道,永安社区,地址2,ACTIVE,10000,2020-01-01,\n");
  testing::WriteFile(dir_ + "/m.csv",
                     std::string(kMembersHeader) +
                         "H1,420102199003074513,张三,户主,OTHER,0,false,true\n"
                         "H2,420102 900307 451,张三,户主,OTHER,0,false,true\n");
  auto r = Ctl({"registry", "import", "--households=" + dir_ + "/h.csv",
                "--members=" + dir_ + "/m.csv"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.out, HasSubstr("m.csv  3     id_number  H2"));
  EXPECT_THAT(r.out, HasSubstr("already a member of ACTIVE household H1"));
  auto find = Ctl({"registry", "find", "420102199003074513"});
  EXPECT_THAT(find.out, HasSubstr("household H1"));
}

TEST_F(DibaoctlTest, HistoryShowsWhoAndWhat) {
  testing::WriteFile(
      dir_ + "/h.csv",
      std::string(kHouseholdsHeader) +
          "H1,420102,人民街道,桃园社区,地址1,ACTIVE,10000,2020-01-01,\n");
  testing::WriteFile(
      dir_ + "/m.csv",
      std::string(kMembersHeader) +
          "H1,420102199003074513,张三,户主,OTHER,0,false,true\n");
  ASSERT_EQ(Ctl({"registry", "import", "--households=" + dir_ + "/h.csv",
                 "--members=" + dir_ + "/m.csv"})
                .exit_code,
            0);
  testing::WriteFile(
      dir_ + "/h.csv",
      std::string(kHouseholdsHeader) +
          "H1,420102,人民街道,桃园社区,地址1,ACTIVE,8000,2020-01-01,\n");
  ASSERT_EQ(Ctl({"registry", "import", "--households=" + dir_ + "/h.csv",
                 "--members=" + dir_ + "/m.csv"})
                .exit_code,
            0);
  auto r = Ctl({"registry", "history", "H1", "--format=csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("loader,import h.csv:2,monthly_benefit_fen"));
}

TEST_F(DibaoctlTest, HeaderErrorsFailTheWholeFile) {
  testing::WriteFile(dir_ + "/h.csv", "household_id,colour\nH1,red\n");
  auto r = Ctl({"registry", "import", "--households=" + dir_ + "/h.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown column 'colour'"));
}

TEST_F(DibaoctlTest, JsonLinesImport) {
  testing::WriteFile(
      dir_ + "/h.jsonl",
      "{\"household_id\":\"J1\",\"district_code\":\"420102\",\"street\":\"s\","
      "\"community\":\"c\",\"registered_address\":\"a\",\"status\":"
      "\"HOUSEHOLD_STATUS_ACTIVE\",\"benefit_start_date\":{\"year\":2020,"
      "\"month\":1,\"day\":1},\"members\":[{\"id_number\":"
      "\"420102199003074513\",\"name\":\"张三\",\"reported_status\":"
      "\"REPORTED_STATUS_OTHER\"}]}\n");
  auto r = Ctl({"registry", "import", "--households=" + dir_ + "/h.jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 created"));
}

TEST_F(DibaoctlTest, IdCheckPrintsFactsOrPreciseErrors) {
  auto ok = Ctl({"id", "check", "420102900307451", "11010519491231002x"});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_THAT(ok.out,
              HasSubstr("420102199003074513  1990-03-07  M    42 湖北省"));
  EXPECT_THAT(ok.out, HasSubstr("11010519491231002X"));
  auto bad = Ctl({"id", "check", "420102199003074513", "110105194912310023"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("check character is 3, expected X"));
}

TEST_F(DibaoctlTest, UsageAndUnreachableServer) {
  auto usage = Ctl({"frobnicate"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("unknown command"));
  auto down = testing::Run(testing::CtlCommand("127.0.0.1:1", "loader",
                                               {"--deadline=2s", "health"}));
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_THAT(down.err, Not(HasSubstr("SERVING")));
  auto health = Ctl({"health"});
  EXPECT_EQ(health.exit_code, 0);
  EXPECT_EQ(health.out, "SERVING\n");
}

TEST_F(DibaoctlTest, FeedPushReceiptsRejectsAndPersonFacts) {
  testing::WriteFile(
      dir_ + "/emp.csv",
      "id_number,name,employer_code,employer_name,start_date,end_date,"
      "monthly_wage_fen\n"
      "420102199003074513,张三,E1,某公司,2026-03-01,,350000\n"
      "４２０１０２ "
      "１９９００３０７４５２１,李四,E1,某公司,2026-03-01,,200000\n"
      "420102199003074514,王五,E2,某厂,2026-01-01,,100000\n"
      "420102199003074513,张三,E0,旧厂,2019-01-01,not-a-date,1\n");
  auto push =
      CtlAs("agency-labour", {"feed", "push", "--agency", "labour", "--kind",
                              "employment", "--batch-id", "LAB-1", "--as-of",
                              "2026-11-25", dir_ + "/emp.csv"});
  EXPECT_EQ(push.exit_code, 3) << push.out << push.err;
  // The line the client could not read travels as a rejected record.
  EXPECT_THAT(push.out,
              HasSubstr("records 4: 2 accepted, 0 unchanged, 2 rejected"));
  EXPECT_THAT(push.out, HasSubstr("check character is 4, expected 3"));
  EXPECT_THAT(push.out, HasSubstr("emp.csv read as UTF-8 (detected)"));
  EXPECT_THAT(push.out, HasSubstr("1 of the rejected are lines the file "
                                  "could not be read in"));

  auto replay =
      CtlAs("agency-labour",
            {"feed", "push", "--agency=labour", "--kind=employment",
             "--batch-id=LAB-1", "--as-of=2026-11-25", dir_ + "/emp.csv"});
  EXPECT_THAT(replay.out, HasSubstr("already committed, nothing changed"));

  auto rejects = CtlAs("agency-labour", {"feed", "rejects", "LAB-1"});
  ASSERT_EQ(rejects.exit_code, 0) << rejects.err;
  EXPECT_THAT(rejects.out,
              ::testing::StartsWith(
                  "position,line,field,id_number,reason\n"
                  "3,4,id_number,420102********4514,\"check character is 4, "
                  "expected 3\"\n"
                  "4,5,end_date,420102********4513,the line could not be "
                  "read: "));

  auto batches =
      Ctl({"feed", "batches", "--agency", "labour", "--format", "csv"});
  EXPECT_THAT(
      batches.out,
      HasSubstr(",LAB-1,labour,employment,DELTA,2026-11-25,4,2,0,2,0,"));

  // The person is in no household: the auditor's to look up.
  auto person = CtlAs("auditor-1", {"person", "show", "420102199003074521"});
  ASSERT_EQ(person.exit_code, 0) << person.err;
  EXPECT_THAT(person.out,
              HasSubstr("labour  employment  2026-11-25  current   LAB-1"));

  auto wrong =
      CtlAs("agency-land",
            {"feed", "push", "--agency", "land", "--kind", "employment",
             "--batch-id", "X", "--as-of", "2026-11-25", dir_ + "/emp.csv"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("comes from agency labour, not land"));
}

TEST_F(DibaoctlTest, TruncatedSnapshotNeedsAllowMassRetirement) {
  auto file = [&](const std::string& name, int rows) {
    std::string csv = "id_number,name,sex,birth_date,address_code,status\n";
    for (int i = 0; i < rows; ++i) {
      const absl::CivilDay born = absl::CivilDay(1950, 1, 1) + i;
      const std::string first17 = absl::StrFormat(
          "420102%04d%02d%02d123", born.year(), born.month(), born.day());
      absl::StrAppend(&csv, first17,
                      std::string(1, ResidentIdCheckCharacter(first17)),
                      ",某人,M,", FormatDate(born), ",420102,NORMAL\n");
    }
    testing::WriteFile(dir_ + "/" + name, csv);
    return dir_ + "/" + name;
  };
  auto push = [&](const std::string& batch, const std::string& path,
                  bool allow) {
    std::vector<std::string> args = {
        "feed",       "push", "--agency=public_security", "--kind=hukou",
        "--batch-id", batch,  "--as-of=2026-11-25",       "--snapshot"};
    if (allow) args.push_back("--allow-mass-retirement");
    args.push_back(path);
    return CtlAs("agency-public_security", args);
  };
  ASSERT_EQ(push("PS-1", file("full.csv", 1500), false).exit_code, 0);
  const std::string truncated = file("truncated.csv", 200);
  auto refused = push("PS-2", truncated, false);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("would retire 1300 of the 1500 current "
                                     "hukou facts"));
  auto allowed = push("PS-2", truncated, true);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_THAT(allowed.out, HasSubstr("1300 retired"));
}

// `utf8` as a Chinese agency system would save it.
std::string Gbk(const std::string& utf8) {
  UErrorCode err = U_ZERO_ERROR;
  std::string out(utf8.size() * 2 + 16, '\0');
  const int32_t n =
      ucnv_convert("GBK", "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                   utf8.data(), static_cast<int32_t>(utf8.size()), &err);
  out.resize(U_SUCCESS(err) ? static_cast<size_t>(n) : 0);
  return out;
}

TEST_F(DibaoctlTest, GbkFilesAreReadAndMisreadOnesRetireNothing) {
  std::string csv = "id_number,name,plate,vehicle_type,registered_date\n";
  for (int i = 0; i < 6; ++i) {
    const std::string first17 = absl::StrFormat("4201021975030%d123", i + 1);
    absl::StrAppend(
        &csv, first17, std::string(1, ResidentIdCheckCharacter(first17)),
        ",欧阳淑芬,鄂A·1234", i, ",小型轿车,2024-05-0", i + 1, "\n");
  }
  testing::WriteFile(dir_ + "/vehicles.csv", csv);
  testing::WriteFile(dir_ + "/vehicles-gbk.csv", Gbk(csv));
  auto push = [&](const std::string& batch, const std::string& file,
                  std::vector<std::string> more = {}) {
    std::vector<std::string> args = {
        "feed",       "push", "--agency=public_security", "--kind=vehicle",
        "--batch-id", batch,  "--as-of=2026-11-25",       "--snapshot"};
    args.insert(args.end(), more.begin(), more.end());
    args.push_back(dir_ + "/" + file);
    return CtlAs("agency-public_security", args);
  };
  auto first = push("V-1", "vehicles.csv");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("6 accepted"));

  // The same snapshot saved as GBK: detected, and nothing changes.
  auto gbk = push("V-2", "vehicles-gbk.csv");
  ASSERT_EQ(gbk.exit_code, 0) << gbk.out << gbk.err;
  EXPECT_THAT(gbk.out, HasSubstr("0 accepted, 6 unchanged, 0 rejected, "
                                 "0 retired"));
  EXPECT_THAT(gbk.out, HasSubstr("vehicles-gbk.csv read as GB18030 "
                                 "(detected: not UTF-8 at byte"));

  // Read as UTF-8 against the evidence: every line is unreadable, the
  // snapshot is refused whole, no fact ends, and the batch ID stays free.
  auto misread = push("V-3", "vehicles-gbk.csv", {"--encoding=utf-8"});
  EXPECT_EQ(misread.exit_code, 1) << misread.out;
  EXPECT_THAT(misread.err, HasSubstr("6 of its 6 records were rejected (6 of "
                                     "them lines that could not be read)"));
  EXPECT_THAT(misread.err, HasSubstr("6 line(s) of " + dir_ +
                                     "/vehicles-gbk.csv could not be read"));
  EXPECT_THAT(misread.err, HasSubstr("--encoding=gb18030"));
  auto person = CtlAs("auditor-1", {"person", "show", csv.substr(50, 18)});
  EXPECT_THAT(person.out, HasSubstr("current"));
  auto fixed = push("V-3", "vehicles-gbk.csv", {"--encoding=gbk"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_THAT(fixed.out, HasSubstr("read as GBK (as given by --encoding)"));
}

}  // namespace
}  // namespace dibao
