// The matching engine through a real server on a loopback port and the real
// stubs: a household, a partner fact, a cycle, its flag and assessment, the
// intake check, and the errors a client can make.
#include "services/cycle_service.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "base/dates.h"
#include "base/resident_id.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "dibao/v1/registry.grpc.pb.h"
#include "formats/metadata.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

constexpr char kWorker[] = "420102199003074513";  // male, born 1990-03-07

v1::Household Household() {
  v1::Household h;
  h.set_household_id("420102-9001");
  h.set_district_code("420102");
  h.set_street("解放街道");
  h.set_community("花园社区");
  h.set_registered_address("花园社区1栋1单元101室");
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  h.set_monthly_benefit_fen(20500);
  *h.mutable_benefit_start_date() = ToProto(absl::CivilDay(2025, 1, 1));
  v1::Member* m = h.add_members();
  m->set_id_number(kWorker);
  m->set_name("张三");
  m->set_relation("户主");
  m->set_reported_status(v1::REPORTED_STATUS_UNEMPLOYED);
  return h;
}

class CycleServiceTest : public ::testing::Test {
 protected:
  void Start(bool with_policy) {
    ServerOptions options;
    const std::string dir = testing::NewTempDir("cycle-service");
    testing::UseTestAccess(&options, dir);
    options.data_dir = dir + "/data";
    if (with_policy) {
      options.policy_file =
          std::string(DIBAO_SOURCE_DIR) + "/deploy/policy.textproto";
    }
    auto server = Server::Start(options, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    // The in-process channel, where calls name their principal as the
    // console does (certificates are tests/services/gatekeeper_test.cc's).
    auto channel = server_->InProcessChannel();
    cycles_ = v1::CycleService::NewStub(channel);
    registry_ = v1::RegistryService::NewStub(channel);
    feeds_ = v1::FeedService::NewStub(channel);
  }

  // A context naming principal `actor`: a district approver, who reads
  // flags and checks applicants, by default.
  std::unique_ptr<grpc::ClientContext> Context(
      const std::string& actor = "clerk-7") {
    return testing::InProcessContext(*server_, actor, absl::Seconds(30));
  }
  // The operator, who runs cycles.
  std::unique_ptr<grpc::ClientContext> Operator() {
    return Context("night-operator");
  }

  // The household, and a job the labour bureau knows about.
  void Load() {
    v1::UpsertHouseholdRequest upsert;
    *upsert.mutable_household() = Household();
    v1::UpsertHouseholdResponse upserted;
    const grpc::Status s =
        registry_->UpsertHousehold(Context().get(), upsert, &upserted);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::Receipt receipt;
    auto context = Context("agency-labour");
    auto writer = feeds_->Upload(context.get(), &receipt);
    v1::UploadRequest request;
    v1::BatchHeader* h = request.mutable_header();
    h->set_agency(v1::AGENCY_LABOUR);
    h->set_kind(v1::FEED_KIND_EMPLOYMENT);
    h->set_batch_id("LABOUR-1");
    *h->mutable_as_of() = ToProto(kDay);
    h->set_mode(v1::BATCH_MODE_SNAPSHOT);
    h->set_record_count(1);
    ASSERT_TRUE(writer->Write(request));
    request.Clear();
    v1::FeedRecord* r = request.mutable_records()->add_records();
    r->set_id_number(kWorker);
    r->set_name("张三");
    r->mutable_employment()->set_employer_code("91420102MA4K000003");
    r->mutable_employment()->set_employer_name("武汉市惠民家政服务中心");
    *r->mutable_employment()->mutable_start_date() = ToProto(kDay - 60);
    r->mutable_employment()->set_monthly_wage_fen(280000);
    ASSERT_TRUE(writer->Write(request));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
  }

  const absl::CivilDay kDay{2026, 11, 1};
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 26, 2, 0, 0),
                                   BureauTimeZone())};
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::CycleService::Stub> cycles_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::FeedService::Stub> feeds_;
};

TEST_F(CycleServiceTest, ACycleFlagsTheUndeclaredJobWithItsEvidence) {
  Start(true);
  Load();
  v1::RunCycleRequest run;
  *run.mutable_as_of() = ToProto(kDay);
  v1::CycleReport report;
  ASSERT_TRUE(cycles_->RunCycle(Operator().get(), run, &report).ok());
  EXPECT_EQ(report.cycle_seq(), 1);
  EXPECT_EQ(report.households_assessed(), 1);
  EXPECT_EQ(report.run_by(), "night-operator");

  v1::ListFlagsRequest list;
  list.set_rule("UNDECLARED_EMPLOYMENT");
  v1::ListFlagsResponse flags;
  ASSERT_TRUE(cycles_->ListFlags(Context().get(), list, &flags).ok());
  ASSERT_EQ(flags.flags_size(), 1);
  // A list shows the member masked and no evidence; the flag itself has
  // both (and its read is recorded).
  const v1::Flag& listed_flag = flags.flags(0);
  EXPECT_EQ(listed_flag.finding().id_number(), MaskId(kWorker));
  EXPECT_EQ(listed_flag.finding().facts_size(), 0);
  v1::GetFlagRequest get;
  get.set_flag_id(listed_flag.flag_id());
  v1::Flag f;
  ASSERT_TRUE(cycles_->GetFlag(Context().get(), get, &f).ok());
  EXPECT_EQ(f.household_id(), "420102-9001");
  EXPECT_EQ(f.finding().id_number(), kWorker);
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(f.finding().facts(0).batch_id(), "LABOUR-1");
  // 205 yuan paid now; with a 2,800 yuan wage nothing is due.
  EXPECT_EQ(f.finding().est_monthly_overpayment_fen(), 20500);
  EXPECT_EQ(listed_flag.finding().est_monthly_overpayment_fen(), 20500);

  v1::GetAssessmentRequest assess;
  assess.set_household_id("420102-9001");
  v1::Assessment a;
  ASSERT_TRUE(cycles_->GetAssessment(Context().get(), assess, &a).ok());
  EXPECT_FALSE(a.income_eligible());
  EXPECT_GT(a.explanation_size(), 3);

  v1::ListCyclesRequest cycles;
  v1::ListCyclesResponse listed;
  ASSERT_TRUE(cycles_->ListCycles(Operator().get(), cycles, &listed).ok());
  ASSERT_EQ(listed.cycles_size(), 1);
}

TEST_F(CycleServiceTest, TheIntakeCheckStoresNothing) {
  Start(true);
  Load();
  v1::CheckApplicantRequest check;
  v1::Household applicant = Household();
  // An applicant: no ID, no benefit, no start date yet.
  applicant.set_household_id("");
  applicant.set_monthly_benefit_fen(0);
  applicant.clear_benefit_start_date();
  *check.mutable_household() = applicant;
  *check.mutable_as_of() = ToProto(kDay);
  v1::CheckApplicantResponse r;
  ASSERT_TRUE(cycles_->CheckApplicant(Context().get(), check, &r).ok());
  EXPECT_FALSE(r.eligible());
  ASSERT_GE(r.findings_size(), 1);
  EXPECT_EQ(r.findings(0).rule(), "UNDECLARED_EMPLOYMENT");
  ASSERT_EQ(r.warnings_size(), 1);
  EXPECT_THAT(r.warnings(0), HasSubstr("420102-9001"));
  v1::ListFlagsResponse flags;
  ASSERT_TRUE(cycles_->ListFlags(Context().get(), {}, &flags).ok());
  EXPECT_EQ(flags.flags_size(), 0);
}

TEST_F(CycleServiceTest, BadRequestsGetSpecificErrors) {
  Start(true);
  v1::CycleReport report;
  EXPECT_EQ(cycles_->RunCycle(Operator().get(), {}, &report).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::RunCycleRequest bad_day;
  bad_day.mutable_as_of()->set_year(2026);
  bad_day.mutable_as_of()->set_month(2);
  bad_day.mutable_as_of()->set_day(30);
  EXPECT_EQ(cycles_->RunCycle(Operator().get(), bad_day, &report).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // The clock says 2026-11-26: the 27th is the latest day a cycle may use.
  v1::RunCycleRequest future;
  *future.mutable_as_of() = ToProto(absl::CivilDay(9999, 12, 31));
  const grpc::Status refused =
      cycles_->RunCycle(Operator().get(), future, &report);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("9999-12-31"));
  EXPECT_THAT(refused.error_message(), HasSubstr("2026-11-27 at the latest"));
  v1::ListCyclesResponse cycles;
  ASSERT_TRUE(cycles_->ListCycles(Operator().get(), {}, &cycles).ok());
  EXPECT_EQ(cycles.cycles_size(), 0);
  *future.mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 27));
  EXPECT_TRUE(cycles_->RunCycle(Operator().get(), future, &report).ok());
  v1::ListFlagsRequest list;
  list.set_rule("NOT_A_RULE");
  v1::ListFlagsResponse flags;
  const grpc::Status s = cycles_->ListFlags(Context().get(), list, &flags);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("UNDECLARED_EMPLOYMENT"));
  v1::GetFlagRequest get;
  get.set_flag_id("F0000042");
  v1::Flag f;
  EXPECT_EQ(cycles_->GetFlag(Context().get(), get, &f).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_flag_id("42");
  EXPECT_EQ(cycles_->GetFlag(Context().get(), get, &f).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::CheckApplicantRequest check;
  *check.mutable_household() = Household();
  check.mutable_household()->mutable_members(0)->set_id_number("4201021990");
  v1::CheckApplicantResponse r;
  EXPECT_EQ(cycles_->CheckApplicant(Context().get(), check, &r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CycleServiceTest, WithoutAPolicyCyclesAreRefusedSayingWhy) {
  Start(false);
  v1::RunCycleRequest run;
  *run.mutable_as_of() = ToProto(kDay);
  v1::CycleReport report;
  const grpc::Status s = cycles_->RunCycle(Operator().get(), run, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("--policy"));
}

TEST(CycleServerTest, ABadPolicyStopsTheServerNamingTheLine) {
  const std::string dir = testing::NewTempDir("bad-policy");
  testing::WriteFile(dir + "/policy.textproto",
                     "version: \"x\"\n"
                     "standards { district_code: \"*\" effective_from { year: "
                     "2008 month: 1 day: 1 } monthly_standard_fen: -5 }\n");
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir + "/data";
  options.policy_file = dir + "/policy.textproto";
  SystemClock clock;
  auto server = Server::Start(options, &clock);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(server.status().message(), HasSubstr("policy.textproto:2:"));
  EXPECT_THAT(server.status().message(),
              HasSubstr("standards[0].monthly_standard_fen"));
}

}  // namespace
}  // namespace dibao
