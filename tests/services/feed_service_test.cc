// Feed uploads through a real server on a loopback port and the real stub.
#include "services/feed_service.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "formats/metadata.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

v1::FeedRecord Hukou(const std::string& id, v1::HukouStatus status) {
  v1::FeedRecord r;
  r.set_id_number(id);
  r.set_name("某人");
  auto* h = r.mutable_hukou();
  h->set_sex(v1::SEX_MALE);
  *h->mutable_birth_date() = ToProto(absl::CivilDay(1990, 3, 7));
  h->set_address_code("420102");
  h->set_status(status);
  return r;
}

class FeedServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    const std::string dir = testing::NewTempDir("feed-service");
    testing::UseTestAccess(&options, dir);
    options.data_dir = dir + "/data";
    options.max_message_bytes = 256 << 10;
    options.feeds.max_records_per_batch = 10'000;
    options.uploads.max_total = 3;
    options.uploads.idle = absl::Seconds(30);
    options.uploads.poll = absl::Milliseconds(20);
    auto server = Server::Start(options, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    // The in-process channel, where calls name their principal as the
    // console does (certificates are tests/services/gatekeeper_test.cc's).
    stub_ = v1::FeedService::NewStub(server_->InProcessChannel());
  }

  // A context naming principal `actor`: the public security bureau's
  // feed by default.
  std::unique_ptr<grpc::ClientContext> Context(
      const std::string& actor = "police-feed") {
    return testing::InProcessContext(*server_, actor, absl::Seconds(20));
  }

  v1::BatchHeader Header(const std::string& id, int64_t count) {
    v1::BatchHeader h;
    h.set_agency(v1::AGENCY_PUBLIC_SECURITY);
    h.set_kind(v1::FEED_KIND_HUKOU);
    h.set_batch_id(id);
    *h.mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 25));
    h.set_mode(v1::BATCH_MODE_SNAPSHOT);
    h.set_record_count(count);
    return h;
  }

  // Sends the header and `chunks`; finishes the stream unless `cancel`.
  grpc::Status Upload(const v1::BatchHeader& header,
                      const std::vector<std::vector<v1::FeedRecord>>& chunks,
                      v1::Receipt* receipt, bool cancel = false) {
    auto context = Context();
    auto writer = stub_->Upload(context.get(), receipt);
    v1::UploadRequest request;
    *request.mutable_header() = header;
    writer->Write(request);
    for (const auto& chunk : chunks) {
      request.Clear();
      for (const auto& r : chunk) *request.mutable_records()->add_records() = r;
      writer->Write(request);
    }
    if (cancel) {
      context->TryCancel();
    } else {
      writer->WritesDone();
    }
    return writer->Finish();
  }

  int64_t Batches() {
    v1::ListBatchesResponse response;
    EXPECT_TRUE(
        stub_->ListBatches(Context().get(), v1::ListBatchesRequest(), &response)
            .ok());
    return response.receipts_size();
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 26, 2, 0, 0),
                                   BureauTimeZone())};
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::FeedService::Stub> stub_;
};

TEST_F(FeedServiceTest, UploadCommitsAndReplayChangesNothing) {
  v1::Receipt receipt;
  // A DELTA: one rejected record of three would be too many for a SNAPSHOT
  // (FeedStoreTest.SnapshotWithTooManyRejectedLinesIsRefusedWholly).
  auto header = Header("PS-1", 3);
  header.set_mode(v1::BATCH_MODE_DELTA);
  const std::vector<std::vector<v1::FeedRecord>> chunks = {
      {Hukou("420102199003074513", v1::HUKOU_STATUS_NORMAL),
       Hukou("420102199003074521", v1::HUKOU_STATUS_DECEASED)},
      {Hukou("bad", v1::HUKOU_STATUS_NORMAL)}};
  ASSERT_TRUE(Upload(header, chunks, &receipt).ok());
  EXPECT_EQ(receipt.accepted(), 2);
  EXPECT_EQ(receipt.rejected(), 1);
  EXPECT_EQ(receipt.committed_by(), "police-feed");

  v1::Receipt again;
  ASSERT_TRUE(Upload(header, chunks, &again).ok());
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.digest(), receipt.digest());
  EXPECT_EQ(Batches(), 1);

  v1::Receipt conflict;
  grpc::Status s = Upload(
      header, {{Hukou("420102199003074513", v1::HUKOU_STATUS_MOVED_OUT)}, {}},
      &conflict);
  // Same count is needed for the header to match: 1 record instead of 3.
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::GetRejectionsRequest rej;
  rej.set_batch_id("PS-1");
  auto context = Context();
  auto reader = stub_->GetRejections(context.get(), rej);
  v1::RecordRejection r;
  int n = 0;
  while (reader->Read(&r)) ++n;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(r.position(), 3);
  EXPECT_EQ(r.field(), "id_number");

  v1::GetPersonFactsRequest who;
  who.set_id_number("420102900307452");  // the 15-digit form of ...4521
  v1::PersonFacts facts;
  ASSERT_TRUE(
      stub_->GetPersonFacts(Context("auditor-1").get(), who, &facts).ok());
  ASSERT_EQ(facts.facts_size(), 1);
  EXPECT_EQ(facts.facts(0).record().hukou().status(),
            v1::HUKOU_STATUS_DECEASED);
}

TEST_F(FeedServiceTest, ConflictingReplayIsAlreadyExists) {
  v1::Receipt receipt;
  ASSERT_TRUE(Upload(Header("PS-1", 1),
                     {{Hukou("420102199003074513", v1::HUKOU_STATUS_NORMAL)}},
                     &receipt)
                  .ok());
  grpc::Status s = Upload(
      Header("PS-1", 1),
      {{Hukou("420102199003074513", v1::HUKOU_STATUS_MOVED_OUT)}}, &receipt);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(FeedServiceTest, BrokenStreamLeavesNoTrace) {
  v1::Receipt receipt;
  grpc::Status s =
      Upload(Header("PS-1", 2),
             {{Hukou("420102199003074513", v1::HUKOU_STATUS_NORMAL),
               Hukou("420102199003074521", v1::HUKOU_STATUS_NORMAL)}},
             &receipt, /*cancel=*/true);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED);
  // Give the server a moment to see the cancellation, then look.
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(Batches(), 0);
  v1::GetPersonFactsRequest who;
  who.set_id_number("420102199003074513");
  v1::PersonFacts facts;
  ASSERT_TRUE(
      stub_->GetPersonFacts(Context("auditor-1").get(), who, &facts).ok());
  EXPECT_EQ(facts.facts_size(), 0);
}

TEST_F(FeedServiceTest, LimitsAreEnforcedWithClearStatuses) {
  v1::Receipt receipt;
  grpc::Status too_many = Upload(Header("PS-1", 20'000), {}, &receipt);
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_many.error_message(), HasSubstr("record_count 20000"));

  std::vector<v1::FeedRecord> big;
  for (int i = 0; i < 8000; ++i) {  // ~600 KiB in one message
    big.push_back(Hukou("420102199003074513", v1::HUKOU_STATUS_NORMAL));
  }
  grpc::Status oversized = Upload(Header("PS-2", 8000), {big}, &receipt);
  EXPECT_EQ(oversized.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  grpc::Status no_header = [&] {
    auto context = Context();
    auto writer = stub_->Upload(context.get(), &receipt);
    v1::UploadRequest request;
    request.mutable_records();
    writer->Write(request);
    writer->WritesDone();
    return writer->Finish();
  }();
  EXPECT_EQ(no_header.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Batches(), 0);
}

// Streams that send nothing are cut by the watchdog, not when a chunk
// arrives (none does); their places are given back.
TEST_F(FeedServiceTest, AnIdleStreamIsCutEvenBeforeItsHeader) {
  struct Held {
    std::unique_ptr<grpc::ClientContext> context;
    v1::Receipt receipt;
    std::unique_ptr<grpc::ClientWriter<v1::UploadRequest>> writer;
  };
  std::vector<Held> held(3);
  for (int i = 0; i < 3; ++i) {
    held[i].context = Context(absl::StrCat("police-", i));
    held[i].writer = stub_->Upload(held[i].context.get(), &held[i].receipt);
  }
  v1::UploadRequest header;
  *header.mutable_header() = Header("PS-IDLE", 1);
  held[1].writer->Write(header);  // one sends its header, then nothing

  // The fake clock moves half a minute at a time until every stream ended;
  // a stream admitted late is simply cut a step later.
  std::atomic<bool> done{false};
  std::thread ticker([&] {
    while (!done) {
      clock_.Advance(absl::Seconds(31));
      absl::SleepFor(absl::Milliseconds(50));
    }
  });
  const absl::Time start = absl::Now();
  for (Held& h : held) {
    const grpc::Status s = h.writer->Finish();
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << "the client's own 20 s deadline ran out: " << s.error_message();
  }
  done = true;
  ticker.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_EQ(Batches(), 0);

  // Every place is free again.
  v1::Receipt receipt;
  ASSERT_TRUE(Upload(Header("PS-AFTER", 1),
                     {{Hukou("420102199003074513", v1::HUKOU_STATUS_NORMAL)}},
                     &receipt)
                  .ok());
}

// One more upload than the server takes at once is refused, naming the
// limit, while the others stream on.
TEST_F(FeedServiceTest, OneUploadTooManyIsRefusedNamingTheLimit) {
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<v1::Receipt> receipts(3);
  std::vector<std::unique_ptr<grpc::ClientWriter<v1::UploadRequest>>> writers;
  for (int i = 0; i < 3; ++i) {
    contexts.push_back(Context(absl::StrCat("police-", i)));
    writers.push_back(stub_->Upload(contexts.back().get(), &receipts[i]));
    // An admitted upload's initial metadata arrives before any message.
    writers.back()->WaitForInitialMetadata();
  }
  v1::Receipt receipt;
  const grpc::Status refused = Upload(
      Header("PS-EXTRA", 1),
      {{Hukou("420102199003074513", v1::HUKOU_STATUS_NORMAL)}}, &receipt);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("feeds.max_concurrent_uploads: 3 uploads are "
                        "streaming already"));
  // The held uploads still complete.
  for (int i = 0; i < 3; ++i) {
    v1::UploadRequest request;
    *request.mutable_header() = Header(absl::StrCat("PS-HELD-", i), 1);
    ASSERT_TRUE(writers[i]->Write(request));
    request.Clear();
    *request.mutable_records()->add_records() =
        Hukou("420102199003074513", v1::HUKOU_STATUS_NORMAL);
    ASSERT_TRUE(writers[i]->Write(request));
    writers[i]->WritesDone();
    const grpc::Status s = writers[i]->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
}

}  // namespace
}  // namespace dibao
