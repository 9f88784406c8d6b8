// The review queue and the audit trail through a real server on a loopback
// port and the real stubs, over the sample district after its first nightly
// cycle: the queue's order, paging, counts and filters; a case; claims,
// decisions and visits with the caseworker from the call's metadata; the
// status codes for what a caseworker may not do; two caseworkers deciding
// one flag at once; and the audit chain that records it all.
//
// The matcher tests (review_test, review_queue_test, audit_log_test) pin the
// detail; these pin what a client sees over gRPC.
#include "services/review_service.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "base/dates.h"
#include "dibao/v1/audit.grpc.pb.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "dibao/v1/matching.grpc.pb.h"
#include "dibao/v1/registry.grpc.pb.h"
#include "dibao/v1/review.grpc.pb.h"
#include "formats/feed_format.h"
#include "formats/feed_kinds.h"
#include "formats/metadata.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sample/sample_district.h"
#include "sample/sample_feeds.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kSampleDay(2026, 11, 1);

class ReviewServiceTest : public ::testing::Test {
 protected:
  // A server with the policy, the sample district imported through the
  // registry service, the five agencies' files uploaded through the feed
  // service, and the first nightly cycle run.
  void SetUp() override {
    ServerOptions options;
    const std::string dir = testing::NewTempDir("review-service");
    testing::UseTestAccess(&options, dir);
    options.data_dir = dir + "/data";
    options.store.sync_writes = false;
    options.policy_file =
        std::string(DIBAO_SOURCE_DIR) + "/deploy/policy.textproto";
    auto server = Server::Start(options, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    // The in-process channel, where calls name their principal as the
    // console does (certificates are tests/services/gatekeeper_test.cc's).
    auto channel = server_->InProcessChannel();
    review_ = v1::ReviewService::NewStub(channel);
    audit_ = v1::AuditService::NewStub(channel);
    registry_ = v1::RegistryService::NewStub(channel);
    feeds_ = v1::FeedService::NewStub(channel);
    cycles_ = v1::CycleService::NewStub(channel);
    ASSERT_NO_FATAL_FAILURE(LoadSample());
    v1::RunCycleRequest run;
    *run.mutable_as_of() = ToProto(kSampleDay);
    v1::CycleReport report;
    const grpc::Status s =
        cycles_->RunCycle(Context("night-operator").get(), run, &report);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_GT(report.households_assessed(), 0);
  }

  void LoadSample() {
    SampleDistrictOptions district;
    district.as_of = kSampleDay;
    auto households = GenerateSampleDistrict(district);
    ASSERT_TRUE(households.ok()) << households.status();
    for (const v1::Household& h : *households) {
      v1::UpsertHouseholdRequest upsert;
      *upsert.mutable_household() = h;
      upsert.set_source("sample district");
      v1::UpsertHouseholdResponse upserted;
      const grpc::Status s = registry_->UpsertHousehold(Context("loader").get(),
                                                        upsert, &upserted);
      ASSERT_TRUE(s.ok()) << h.household_id() << ": " << s.error_message();
    }
    households_ = static_cast<int64_t>(households->size());
    SampleFeedsOptions feed_options;
    feed_options.as_of = kSampleDay;
    auto feeds = GenerateSampleFeeds(*households, feed_options);
    ASSERT_TRUE(feeds.ok()) << feeds.status();
    for (const SampleFeedFile& file : feeds->files) {
      ASSERT_NO_FATAL_FAILURE(Upload(file));
    }
  }

  // One agency file as `dibaoctl feed push` sends it.
  void Upload(const SampleFeedFile& file) {
    std::vector<v1::FeedRecord> records;
    std::istringstream in(file.csv);
    const absl::Status read = ReadFeedRecords(
        in, FileFormat::kCsv, *file.spec,
        [&](int64_t, v1::FeedRecord r) { records.push_back(std::move(r)); },
        [](RowError) {});
    ASSERT_TRUE(read.ok()) << file.path << ": " << read;
    auto context = Context("agency-" + AgencyName(file.spec->agency));
    v1::Receipt receipt;
    auto writer = feeds_->Upload(context.get(), &receipt);
    v1::UploadRequest request;
    v1::BatchHeader* h = request.mutable_header();
    h->set_agency(file.spec->agency);
    h->set_kind(file.spec->kind);
    h->set_batch_id(file.batch_id);
    *h->mutable_as_of() = ToProto(kSampleDay);
    h->set_mode(file.snapshot ? v1::BATCH_MODE_SNAPSHOT : v1::BATCH_MODE_DELTA);
    h->set_record_count(static_cast<int64_t>(records.size()));
    ASSERT_TRUE(writer->Write(request));
    for (size_t i = 0; i < records.size(); i += 500) {
      request.Clear();
      for (size_t j = i; j < std::min(records.size(), i + 500); ++j) {
        *request.mutable_records()->add_records() = records[j];
      }
      ASSERT_TRUE(writer->Write(request));
    }
    writer->WritesDone();
    const grpc::Status s = writer->Finish();
    ASSERT_TRUE(s.ok()) << file.path << ": " << s.error_message();
  }

  // A call context with a deadline, naming principal `actor` (nobody when
  // empty).
  std::unique_ptr<grpc::ClientContext> Context(const std::string& actor) {
    return testing::InProcessContext(*server_, actor, absl::Seconds(60));
  }

  v1::ListQueueResponse List(const v1::ListQueueRequest& request) {
    v1::ListQueueResponse page;
    const grpc::Status s =
        review_->ListQueue(Context("head-1").get(), request, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return page;
  }

  // The open flags, highest priority first.
  std::vector<v1::Flag> TopFlags(int n) {
    v1::ListQueueRequest request;
    request.set_page_size(n);
    v1::ListQueueResponse page = List(request);
    std::vector<v1::Flag> out;
    for (const auto& item : page.items()) out.push_back(item.flag());
    EXPECT_EQ(static_cast<int>(out.size()), n);
    return out;
  }

  v1::Case GetCase(const std::string& flag_id) {
    v1::GetCaseRequest request;
    request.set_flag_id(flag_id);
    v1::Case c;
    const grpc::Status s =
        review_->GetCase(Context("head-1").get(), request, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  grpc::Status Decide(const std::string& actor, const std::string& flag_id,
                      v1::FlagState decision, v1::DismissReason reason,
                      const std::string& note, int64_t expected_version,
                      v1::Flag* out) {
    v1::DecideRequest request;
    request.set_flag_id(flag_id);
    request.set_decision(decision);
    request.set_reason(reason);
    request.set_note(note);
    request.set_expected_version(expected_version);
    return review_->Decide(Context(actor).get(), request, out);
  }

  grpc::Status Claim(const std::string& actor, const std::string& flag_id,
                     int64_t expected_version, v1::Flag* out) {
    v1::ClaimRequest request;
    request.set_flag_id(flag_id);
    request.set_expected_version(expected_version);
    return review_->Claim(Context(actor).get(), request, out);
  }

  grpc::Status Visit(const std::string& actor, const std::string& flag_id,
                     v1::FlagState result, v1::DismissReason reason,
                     const std::string& note, v1::Flag* out) {
    v1::RecordVisitRequest request;
    request.set_flag_id(flag_id);
    request.set_result(result);
    request.set_reason(reason);
    request.set_note(note);
    return review_->RecordVisit(Context(actor).get(), request, out);
  }

  std::vector<v1::AuditEntry> HouseholdAudit(const std::string& household) {
    v1::ListAuditRequest request;
    request.set_household_id(household);
    v1::ListAuditResponse response;
    const grpc::Status s =
        audit_->ListAudit(Context("head-1").get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return testing::ChangesOnly(response.entries());
  }

  v1::AuditVerification Verify() {
    v1::AuditVerification v;
    const grpc::Status s = audit_->VerifyAudit(Context("head-1").get(),
                                               v1::VerifyAuditRequest(), &v);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return v;
  }

  // Today is 25 days after the cycle's as-of day.
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 26, 9, 0, 0),
                                   BureauTimeZone())};
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::ReviewService::Stub> review_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::FeedService::Stub> feeds_;
  std::unique_ptr<v1::CycleService::Stub> cycles_;
  int64_t households_ = 0;
};

TEST_F(ReviewServiceTest, QueueIsOrderedPagedAndCounted) {
  v1::ListQueueResponse first = List({});
  ASSERT_GT(first.total(), 50);
  // The default page, the formula for the reader, the facets summing up.
  EXPECT_EQ(first.items_size(), 50);
  EXPECT_FALSE(first.next_page_token().empty());
  EXPECT_THAT(first.priority_formula(), HasSubstr("severity"));
  EXPECT_THAT(first.priority_formula(), HasSubstr("days since first seen"));
  int64_t by_rule = 0;
  for (const auto& c : first.by_rule()) by_rule += c.count();
  EXPECT_EQ(by_rule, first.total());
  // Nothing decided yet: every flag of the default view is OPEN.
  ASSERT_EQ(first.by_state_size(), 1);
  EXPECT_EQ(first.by_state(0).key(), "OPEN");
  EXPECT_EQ(first.by_state(0).count(), first.total());
  for (const auto& item : first.items()) {
    EXPECT_EQ(item.age_days(), 25) << item.flag().flag_id();
    EXPECT_EQ(item.flag().state(), v1::FLAG_STATE_OPEN);
  }

  // Every page, 37 at a time: each flag once, highest priority first, ties
  // by flag ID, and the totals the same on every page.
  v1::ListQueueRequest request;
  request.set_page_size(37);
  std::vector<v1::QueueItem> all;
  int64_t overpayment = 0;
  for (int pages = 0; pages < 1000; ++pages) {
    v1::ListQueueResponse page = List(request);
    EXPECT_EQ(page.total(), first.total());
    EXPECT_EQ(page.total_overpayment_fen(), first.total_overpayment_fen());
    for (const auto& item : page.items()) {
      all.push_back(item);
      overpayment += item.flag().finding().est_monthly_overpayment_fen();
    }
    if (page.next_page_token().empty()) break;
    EXPECT_EQ(page.items_size(), 37);
    request.set_page_token(page.next_page_token());
  }
  ASSERT_EQ(static_cast<int64_t>(all.size()), first.total());
  EXPECT_EQ(overpayment, first.total_overpayment_fen());
  std::set<std::string> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_TRUE(ids.insert(all[i].flag().flag_id()).second);
    if (i == 0) continue;
    const v1::QueueItem& a = all[i - 1];
    const v1::QueueItem& b = all[i];
    EXPECT_TRUE(a.priority() > b.priority() ||
                (a.priority() == b.priority() &&
                 a.flag().flag_id() < b.flag().flag_id()))
        << a.flag().flag_id() << " before " << b.flag().flag_id();
  }
  // The first page is the head of the whole order.
  for (int i = 0; i < first.items_size(); ++i) {
    EXPECT_EQ(first.items(i).flag().flag_id(), all[i].flag().flag_id());
  }

  // A token this server did not give.
  request.set_page_token("not-a-token");
  v1::ListQueueResponse bad;
  EXPECT_EQ(
      review_->ListQueue(Context("head-1").get(), request, &bad).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReviewServiceTest, FiltersNarrowTheQueue) {
  const v1::ListQueueResponse all = List({});
  ASSERT_GT(all.by_rule_size(), 1);

  // One rule: exactly the facet's count, the facets still show the others.
  const v1::QueueCount& rule = all.by_rule(0);
  v1::ListQueueRequest request;
  request.mutable_filter()->set_rule(rule.key());
  request.set_page_size(1000);
  v1::ListQueueResponse one_rule = List(request);
  EXPECT_EQ(one_rule.total(), rule.count());
  EXPECT_EQ(one_rule.items_size(), rule.count());
  for (const auto& item : one_rule.items()) {
    EXPECT_EQ(item.flag().finding().rule(), rule.key());
  }
  EXPECT_EQ(one_rule.by_rule_size(), all.by_rule_size());

  // At least HIGH severity.
  request.Clear();
  request.mutable_filter()->set_min_severity(v1::SEVERITY_HIGH);
  request.set_page_size(1000);
  v1::ListQueueResponse high = List(request);
  EXPECT_GT(high.total(), 0);
  EXPECT_LT(high.total(), all.total());
  for (const auto& item : high.items()) {
    EXPECT_EQ(item.flag().finding().severity(), v1::SEVERITY_HIGH);
  }

  // One street of the district.
  const v1::Flag& top = all.items(0).flag();
  request.Clear();
  request.mutable_filter()->set_district_code(top.district_code());
  request.mutable_filter()->set_street(top.street());
  request.set_page_size(1000);
  v1::ListQueueResponse street = List(request);
  EXPECT_GT(street.total(), 0);
  EXPECT_LE(street.total(), all.total());
  for (const auto& item : street.items()) {
    EXPECT_EQ(item.flag().street(), top.street());
  }

  // Older than the queue: nothing.
  request.Clear();
  request.mutable_filter()->set_min_age_days(26);
  EXPECT_EQ(List(request).total(), 0);
  request.mutable_filter()->set_min_age_days(25);
  EXPECT_EQ(List(request).total(), all.total());

  // Claimed and unclaimed; a confirmed flag leaves the default view and
  // shows under its state.
  v1::Flag claimed;
  ASSERT_TRUE(Claim("cw-li", top.flag_id(), 0, &claimed).ok());
  request.Clear();
  request.mutable_filter()->set_assignee("cw-li");
  v1::ListQueueResponse mine = List(request);
  ASSERT_EQ(mine.total(), 1);
  EXPECT_EQ(mine.items(0).flag().flag_id(), top.flag_id());
  request.mutable_filter()->set_assignee("-");
  EXPECT_EQ(List(request).total(), all.total() - 1);

  v1::Flag decided;
  ASSERT_TRUE(Decide("cw-li", top.flag_id(), v1::FLAG_STATE_CONFIRMED,
                     v1::DISMISS_REASON_UNSPECIFIED, "payroll seen", 0,
                     &decided)
                  .ok());
  EXPECT_EQ(List({}).total(), all.total() - 1);
  request.Clear();
  request.mutable_filter()->add_states(v1::FLAG_STATE_CONFIRMED);
  v1::ListQueueResponse confirmed = List(request);
  ASSERT_EQ(confirmed.total(), 1);
  EXPECT_EQ(confirmed.items(0).flag().flag_id(), top.flag_id());
  bool counted = false;
  for (const auto& c : confirmed.by_state()) {
    if (c.key() == "OPEN") {
      EXPECT_EQ(c.count(), all.total() - 1);
    }
    if (c.key() == "CONFIRMED") counted = c.count() == 1;
  }
  EXPECT_TRUE(counted);

  // Unknown names are refused with what is known.
  request.Clear();
  request.mutable_filter()->set_rule("NOT_A_RULE");
  v1::ListQueueResponse refused;
  const grpc::Status s =
      review_->ListQueue(Context("head-1").get(), request, &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.Clear();
  request.set_page_size(-1);
  EXPECT_EQ(review_->ListQueue(Context("head-1").get(), request, &refused)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReviewServiceTest, CaseHasEvidenceHouseholdAssessmentAndHistory) {
  const v1::Flag top = TopFlags(1)[0];
  const v1::Case c = GetCase(top.flag_id());
  EXPECT_EQ(c.item().flag().flag_id(), top.flag_id());
  EXPECT_EQ(c.item().flag().version(), top.version());
  EXPECT_GT(c.item().priority(), 0);
  EXPECT_EQ(c.item().age_days(), 25);
  EXPECT_FALSE(c.item().flag().finding().summary().empty());
  EXPECT_GT(c.item().flag().finding().est_monthly_overpayment_fen(), 0);
  EXPECT_EQ(c.household().household_id(), top.household_id());
  EXPECT_GT(c.household().members_size(), 0);
  ASSERT_TRUE(c.has_assessment()) << c.assessment_problem();
  EXPECT_EQ(FormatDate(c.assessment().as_of()), "2026-11-01");
  EXPECT_GT(c.assessment().explanation_size(), 2);
  // The import is on the household's record, with who did it.
  ASSERT_GE(c.history_size(), 1);
  EXPECT_EQ(c.history(0).action(), v1::AUDIT_ACTION_REGISTRY_CHANGE);
  EXPECT_EQ(c.history(0).actor(), "loader");
  EXPECT_EQ(c.history(0).household_id(), top.household_id());
  for (const auto& other : c.other_flags()) {
    EXPECT_EQ(other.household_id(), top.household_id());
    EXPECT_NE(other.flag_id(), top.flag_id());
  }

  v1::GetCaseRequest request;
  v1::Case none;
  EXPECT_EQ(
      review_->GetCase(Context("head-1").get(), request, &none).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  request.set_flag_id("F9999999");
  EXPECT_EQ(
      review_->GetCase(Context("head-1").get(), request, &none).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReviewServiceTest, ClaimAndConfirmAreAuditedWithTheCaseworker) {
  const v1::Flag top = TopFlags(1)[0];
  const int64_t before = Verify().entries();
  const size_t household_before = HouseholdAudit(top.household_id()).size();

  v1::Flag claimed;
  grpc::Status s = Claim("cw-wang", top.flag_id(), top.version(), &claimed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(claimed.assignee(), "cw-wang");
  EXPECT_EQ(claimed.state(), v1::FLAG_STATE_OPEN);
  EXPECT_GT(claimed.version(), top.version());

  v1::Flag confirmed;
  s = Decide("cw-wang", top.flag_id(), v1::FLAG_STATE_CONFIRMED,
             v1::DISMISS_REASON_UNSPECIFIED, "employer confirmed the payroll",
             claimed.version(), &confirmed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(confirmed.state(), v1::FLAG_STATE_CONFIRMED);
  ASSERT_EQ(confirmed.decisions_size(), 1);
  EXPECT_EQ(confirmed.decisions(0).by(), "cw-wang");
  EXPECT_EQ(confirmed.decisions(0).note(), "employer confirmed the payroll");
  EXPECT_EQ(FromProto(confirmed.decisions(0).at()), clock_.Now());

  // The household's trail: what was there, then the claim and the decision,
  // by the caseworker the metadata named.
  const std::vector<v1::AuditEntry> trail = HouseholdAudit(top.household_id());
  ASSERT_EQ(trail.size(), household_before + 2);
  const v1::AuditEntry& claim = trail[trail.size() - 2];
  const v1::AuditEntry& decide = trail.back();
  EXPECT_EQ(claim.action(), v1::AUDIT_ACTION_FLAG_CLAIMED);
  EXPECT_EQ(claim.actor(), "cw-wang");
  EXPECT_EQ(claim.flag_id(), top.flag_id());
  EXPECT_EQ(decide.action(), v1::AUDIT_ACTION_FLAG_DECIDED);
  EXPECT_EQ(decide.actor(), "cw-wang");
  EXPECT_EQ(decide.flag_id(), top.flag_id());
  EXPECT_EQ(decide.household_id(), top.household_id());
  EXPECT_EQ(decide.detail(), "CONFIRMED: employer confirmed the payroll");
  EXPECT_EQ(decide.seq(), claim.seq() + 1);
  EXPECT_EQ(FromProto(decide.at()), clock_.Now());

  // The case shows it too.
  const v1::Case c = GetCase(top.flag_id());
  EXPECT_EQ(c.item().flag().state(), v1::FLAG_STATE_CONFIRMED);
  const std::vector<v1::AuditEntry> changes = testing::ChangesOnly(c.history());
  ASSERT_GE(changes.size(), 2u);
  EXPECT_EQ(changes.back().seq(), decide.seq());

  // The chain holds two more changes, three reads (the trail twice and the
  // case), and verifies.
  const v1::AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.problem();
  EXPECT_EQ(v.entries(), before + 2 + 3);
  EXPECT_EQ(v.first_broken_seq(), 0);
  EXPECT_EQ(v.head_hash().size(), 64u);
}

TEST_F(ReviewServiceTest, AuditChainCountsEveryChange) {
  // Before any review action: one registry entry per imported household,
  // one per committed feed batch, one for the cycle.
  v1::AuditVerification v = Verify();
  ASSERT_TRUE(v.ok()) << v.problem();
  const int64_t base = v.entries();
  v1::ListAuditRequest request;
  request.set_limit(10000);
  v1::ListAuditResponse response;
  ASSERT_TRUE(
      audit_->ListAudit(Context("auditor-1").get(), request, &response).ok());
  EXPECT_EQ(response.head_seq(), base);
  ASSERT_EQ(response.entries_size(), base);
  EXPECT_FALSE(response.more());
  EXPECT_EQ(response.entries(0).seq(), 1);
  // A page says when more follow, and a page too large is refused, not cut.
  {
    v1::ListAuditRequest page;
    page.set_limit(2);
    v1::ListAuditResponse first;
    ASSERT_TRUE(
        audit_->ListAudit(Context("auditor-1").get(), page, &first).ok());
    EXPECT_EQ(first.entries_size(), 2);
    EXPECT_TRUE(first.more());
    page.set_limit(10001);
    grpc::Status too_many =
        audit_->ListAudit(Context("auditor-1").get(), page, &first);
    EXPECT_EQ(too_many.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(too_many.error_message(), HasSubstr("page with after_seq"));
  }
  std::map<v1::AuditAction, int64_t> by_action;
  for (const v1::AuditEntry& e : response.entries()) ++by_action[e.action()];
  EXPECT_EQ(by_action[v1::AUDIT_ACTION_REGISTRY_CHANGE], households_);
  EXPECT_GT(by_action[v1::AUDIT_ACTION_FEED_BATCH_COMMITTED], 0);
  EXPECT_EQ(by_action[v1::AUDIT_ACTION_CYCLE_RUN], 1);
  EXPECT_EQ(by_action[v1::AUDIT_ACTION_REGISTRY_CHANGE] +
                by_action[v1::AUDIT_ACTION_FEED_BATCH_COMMITTED] +
                by_action[v1::AUDIT_ACTION_CYCLE_RUN],
            base);

  // Three flags: a claim, an assignment, a comment, a dismissal.
  const std::vector<v1::Flag> top = TopFlags(3);
  v1::Flag f;
  ASSERT_TRUE(Claim("cw-zhao", top[0].flag_id(), 0, &f).ok());
  v1::AssignRequest assign;
  assign.set_flag_id(top[1].flag_id());
  assign.set_assignee("cw-zhao");
  ASSERT_TRUE(review_->Assign(Context("supervisor").get(), assign, &f).ok());
  EXPECT_EQ(f.assignee(), "cw-zhao");
  v1::CommentRequest comment;
  comment.set_flag_id(top[2].flag_id());
  comment.set_text("called the household; visit on Monday");
  ASSERT_TRUE(review_->Comment(Context("cw-zhao").get(), comment, &f).ok());
  ASSERT_TRUE(Decide("cw-zhao", top[2].flag_id(), v1::FLAG_STATE_DISMISSED,
                     v1::DISMISS_REASON_ALREADY_DECLARED,
                     "declared at the counter on 2026-10-20", 0, &f)
                  .ok());

  // The four changes follow, among the reads of the queue and the chain
  // (each on the chain too).
  v = Verify();
  EXPECT_TRUE(v.ok()) << v.problem();
  request.set_after_seq(base);
  request.set_limit(0);
  ASSERT_TRUE(
      audit_->ListAudit(Context("auditor-1").get(), request, &response).ok());
  EXPECT_EQ(response.head_seq(), v.entries());
  for (int i = 1; i < response.entries_size(); ++i) {
    EXPECT_EQ(response.entries(i).seq(), response.entries(i - 1).seq() + 1);
    EXPECT_EQ(response.entries(i).prev_hash().size(), 32u);
  }
  const std::vector<v1::AuditEntry> changes =
      testing::ChangesOnly(response.entries());
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(static_cast<int64_t>(response.entries_size()) - 4,
            3);  // the queue page and the first two chain reads
  EXPECT_EQ(changes[0].action(), v1::AUDIT_ACTION_FLAG_CLAIMED);
  EXPECT_EQ(changes[1].action(), v1::AUDIT_ACTION_FLAG_ASSIGNED);
  EXPECT_EQ(changes[1].actor(), "supervisor");
  EXPECT_EQ(changes[2].action(), v1::AUDIT_ACTION_FLAG_COMMENTED);
  EXPECT_EQ(changes[3].action(), v1::AUDIT_ACTION_FLAG_DECIDED);
  EXPECT_EQ(changes[3].detail(),
            "DISMISSED (ALREADY_DECLARED): declared at the counter on "
            "2026-10-20");

  request.set_after_seq(-1);
  EXPECT_EQ(audit_->ListAudit(Context("auditor-1").get(), request, &response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReviewServiceTest, ChangesByNobodyAreUnauthenticated) {
  const v1::Flag top = TopFlags(1)[0];
  const int64_t before = Verify().entries();
  v1::Flag f;
  grpc::Status s = Claim("", top.flag_id(), 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("named no user"));
  s = Decide("", top.flag_id(), v1::FLAG_STATE_CONFIRMED,
             v1::DISMISS_REASON_UNSPECIFIED, "note", 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Visit("", top.flag_id(), v1::FLAG_STATE_CONFIRMED,
                  v1::DISMISS_REASON_UNSPECIFIED, "note", &f)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::AssignRequest assign;
  assign.set_flag_id(top.flag_id());
  assign.set_assignee("cw-li");
  EXPECT_EQ(review_->Assign(Context("").get(), assign, &f).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::CommentRequest comment;
  comment.set_flag_id(top.flag_id());
  comment.set_text("anonymous");
  EXPECT_EQ(review_->Comment(Context("").get(), comment, &f).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Nothing changed, nothing recorded.
  const v1::Case c = GetCase(top.flag_id());
  EXPECT_EQ(c.item().flag().version(), top.version());
  EXPECT_TRUE(c.item().flag().assignee().empty());
  EXPECT_EQ(Verify().entries(), before + 1);  // the case read just now
}

TEST_F(ReviewServiceTest, BadDecisionsAreInvalidArguments) {
  const v1::Flag top = TopFlags(1)[0];
  v1::Flag f;
  // A dismissal without its reason code: the codes are named.
  grpc::Status s = Decide("cw-li", top.flag_id(), v1::FLAG_STATE_DISMISSED,
                          v1::DISMISS_REASON_UNSPECIFIED, "not them", 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("PARTNER_DATA_WRONG"));
  // No decision, or one only the cycle may make.
  for (v1::FlagState state :
       {v1::FLAG_STATE_UNSPECIFIED, v1::FLAG_STATE_AUTO_RESOLVED,
        v1::FLAG_STATE_OPEN}) {
    s = Decide("cw-li", top.flag_id(), state, v1::DISMISS_REASON_UNSPECIFIED,
               "note", 0, &f);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << v1::FlagState_Name(state);
    EXPECT_THAT(s.error_message(), HasSubstr("CONFIRMED, DISMISSED"));
  }
  s = Decide("cw-li", top.flag_id(), static_cast<v1::FlagState>(42),
             v1::DISMISS_REASON_UNSPECIFIED, "note", 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("42"));
  // A confirmation with a reason code, a decision without a note.
  s = Decide("cw-li", top.flag_id(), v1::FLAG_STATE_CONFIRMED,
             v1::DISMISS_REASON_OTHER, "note", 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Decide("cw-li", top.flag_id(), v1::FLAG_STATE_CONFIRMED,
             v1::DISMISS_REASON_UNSPECIFIED, "", 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A visit whose result is another visit.
  s = Visit("cw-li", top.flag_id(), v1::FLAG_STATE_NEEDS_VISIT,
            v1::DISMISS_REASON_UNSPECIFIED, "note", &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // No flag, a negative version, an unknown flag.
  s = Decide("cw-li", "", v1::FLAG_STATE_CONFIRMED,
             v1::DISMISS_REASON_UNSPECIFIED, "note", 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Decide("cw-li", top.flag_id(), v1::FLAG_STATE_CONFIRMED,
             v1::DISMISS_REASON_UNSPECIFIED, "note", -1, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Decide("cw-li", "F9999999", v1::FLAG_STATE_CONFIRMED,
             v1::DISMISS_REASON_UNSPECIFIED, "note", 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // The flag is untouched.
  EXPECT_EQ(GetCase(top.flag_id()).item().flag().version(), top.version());
}

TEST_F(ReviewServiceTest, StaleVersionsAndIllegalTransitionsAreRefused) {
  const std::vector<v1::Flag> top = TopFlags(2);
  const v1::Flag& flag = top[0];
  v1::Flag claimed;
  ASSERT_TRUE(Claim("cw-li", flag.flag_id(), flag.version(), &claimed).ok());

  // Decided on what was read before the claim: refused, naming the state
  // and version it is in now.
  v1::Flag f;
  grpc::Status s =
      Decide("cw-chen", flag.flag_id(), v1::FLAG_STATE_CONFIRMED,
             v1::DISMISS_REASON_UNSPECIFIED, "payroll", flag.version(), &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("is now OPEN"));
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat("version ", claimed.version())));
  // Someone else's claim.
  s = Claim("cw-chen", flag.flag_id(), 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("cw-li"));

  // Confirmed, it cannot be decided again, visited or claimed.
  ASSERT_TRUE(Decide("cw-li", flag.flag_id(), v1::FLAG_STATE_CONFIRMED,
                     v1::DISMISS_REASON_UNSPECIFIED, "payroll",
                     claimed.version(), &f)
                  .ok());
  s = Decide("cw-li", flag.flag_id(), v1::FLAG_STATE_DISMISSED,
             v1::DISMISS_REASON_OTHER, "changed my mind", 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("is CONFIRMED (by cw-li)"));
  s = Visit("cw-li", flag.flag_id(), v1::FLAG_STATE_DISMISSED,
            v1::DISMISS_REASON_OTHER, "visited", &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("CONFIRMED"));
  s = Claim("cw-li", flag.flag_id(), 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // An OPEN flag has no visit to record.
  s = Visit("cw-li", top[1].flag_id(), v1::FLAG_STATE_CONFIRMED,
            v1::DISMISS_REASON_UNSPECIFIED, "visited", &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("is OPEN"));
  EXPECT_THAT(s.error_message(), HasSubstr("NEEDS_VISIT"));

  // The confirmed flag is as it was left; comments are still taken.
  const v1::Case c = GetCase(flag.flag_id());
  EXPECT_EQ(c.item().flag().state(), v1::FLAG_STATE_CONFIRMED);
  ASSERT_EQ(c.item().flag().decisions_size(), 1);
  v1::CommentRequest comment;
  comment.set_flag_id(flag.flag_id());
  comment.set_text("exit recommendation to follow");
  ASSERT_TRUE(review_->Comment(Context("cw-li").get(), comment, &f).ok());
  EXPECT_EQ(f.comments_size(), 1);
  EXPECT_EQ(f.state(), v1::FLAG_STATE_CONFIRMED);
}

TEST_F(ReviewServiceTest, NeedsVisitThenTheVisitDismisses) {
  const v1::Flag flag = TopFlags(1)[0];
  v1::Flag f;
  ASSERT_TRUE(Decide("cw-li", flag.flag_id(), v1::FLAG_STATE_NEEDS_VISIT,
                     v1::DISMISS_REASON_UNSPECIFIED,
                     "wage record looks odd; see the family", 0, &f)
                  .ok());
  EXPECT_EQ(f.state(), v1::FLAG_STATE_NEEDS_VISIT);
  // Still in the default queue (work to do), now counted as NEEDS_VISIT.
  v1::ListQueueRequest request;
  request.mutable_filter()->add_states(v1::FLAG_STATE_NEEDS_VISIT);
  v1::ListQueueResponse visits = List(request);
  ASSERT_EQ(visits.total(), 1);
  EXPECT_EQ(visits.items(0).flag().flag_id(), flag.flag_id());
  // Waiting for a visit, it is not decided again.
  grpc::Status s =
      Decide("cw-li", flag.flag_id(), v1::FLAG_STATE_CONFIRMED,
             v1::DISMISS_REASON_UNSPECIFIED, "changed my mind", 0, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("NEEDS_VISIT"));
  // A dismissal after the visit needs its reason too.
  s = Visit("cw-li", flag.flag_id(), v1::FLAG_STATE_DISMISSED,
            v1::DISMISS_REASON_UNSPECIFIED, "visited", &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  s = Visit("cw-zhou", flag.flag_id(), v1::FLAG_STATE_DISMISSED,
            v1::DISMISS_REASON_WRONG_PERSON,
            "the payroll ID belongs to a namesake", &f);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(f.state(), v1::FLAG_STATE_DISMISSED);
  ASSERT_EQ(f.decisions_size(), 2);
  EXPECT_EQ(f.decisions(0).state(), v1::FLAG_STATE_NEEDS_VISIT);
  EXPECT_FALSE(f.decisions(0).visit_result());
  EXPECT_EQ(f.decisions(1).state(), v1::FLAG_STATE_DISMISSED);
  EXPECT_EQ(f.decisions(1).reason(), v1::DISMISS_REASON_WRONG_PERSON);
  EXPECT_EQ(f.decisions(1).by(), "cw-zhou");
  EXPECT_TRUE(f.decisions(1).visit_result());

  const std::vector<v1::AuditEntry> trail = HouseholdAudit(flag.household_id());
  ASSERT_GE(trail.size(), 2u);
  EXPECT_EQ(trail[trail.size() - 2].action(), v1::AUDIT_ACTION_FLAG_DECIDED);
  EXPECT_EQ(trail[trail.size() - 2].detail(),
            "NEEDS_VISIT: wage record looks odd; see the family");
  EXPECT_EQ(trail.back().action(), v1::AUDIT_ACTION_FLAG_VISIT_RESULT);
  EXPECT_EQ(trail.back().actor(), "cw-zhou");
  EXPECT_EQ(trail.back().detail(),
            "visit: DISMISSED (WRONG_PERSON): the payroll ID belongs to a "
            "namesake");
  // Decided, it leaves the work queue.
  v1::ListQueueResponse open = List({});
  for (const auto& item : open.items()) {
    EXPECT_NE(item.flag().flag_id(), flag.flag_id());
  }
  EXPECT_TRUE(Verify().ok());
}

// Two caseworkers decide the same flags at once, both on the version they
// read: for each flag exactly one wins, the other is told the state the
// winner left. Whichever thread runs first, the outcome has that shape.
TEST_F(ReviewServiceTest, ConcurrentDecisionsOneWinsOneIsRefused) {
  const std::vector<v1::Flag> flags = TopFlags(8);
  const int64_t before = Verify().entries();
  struct Outcome {
    grpc::Status status;
    v1::Flag flag;
  };
  std::vector<Outcome> confirms(flags.size()), dismisses(flags.size());
  for (size_t i = 0; i < flags.size(); ++i) {
    absl::Barrier* start = new absl::Barrier(2);  // deleted by the last
    auto decide = [&, i, start](bool confirm) {
      if (start->Block()) delete start;
      Outcome& out = confirm ? confirms[i] : dismisses[i];
      out.status =
          Decide(confirm ? "cw-a" : "cw-b", flags[i].flag_id(),
                 confirm ? v1::FLAG_STATE_CONFIRMED : v1::FLAG_STATE_DISMISSED,
                 confirm ? v1::DISMISS_REASON_UNSPECIFIED
                         : v1::DISMISS_REASON_PARTNER_DATA_WRONG,
                 confirm ? "payroll checked" : "payroll is wrong",
                 flags[i].version(), &out.flag);
    };
    std::thread a(decide, true);
    std::thread b(decide, false);
    a.join();
    b.join();
  }
  for (size_t i = 0; i < flags.size(); ++i) {
    const Outcome& c = confirms[i];
    const Outcome& d = dismisses[i];
    SCOPED_TRACE(flags[i].flag_id());
    ASSERT_NE(c.status.ok(), d.status.ok())
        << c.status.error_message() << " / " << d.status.error_message();
    const Outcome& winner = c.status.ok() ? c : d;
    const Outcome& loser = c.status.ok() ? d : c;
    const std::string won = c.status.ok() ? "CONFIRMED" : "DISMISSED";
    EXPECT_EQ(loser.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(loser.status.error_message(), HasSubstr(won));
    const v1::Flag stored = GetCase(flags[i].flag_id()).item().flag();
    EXPECT_EQ(stored.state(), winner.flag.state());
    EXPECT_EQ(stored.version(), winner.flag.version());
    ASSERT_EQ(stored.decisions_size(), 1);
  }
  // One audit entry per winner, none for the refused (and one per case
  // read above).
  const v1::AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.problem();
  EXPECT_EQ(v.entries(), before + 2 * static_cast<int64_t>(flags.size()));
}

}  // namespace
}  // namespace dibao

namespace dibao {
namespace {

TEST_F(ReviewServiceTest, FlagsAreGivenOnlyToWhoCanWorkThemThere) {
  v1::Flag outside;
  for (const v1::Flag& f : TopFlags(20)) {
    if (f.community() != "春晓社区") {
      outside = f;
      break;
    }
  }
  ASSERT_FALSE(outside.flag_id().empty());
  auto assign = [&](const std::string& to) {
    v1::AssignRequest request;
    request.set_flag_id(outside.flag_id());
    request.set_assignee(to);
    v1::Flag f;
    return review_->Assign(Context("supervisor").get(), request, &f);
  };
  const grpc::Status nobody = assign("no-such-worker");
  EXPECT_EQ(nobody.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(nobody.error_message(), HasSubstr("not a principal"));
  const grpc::Status auditor = assign("auditor-1");
  EXPECT_EQ(auditor.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(auditor.error_message(), HasSubstr("does not work flags"));
  const grpc::Status elsewhere = assign("cw-spring");
  EXPECT_EQ(elsewhere.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(elsewhere.error_message(), HasSubstr("cw-spring"));
  EXPECT_TRUE(assign("cw-zhao").ok());
}

}  // namespace
}  // namespace dibao
