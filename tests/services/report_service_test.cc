// The ReportService through a real server on a loopback port and the real
// stubs: statistics, posting list, samples (with the caller recorded),
// forecast and cliff, and the status codes for bad requests.
#include "services/report_service.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "base/dates.h"
#include "base/resident_id.h"
#include "dibao/v1/audit.grpc.pb.h"
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

std::string IdOf(const std::string& first17) {
  return first17 + ResidentIdCheckCharacter(first17);
}

// Two small households on two streets.
v1::Household Home(int n, const std::string& street) {
  v1::Household h;
  h.set_household_id(absl::StrCat("420102-900", n));
  h.set_district_code("420102");
  h.set_street(street);
  h.set_community("花园社区");
  h.set_registered_address(absl::StrCat(street, "花园社区", n, "栋"));
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  h.set_monthly_benefit_fen(41000);
  *h.mutable_benefit_start_date() = ToProto(absl::CivilDay(2025, 1, 1));
  v1::Member* m = h.add_members();
  m->set_id_number(IdOf(absl::StrCat("4201021980050100", n)));
  m->set_name("欧阳小明");
  m->set_sex(v1::SEX_MALE);
  m->set_relation("户主");
  m->set_reported_status(v1::REPORTED_STATUS_UNEMPLOYED);
  m->set_able_to_work(true);
  v1::Member* c = h.add_members();
  c->set_id_number(IdOf(absl::StrCat("4201022015060100", n + 1)));
  c->set_name("小红");
  c->set_sex(v1::SEX_FEMALE);
  c->set_relation("子女");
  c->set_reported_status(v1::REPORTED_STATUS_STUDENT);
  return h;
}

class ReportServiceTest : public ::testing::Test {
 protected:
  void Start(bool with_policy) {
    ServerOptions options;
    const std::string dir = testing::NewTempDir("report-service");
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
    reports_ = v1::ReportService::NewStub(channel);
    registry_ = v1::RegistryService::NewStub(channel);
    for (const auto& h : {Home(1, "解放街道"), Home(3, "前进街道")}) {
      v1::UpsertHouseholdRequest upsert;
      *upsert.mutable_household() = h;
      v1::UpsertHouseholdResponse upserted;
      const grpc::Status s =
          registry_->UpsertHousehold(Context().get(), upsert, &upserted);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  // A context naming principal `actor` (a district approver by default;
  // nobody when empty).
  std::unique_ptr<grpc::ClientContext> Context(
      const std::string& actor = "clerk-7") {
    return testing::InProcessContext(*server_, actor, absl::Seconds(30));
  }

  const absl::CivilDay kDay{2026, 11, 1};
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 26, 9, 0, 0),
                                   BureauTimeZone())};
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
};

TEST_F(ReportServiceTest, StatsAndPostingList) {
  Start(true);
  v1::StatsRequest stats_request;
  *stats_request.mutable_as_of() = ToProto(kDay);
  v1::Statistics stats;
  ASSERT_TRUE(reports_->Stats(Context().get(), stats_request, &stats).ok());
  EXPECT_EQ(stats.households(), 2);
  EXPECT_EQ(stats.persons(), 4);
  EXPECT_EQ(stats.monthly_outlay_fen(), 82000);
  EXPECT_EQ(stats.by_age_band(0).female(), 2);          // the daughters
  EXPECT_EQ(stats.by_age_band(1).male(), 2);            // the fathers
  EXPECT_EQ(stats.by_reported_status(5).persons(), 2);  // STUDENT
  EXPECT_EQ(stats.by_reported_status(5).percent_bp(), 5000);
  // Without a day: today (the server's clock).
  v1::Statistics today;
  ASSERT_TRUE(
      reports_->Stats(Context().get(), v1::StatsRequest(), &today).ok());
  EXPECT_EQ(FormatDate(today.as_of()), "2026-11-26");

  stats_request.mutable_area()->set_community("花园社区");
  grpc::Status bad = reports_->Stats(Context().get(), stats_request, &stats);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  stats_request.Clear();
  stats_request.mutable_as_of()->set_year(2026);
  stats_request.mutable_as_of()->set_month(2);
  stats_request.mutable_as_of()->set_day(30);
  bad = reports_->Stats(Context().get(), stats_request, &stats);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::PostingListRequest posting;
  posting.mutable_area()->set_district_code("420102");
  posting.mutable_area()->set_street("解放街道");
  v1::PostingListResponse lists;
  ASSERT_TRUE(reports_->PostingList(Context().get(), posting, &lists).ok());
  ASSERT_EQ(lists.communities_size(), 1);
  ASSERT_EQ(lists.communities(0).entries_size(), 1);
  const v1::PostingEntry& e = lists.communities(0).entries(0);
  EXPECT_EQ(e.head_name_masked(), "欧**明");
  EXPECT_EQ(
      e.head_id_masked(),
      absl::StrCat("420102***********", IdOf("42010219800501001").substr(17)));
  EXPECT_EQ(e.members(), 2);
  EXPECT_EQ(e.monthly_benefit_fen(), 41000);
}

TEST_F(ReportServiceTest, SamplesAreDrawnStoredAndAudited) {
  Start(true);
  v1::DrawSampleRequest draw;
  draw.set_fraction(0.5);
  draw.set_seed(42);
  draw.set_stratify(v1::STRATIFICATION_STREET);
  draw.set_note("Q4");
  v1::SpotCheckSample sample;
  const grpc::Status s =
      reports_->DrawSample(Context("inspector-2").get(), draw, &sample);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(sample.sample_seq(), 1);
  EXPECT_EQ(sample.drawn_by(), "inspector-2");
  EXPECT_EQ(sample.households_size(), 2);  // one per street at least
  EXPECT_EQ(FromProto(sample.drawn_at()), clock_.Now());

  v1::GetSampleRequest get;
  get.set_sample_seq(1);
  v1::SpotCheckSample got;
  ASSERT_TRUE(reports_->GetSample(Context().get(), get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), sample.SerializeAsString());
  v1::ListSamplesResponse list;
  ASSERT_TRUE(
      reports_->ListSamples(Context().get(), v1::ListSamplesRequest(), &list)
          .ok());
  ASSERT_EQ(list.samples_size(), 1);
  EXPECT_EQ(list.samples(0).note(), "Q4");

  // Bad fractions, an unknown sample, a negative limit.
  for (double f : {0.0, -1.0, 1.5}) {
    draw.set_fraction(f);
    EXPECT_EQ(reports_->DrawSample(Context().get(), draw, &sample).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << f;
  }
  get.set_sample_seq(7);
  EXPECT_EQ(reports_->GetSample(Context().get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListSamplesRequest negative;
  negative.set_limit(-1);
  EXPECT_EQ(
      reports_->ListSamples(Context().get(), negative, &list).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  // Drawn without naming oneself: refused, nothing stored.
  draw.set_fraction(1);
  EXPECT_EQ(reports_->DrawSample(Context("").get(), draw, &sample).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::ListSamplesResponse after;
  ASSERT_TRUE(reports_->ListSamples(Context().get(), {}, &after).ok());
  EXPECT_EQ(after.samples_size(), 1);
}

TEST_F(ReportServiceTest, ForecastAndCliff) {
  Start(true);
  v1::ForecastRequest forecast;
  forecast.set_district_code("420102");
  *forecast.mutable_as_of() = ToProto(kDay);
  v1::IntakeForecast f;
  ASSERT_TRUE(reports_->Forecast(Context().get(), forecast, &f).ok());
  EXPECT_EQ(f.streets_size(), 0);  // no partner facts yet
  forecast.set_district_code("42");
  EXPECT_EQ(reports_->Forecast(Context().get(), forecast, &f).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::CliffRequest cliff;
  cliff.set_household_id("420102-9001");
  cliff.set_wage_fen(30000);
  *cliff.mutable_as_of() = ToProto(kDay);
  v1::BenefitCliff c;
  const grpc::Status s = reports_->Cliff(Context().get(), cliff, &c);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(c.member_name(), "欧阳小明");
  EXPECT_EQ(c.without_job().benefit_fen(), 41000);
  EXPECT_EQ(c.with_job().benefit_fen(), 21000);
  EXPECT_EQ(c.with_job().net_gain_fen(), 0);
  EXPECT_EQ(c.gradual_exit(0).net_gain_fen(), 20000);

  cliff.set_wage_fen(0);
  EXPECT_EQ(reports_->Cliff(Context().get(), cliff, &c).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  cliff.set_wage_fen(30000);
  cliff.set_household_id("420102-0000");
  EXPECT_EQ(reports_->Cliff(Context().get(), cliff, &c).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReportServiceTest, ForecastAndCliffNeedAPolicy) {
  Start(false);
  v1::IntakeForecast f;
  const grpc::Status s =
      reports_->Forecast(Context().get(), v1::ForecastRequest(), &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("--policy"));
  v1::CliffRequest cliff;
  cliff.set_household_id("420102-9001");
  cliff.set_wage_fen(30000);
  v1::BenefitCliff c;
  EXPECT_EQ(reports_->Cliff(Context().get(), cliff, &c).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // The rest works without one.
  v1::Statistics stats;
  EXPECT_TRUE(
      reports_->Stats(Context().get(), v1::StatsRequest(), &stats).ok());
}

}  // namespace
}  // namespace dibao
