// The registry service through a real server on a loopback port and the real
// generated stub.
#include "services/registry_service.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/match.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "dibao/v1/audit.grpc.pb.h"
#include "formats/metadata.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

std::string Id(const std::string& first17) {
  return first17 + ResidentIdCheckCharacter(first17);
}

v1::Household MakeHousehold(const std::string& id,
                            const std::vector<std::string>& member_ids) {
  v1::Household h;
  h.set_household_id(id);
  h.set_district_code("420102");
  h.set_street("人民街道");
  h.set_community("桃园社区");
  h.set_registered_address("地址");
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
  h.set_monthly_benefit_fen(10000);
  *h.mutable_benefit_start_date() = ToProto(absl::CivilDay(2020, 1, 1));
  for (const auto& m : member_ids) {
    v1::Member* member = h.add_members();
    member->set_id_number(m);
    member->set_name("某人");
    member->set_reported_status(v1::REPORTED_STATUS_OTHER);
  }
  return h;
}

class RegistryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    const std::string dir = testing::NewTempDir("service");
    testing::UseTestAccess(&options, dir);
    options.data_dir = dir + "/data";
    options.max_message_bytes = 64 << 10;
    auto server = Server::Start(options, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    // The in-process channel, where calls name their principal as the
    // console does (certificates are tests/services/gatekeeper_test.cc's).
    channel_ = server_->InProcessChannel();
    stub_ = v1::RegistryService::NewStub(channel_);
  }

  // A context naming principal `actor`, a district approver by default.
  std::unique_ptr<grpc::ClientContext> Context(
      const std::string& actor = "clerk-7") {
    return testing::InProcessContext(*server_, actor, absl::Seconds(10));
  }

  grpc::Status Upsert(const v1::Household& h, v1::UpsertHouseholdResponse* r,
                      const std::string& actor = "clerk-7") {
    v1::UpsertHouseholdRequest request;
    *request.mutable_household() = h;
    return stub_->UpsertHousehold(Context(actor).get(), request, r);
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 26, 9, 0, 0),
                                   BureauTimeZone())};
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
  const std::string a_ = Id("42010219900307451");
  const std::string b_ = Id("42010219900307452");
};

TEST_F(RegistryServiceTest, UpsertGetFindAndHistoryRecordTheActor) {
  v1::UpsertHouseholdResponse r;
  {
    auto st = Upsert(MakeHousehold("H1", {a_}), &r);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  EXPECT_EQ(r.outcome(), v1::UPSERT_OUTCOME_CREATED);
  {
    auto st = Upsert(MakeHousehold("H1", {a_}), &r);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  EXPECT_EQ(r.outcome(), v1::UPSERT_OUTCOME_UNCHANGED);

  v1::GetHouseholdRequest get;
  get.set_household_id("H1");
  v1::Household h;
  ASSERT_TRUE(stub_->GetHousehold(Context().get(), get, &h).ok());
  EXPECT_EQ(h.updated_by(), "clerk-7");

  v1::FindHouseholdByMemberRequest find;
  find.set_id_number(
      "４２０１０２９００３０７４５１");  // full-width, 15 digits
  ASSERT_TRUE(stub_->FindHouseholdByMember(Context().get(), find, &h).ok());
  EXPECT_EQ(h.household_id(), "H1");

  get.set_household_id("nope");
  grpc::Status missing = stub_->GetHousehold(Context().get(), get, &h);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);

  v1::GetHouseholdHistoryRequest hist;
  hist.set_household_id("H1");
  v1::GetHouseholdHistoryResponse history;
  ASSERT_TRUE(stub_->GetHouseholdHistory(Context().get(), hist, &history).ok());
  ASSERT_EQ(history.changes_size(), 1);
  EXPECT_EQ(history.changes(0).actor(), "clerk-7");
  EXPECT_EQ(history.changes(0).source(), "api");
}

TEST_F(RegistryServiceTest,
       DuplicateEnrolmentIsFailedPreconditionNamingTheHousehold) {
  v1::UpsertHouseholdResponse r;
  {
    auto st = Upsert(MakeHousehold("H1", {a_}), &r);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  grpc::Status s = Upsert(MakeHousehold("H2", {b_, a_}), &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("ACTIVE household H1"));
}

TEST_F(RegistryServiceTest, InvalidFieldIsInvalidArgument) {
  v1::UpsertHouseholdResponse r;
  grpc::Status s = Upsert(MakeHousehold("H1", {"420102199003074514"}), &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(
      s.error_message(),
      HasSubstr("member 1 id_number: check character is 4, expected 3"));
}

TEST_F(RegistryServiceTest, ImportKeepsGoodHouseholdsAndReportsLines) {
  v1::ImportRegistryResponse response;
  {
    auto context = Context("importer");
    auto writer = stub_->ImportRegistry(context.get(), &response);
    v1::ImportRegistryRequest req;
    req.mutable_header()->set_households_source("h.csv");
    req.mutable_header()->set_members_source("m.csv");
    ASSERT_TRUE(writer->Write(req));
    auto add = [&](const v1::Household& h, int64_t hline,
                   std::vector<int64_t> mlines) {
      v1::ImportRegistryRequest item;
      *item.mutable_item()->mutable_household() = h;
      item.mutable_item()->set_household_line(hline);
      for (auto l : mlines) item.mutable_item()->add_member_lines(l);
      ASSERT_TRUE(writer->Write(item));
    };
    add(MakeHousehold("H1", {a_}), 2, {2});
    add(MakeHousehold("H2", {b_, "42010219900307451X"}), 3, {3, 4});
    add(MakeHousehold("H3", {a_}), 4, {5});  // a_ is in ACTIVE H1
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
  }
  EXPECT_EQ(response.created(), 1);
  EXPECT_EQ(response.rejected_households(), 2);
  EXPECT_EQ(response.members_stored(), 1);
  ASSERT_EQ(response.rejections_size(), 2);
  EXPECT_EQ(response.rejections(0).source(), "m.csv");
  EXPECT_EQ(response.rejections(0).line(), 4);
  EXPECT_EQ(response.rejections(0).field(), "id_number");
  EXPECT_EQ(response.rejections(0).key(), "H2");
  EXPECT_EQ(response.rejections(1).line(), 5);
  EXPECT_THAT(response.rejections(1).reason(),
              HasSubstr("ACTIVE household H1"));

  // The good household landed, with the import as its source.
  v1::GetHouseholdHistoryRequest hist;
  hist.set_household_id("H1");
  v1::GetHouseholdHistoryResponse history;
  ASSERT_TRUE(stub_->GetHouseholdHistory(Context().get(), hist, &history).ok());
  EXPECT_EQ(history.changes(0).source(), "import h.csv:2");
  EXPECT_EQ(history.changes(0).actor(), "importer");
}

TEST_F(RegistryServiceTest, ImportWithoutHeaderIsRefused) {
  v1::ImportRegistryResponse response;
  auto context = Context();
  auto writer = stub_->ImportRegistry(context.get(), &response);
  v1::ImportRegistryRequest item;
  *item.mutable_item()->mutable_household() = MakeHousehold("H1", {a_});
  writer->Write(item);
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("header"));
}

TEST_F(RegistryServiceTest, ListPagesAndExportStreamsEverything) {
  v1::UpsertHouseholdResponse r;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Upsert(MakeHousehold(absl::StrCat("H", i),
                                     {Id(absl::StrCat("4201021990010100", i))}),
                       &r)
                    .ok());
  }
  v1::ListHouseholdsRequest list;
  list.set_page_size(2);
  v1::ListHouseholdsResponse page;
  ASSERT_TRUE(stub_->ListHouseholds(Context().get(), list, &page).ok());
  EXPECT_EQ(page.households_size(), 2);
  EXPECT_FALSE(page.next_page_token().empty());

  // Everyone at once: only with a stated purpose, and counted.
  v1::ListHouseholdsRequest all;
  {
    auto unstated = Context();
    auto reader = stub_->ExportRegistry(unstated.get(), all);
    v1::Household h;
    EXPECT_FALSE(reader->Read(&h));
    const grpc::Status s = reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("needs a stated purpose"));
  }
  auto context = Context();
  context->AddMetadata(kPurposeMetadataKey, "年度备份");
  auto reader = stub_->ExportRegistry(context.get(), all);
  v1::Household h;
  int n = 0;
  while (reader->Read(&h)) ++n;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(n, 5);
  std::vector<v1::AuditEntry> exports;
  v1::ListAuditRequest chain;
  chain.set_limit(10000);
  v1::ListAuditResponse entries;
  ASSERT_TRUE(v1::AuditService::NewStub(channel_)
                  ->ListAudit(Context("auditor-1").get(), chain, &entries)
                  .ok());
  for (const v1::AuditEntry& e : entries.entries()) {
    if (e.action() == v1::AUDIT_ACTION_BULK_EXPORT &&
        absl::StrContains(e.detail(), "ExportRegistry")) {
      exports.push_back(e);
    }
  }
  ASSERT_EQ(exports.size(), 1u);
  EXPECT_EQ(exports[0].records(), 5);
  EXPECT_EQ(exports[0].purpose(), "年度备份");
}

TEST_F(RegistryServiceTest, OversizedMessageIsRefused) {
  v1::Household h = MakeHousehold("H1", {a_});
  h.set_registered_address(std::string(100 << 10, 'x'));
  v1::UpsertHouseholdResponse r;
  EXPECT_EQ(Upsert(h, &r).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(RegistryServiceTest, HealthCheckServes) {
  // Over TLS, as a load balancer or dibaoctl health asks.
  auto stub = grpc::health::v1::Health::NewStub(
      testing::ChannelAs(server_->address(), "clerk-7"));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(stub->Check(Context().get(), request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace dibao
