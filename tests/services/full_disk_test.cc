// The server on a small filesystem (a 64 MiB tmpfs) that fills up during
// an upload and a cycle: the calls fail with RESOURCE_EXHAUSTED naming the
// data directory, nothing is half applied, reads go on, health says
// NOT_SERVING, and everything works again once space is freed.
//
// Mounting needs root (CI runs as root); elsewhere the test is skipped and
// says why.
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "dibao/v1/audit.grpc.pb.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "dibao/v1/matching.grpc.pb.h"
#include "dibao/v1/registry.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

// Distinct valid IDs for n < 28,000: born 1990-03-(1 + n / 1000).
std::string Id(int n) {
  const std::string first17 =
      absl::StrFormat("4201021990%02d%02d%03d", 3, 1 + n / 1000, n % 1000);
  return first17 + ResidentIdCheckCharacter(first17);
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root to mount a small tmpfs";
    }
    dir_ = testing::NewTempDir("full-disk");
    disk_ = dir_ + "/disk";
    std::filesystem::create_directories(disk_);
    if (::mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=64m,mode=0700") !=
        0) {
      GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
    }
    mounted_ = true;
    ServerOptions options;
    testing::UseTestAccess(&options, dir_);
    options.data_dir = disk_ + "/data";
    options.backup.dir = dir_ + "/backups";
    options.policy_file = DIBAO_SOURCE_DIR "/deploy/policy.textproto";
    options.store.write_buffer_mb = 1;
    options.min_free_bytes = 1 << 20;
    options.disk_check_interval = absl::Milliseconds(100);
    auto server = Server::Start(options, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  void TearDown() override {
    server_.reset();
    if (mounted_) ::umount2(disk_.c_str(), MNT_DETACH);
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& who) {
    return testing::InProcessContext(*server_, who, absl::Seconds(30));
  }

  // Fills the disk up with a file of its own, to the last byte.
  void Fill() {
    std::ofstream filler(disk_ + "/filler", std::ios::binary);
    const std::string block(1 << 16, 'x');
    while (filler.write(block.data(), block.size())) {
    }
    filler.close();
    // Whatever is left is less than a block.
    ASSERT_LT(*Free(), int64_t{1} << 16);
  }
  absl::StatusOr<int64_t> Free() {
    std::error_code ec;
    auto space = std::filesystem::space(disk_, ec);
    if (ec) return absl::UnavailableError(ec.message());
    return static_cast<int64_t>(space.available);
  }

  // `records` hukou records for Id(0), Id(1), ...: the first `deceased`
  // of them dead since 2026-10-01.
  grpc::Status Upload(const std::string& batch_id, int records,
                      v1::Receipt* receipt, int deceased = 0) {
    auto stub = v1::FeedService::NewStub(server_->InProcessChannel());
    auto context = As("police-feed");
    auto writer = stub->Upload(context.get(), receipt);
    v1::UploadRequest request;
    v1::BatchHeader* h = request.mutable_header();
    h->set_agency(v1::AGENCY_PUBLIC_SECURITY);
    h->set_kind(v1::FEED_KIND_HUKOU);
    h->set_batch_id(batch_id);
    *h->mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 25));
    h->set_mode(v1::BATCH_MODE_DELTA);
    h->set_record_count(records);
    writer->Write(request);
    for (int i = 0; i < records;) {
      request.Clear();
      for (int k = 0; k < 1000 && i < records; ++k, ++i) {
        v1::FeedRecord* r = request.mutable_records()->add_records();
        r->set_id_number(Id(i));
        r->set_name("某人");
        auto* hukou = r->mutable_hukou();
        hukou->set_sex(v1::SEX_MALE);
        *hukou->mutable_birth_date() =
            ToProto(absl::CivilDay(1990, 3, 1 + i / 1000));
        hukou->set_address_code("420102");
        hukou->set_status(i < deceased ? v1::HUKOU_STATUS_DECEASED
                                       : v1::HUKOU_STATUS_NORMAL);
        if (i < deceased) {
          *hukou->mutable_status_date() = ToProto(absl::CivilDay(2026, 10, 1));
        }
      }
      writer->Write(request);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  grpc::health::v1::HealthCheckResponse::ServingStatus Health() {
    auto stub = grpc::health::v1::Health::NewStub(server_->InProcessChannel());
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    stub->Check(&context, grpc::health::v1::HealthCheckRequest(), &response)
        .IgnoreError();
    return response.status();
  }
  // Polls health until it is `want` or 30 s have passed.
  bool HealthBecomes(
      grpc::health::v1::HealthCheckResponse::ServingStatus want) {
    for (int i = 0; i < 300; ++i) {
      if (Health() == want) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  // Households H0000 … of one member each, Id(0) … .
  void Register(int households) {
    auto stub = v1::RegistryService::NewStub(server_->InProcessChannel());
    for (int i = 0; i < households; ++i) {
      v1::UpsertHouseholdRequest request;
      v1::Household* h = request.mutable_household();
      h->set_household_id(absl::StrFormat("H%04d", i));
      h->set_district_code("420102");
      h->set_street("人民街道");
      h->set_community("桃园社区");
      h->set_registered_address("地址");
      h->set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
      h->set_monthly_benefit_fen(10000);
      *h->mutable_benefit_start_date() = ToProto(absl::CivilDay(2020, 1, 1));
      v1::Member* m = h->add_members();
      m->set_id_number(Id(i));
      m->set_name("某人");
      m->set_reported_status(v1::REPORTED_STATUS_OTHER);
      v1::UpsertHouseholdResponse response;
      grpc::Status s =
          stub->UpsertHousehold(As("clerk-7").get(), request, &response);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  int64_t Batches() {
    auto stub = v1::FeedService::NewStub(server_->InProcessChannel());
    v1::ListBatchesResponse response;
    EXPECT_TRUE(stub->ListBatches(As("auditor-1").get(),
                                  v1::ListBatchesRequest(), &response)
                    .ok());
    return response.receipts_size();
  }

  std::string dir_, disk_;
  bool mounted_ = false;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 26, 2, 0, 0),
                                   BureauTimeZone())};
  std::unique_ptr<Server> server_;
};

TEST_F(FullDiskTest, FullDiskRefusesWritesWholeKeepsReadsAndRecovers) {
  using Serving = grpc::health::v1::HealthCheckResponse;
  // 900 households whose one member's death the hukou feed reports: the
  // cycle will have 900 flags to write.
  Register(900);
  v1::Receipt receipt;
  grpc::Status s = Upload("HK-1", 900, &receipt, /*deceased=*/900);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(Health(), Serving::SERVING);

  Fill();
  // An upload that does not fit: refused whole, naming the data directory.
  s = Upload("HK-2", 20'000, &receipt, /*deceased=*/900);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr(disk_ + "/data"));
  EXPECT_EQ(Batches(), 1);  // HK-2 left no trace
  EXPECT_TRUE(HealthBecomes(Serving::NOT_SERVING));

  // A cycle: refused too, with the same reason.
  auto cycles = v1::CycleService::NewStub(server_->InProcessChannel());
  v1::RunCycleRequest run;
  *run.mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 26));
  v1::CycleReport report;
  s = cycles->RunCycle(As("night-operator").get(), run, &report);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("is full"));

  // Reads go on: counts and receipts (Batches() above). A read of a
  // person's data must go on the audit chain first, so while the chain
  // cannot be written it is refused, saying why.
  auto feeds = v1::FeedService::NewStub(server_->InProcessChannel());
  v1::GetPersonFactsRequest person;
  person.set_id_number(Id(7));
  v1::PersonFacts facts;
  s = feeds->GetPersonFacts(As("auditor-1").get(), person, &facts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("could not be recorded"));
  EXPECT_EQ(facts.facts_size(), 0);

  // Space comes back: health, then writes, without a restart.
  std::filesystem::remove(disk_ + "/filler");
  EXPECT_TRUE(HealthBecomes(Serving::SERVING));
  // The same batch again: its ID is still free.
  s = Upload("HK-2", 20'000, &receipt, /*deceased=*/900);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(receipt.accepted(), 20'000 - 900);
  EXPECT_EQ(receipt.unchanged(), 900);
  s = feeds->GetPersonFacts(As("auditor-1").get(), person, &facts);
  EXPECT_TRUE(s.ok()) << s.error_message();
  s = cycles->RunCycle(As("night-operator").get(), run, &report);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.households_assessed(), 900);
  auto audit = v1::AuditService::NewStub(server_->InProcessChannel());
  v1::AuditVerification verified;
  s = audit->VerifyAudit(As("auditor-1").get(), v1::VerifyAuditRequest(),
                         &verified);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(verified.ok()) << verified.problem();
}

}  // namespace
}  // namespace dibao
