// dibaoctl feed ... as partner agencies and the bureau use it after the
// first nightly cycle over the sample district: an agency withdraws a fact
// it sent in error and the next cycle resolves the flag saying so; a
// caseworker dismisses a flag as PARTNER_DATA_WRONG and the agency fetches
// that as feedback; the data-quality report counts both.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/resident_id.h"
#include "dibao/v1/review.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_server.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class FeedCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::SampleServerOptions options;
    options.name = "dibaoctl-feeds";
    options.run_cycle = true;
    auto sample = testing::SampleServer::Start(options);
    ASSERT_TRUE(sample.ok()) << sample.status();
    sample_ = sample->release();
  }
  static void TearDownTestSuite() { delete sample_; }

  static testing::RunResult CtlAs(const std::string& who,
                                  std::vector<std::string> args) {
    return sample_->CtlAs(who, std::move(args));
  }

  // The open flags of `rule` in the queue, with their evidence.
  static std::vector<v1::Flag> Queue(const std::string& rule) {
    auto list = CtlAs("cw-li", {"review", "list", absl::StrCat("--rule=", rule),
                                "--format=jsonl"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    std::vector<v1::Flag> out;
    for (absl::string_view line :
         absl::StrSplit(list.out, '\n', absl::SkipEmpty())) {
      v1::QueueItem item;
      EXPECT_TRUE(
          google::protobuf::util::JsonStringToMessage(std::string(line), &item)
              .ok());
      out.push_back(Full(item.flag().flag_id()));
    }
    return out;
  }

  // A flag with its evidence, as `review show` gives it.
  static v1::Flag Full(const std::string& flag_id) {
    auto show = CtlAs("cw-li", {"review", "show", flag_id, "--format=jsonl"});
    EXPECT_EQ(show.exit_code, 0) << show.err;
    v1::Case c;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(show.out, &c).ok());
    return c.item().flag();
  }

  static testing::SampleServer* sample_;
};

testing::SampleServer* FeedCommandsTest::sample_ = nullptr;

TEST_F(FeedCommandsTest, AWithdrawnFactResolvesItsFlagWithTheAgencysReason) {
  std::vector<v1::Flag> vehicles = Queue("VEHICLE_OWNED");
  ASSERT_EQ(vehicles.size(), 1u);
  const v1::Flag& flag = vehicles[0];
  ASSERT_EQ(flag.finding().facts_size(), 1);
  const v1::FeedRecord& car = flag.finding().facts(0).record();
  const std::string id = car.id_number();
  const v1::VehicleRecord& v = car.vehicle();
  const std::string file = sample_->dir() + "/vehicle-withdrawal.csv";
  // As an agency's export would carry it: the key fields and the action.
  testing::WriteFile(
      file,
      absl::StrCat("id_number,name,plate,registered_date,action,"
                   "withdrawal_reason,withdrawal_note\n",
                   id, ",,", v.plate(), ",", v.registered_date().year(), "-",
                   absl::StrFormat("%02d-%02d", v.registered_date().month(),
                                   v.registered_date().day()),
                   ",withdraw,wrong_person,plate registered to a namesake\n",
                   // A withdrawal of a fact that never was: refused, and said.
                   id, ",,鄂A00000,2020-01-01,withdraw,never_happened,\n"));
  auto push =
      CtlAs("agency-public_security",
            {"feed", "push", "--agency=public_security", "--kind=vehicle",
             "--batch-id=PS-W1", "--as-of=2026-11-02", file});
  EXPECT_EQ(push.exit_code, 3) << push.out << push.err;
  EXPECT_THAT(push.out, HasSubstr("records 2: 0 accepted, 0 unchanged, 1 "
                                  "rejected, 0 retired, 1 withdrawn"));
  EXPECT_THAT(push.out, HasSubstr("there is no vehicle fact of this person "
                                  "with this key (plate 鄂A00000, "
                                  "registered_date 2020-01-01) to withdraw"));

  auto run = CtlAs("night-operator", {"cycle", "run", "--as-of=2026-11-02"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto show = CtlAs("cw-li", {"review", "show", flag.flag_id()});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("AUTO_RESOLVED"));
  EXPECT_THAT(show.out,
              HasSubstr("was withdrawn by public_security on 2026-11-02 "
                        "(batch PS-W1, WRONG_PERSON: plate registered to a "
                        "namesake)"));

  // The person's history keeps the fact, ended and marked withdrawn.
  auto person = CtlAs("head-1", {"person", "show", id, "--format=jsonl"});
  ASSERT_EQ(person.exit_code, 0) << person.err;
  EXPECT_THAT(person.out, HasSubstr("\"withdrawal\":{\"reason\":"
                                    "\"WITHDRAWAL_REASON_WRONG_PERSON\""));

  auto quality = CtlAs("head-1", {"report", "feed-quality", "--format=csv"});
  ASSERT_EQ(quality.exit_code, 0) << quality.err;
  EXPECT_THAT(
      quality.out,
      StartsWith("agency,kind,batches,records,rejected,withdrawn,"
                 "flags_decided,partner_wrong,partner_wrong_percent\n"));
  EXPECT_THAT(quality.out, HasSubstr("\npublic_security,vehicle,"));
  for (absl::string_view line : absl::StrSplit(quality.out, '\n')) {
    if (absl::StartsWith(line, "public_security,vehicle,")) {
      const std::vector<std::string> cells = absl::StrSplit(line, ',');
      EXPECT_EQ(cells.at(5), "1") << line;  // withdrawn
    }
  }
}

TEST_F(FeedCommandsTest, PartnerDataWrongGoesBackToTheAgencyAsFeedback) {
  std::vector<v1::Flag> jobs = Queue("UNDECLARED_EMPLOYMENT");
  ASSERT_FALSE(jobs.empty());
  const v1::Flag& flag = jobs[0];
  ASSERT_EQ(flag.finding().facts(0).agency(), v1::AGENCY_LABOUR);
  const v1::FeedRecord& job = flag.finding().facts(0).record();
  auto decide = CtlAs(
      "cw-li", {"review", "decide", flag.flag_id(), "--decision=dismiss",
                "--reason=partner_data_wrong",
                absl::StrCat("--note=the payroll line is ", job.id_number(),
                             "'s namesake at the same employer")});
  ASSERT_EQ(decide.exit_code, 0) << decide.out << decide.err;

  auto feedback = CtlAs("agency-labour", {"feed", "feedback"});
  ASSERT_EQ(feedback.exit_code, 0) << feedback.err;
  EXPECT_THAT(feedback.out,
              StartsWith("decided_at,kind,id_number,natural_key,batch_id,"
                         "reason,visit,note,flag_id,withdrawn_by_batch\n"));
  EXPECT_THAT(feedback.out,
              HasSubstr(absl::StrCat(
                  ",employment,", MaskId(job.id_number()), ",\"employer_code ",
                  job.employment().employer_code(), ", start_date ")));
  EXPECT_THAT(feedback.out, HasSubstr(",PARTNER_DATA_WRONG,no,"));
  EXPECT_THAT(feedback.out, HasSubstr(flag.flag_id()));
  // Only what it must carry: no full ID, not even in the note.
  EXPECT_THAT(feedback.out, ::testing::Not(HasSubstr(job.id_number())));
  EXPECT_THAT(feedback.out, ::testing::Not(HasSubstr(job.name())));

  // An agency reads its own; the bureau names the agency.
  auto other = CtlAs("agency-labour", {"feed", "feedback", "--agency=land"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, HasSubstr("reads the feedback of labour only"));
  auto land = CtlAs("agency-land", {"feed", "feedback"});
  ASSERT_EQ(land.exit_code, 0) << land.err;
  EXPECT_EQ(std::count(land.out.begin(), land.out.end(), '\n'), 1);
  auto bureau = CtlAs("head-1", {"feed", "feedback"});
  EXPECT_EQ(bureau.exit_code, 1);
  EXPECT_THAT(bureau.err, HasSubstr("agency is required"));
  auto since = CtlAs(
      "head-1", {"feed", "feedback", "--agency=labour", "--since=2099-01-01"});
  ASSERT_EQ(since.exit_code, 0) << since.err;
  EXPECT_EQ(std::count(since.out.begin(), since.out.end(), '\n'), 1);
  auto worker = CtlAs("cw-li", {"feed", "feedback", "--agency=labour"});
  EXPECT_EQ(worker.exit_code, 1);
  EXPECT_THAT(worker.err, HasSubstr("PERMISSION_DENIED"));

  auto quality = CtlAs("head-1", {"report", "feed-quality", "--format=csv"});
  ASSERT_EQ(quality.exit_code, 0) << quality.err;
  for (absl::string_view line : absl::StrSplit(quality.out, '\n')) {
    if (absl::StartsWith(line, "labour,employment,")) {
      const std::vector<std::string> cells = absl::StrSplit(line, ',');
      EXPECT_GE(std::stoi(cells.at(6)), 1) << line;  // decided
      EXPECT_EQ(cells.at(7), "1") << line;           // partner wrong
    }
  }
}

}  // namespace
}  // namespace dibao
