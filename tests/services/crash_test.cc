// The crash test: dibao-server killed with SIGKILL at random moments while
// concurrent clients push feed batches, change the registry, run cycles
// and decide flags;
// after every restart the store must hold exactly what was acknowledged.
//
// The driver keeps the expected state: every batch whose receipt came back
// must be there exactly once with that receipt; a batch cut off by the kill
// must be there whole or not at all (its people's facts name it either for
// every sampled person or for none); every acknowledged household change
// and every acknowledged decision must be there; the audit chain must
// verify. At the end the crashed store's households and committed batches
// are replayed into a fresh server and the same cycle run on both: every
// open finding of one must be the other's (decided flags stay, by design).
// Counts are printed.
//
// CI runs it small (DIBAO_CRASH_KILLS, default 6). By hand, large:
//   DIBAO_CRASH_KILLS=120 build/tests/crash_test
// DIBAO_CRASH_SEED repeats a run.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "dibao/v1/audit.grpc.pb.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "dibao/v1/matching.grpc.pb.h"
#include "dibao/v1/registry.grpc.pb.h"
#include "dibao/v1/review.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

constexpr int kPeople = 3000;

std::string Person(int n) {
  const std::string first17 = absl::StrFormat(
      "4201021985%02d%02d%03d", 1 + n / 28000, 1 + (n / 1000) % 28, n % 1000);
  return first17 + ResidentIdCheckCharacter(first17);
}

// What the driver knows the store must hold.
struct Expected {
  std::mutex mu;
  // Acknowledged batches: batch_id -> receipt.
  std::map<std::string, v1::Receipt> batches;
  // The people of every batch sent: batch_id -> Person() numbers, which of
  // them it said had died, and its number (for the clean replay).
  std::map<std::string, std::vector<int>> people;
  std::map<std::string, std::vector<bool>> dead;
  std::map<std::string, int> batch_numbers;
  // Batches sent whose answer never came (the server died): batch_id ->
  // the people in them.
  std::map<std::string, std::vector<int>> in_doubt;
  // Acknowledged household versions: household_id -> version.
  std::map<std::string, int64_t> households;
  int64_t cycles = 0;
  // Acknowledged decisions: flag_id -> the flag's version after it.
  std::map<std::string, int64_t> decisions;
  int64_t failed_calls = 0;
};

class CrashTest : public ::testing::Test {
 protected:
  std::vector<std::string> ServerArgs(const std::string& data = "data") const {
    const std::string pki = testing::TestPkiDir();
    return {testing::BinaryPath("services/dibao-server"),
            "--tls_cert=" + pki + "/server.crt",
            "--tls_key=" + pki + "/server.key",
            "--tls_ca=" + pki + "/ca.crt",
            "--principals=" + testing::TestPrincipalsPath(),
            "--listen=127.0.0.1:0",
            "--data_dir=" + dir_ + "/" + data,
            "--policy=" DIBAO_SOURCE_DIR "/deploy/policy.textproto",
            "--console_listen=off"};
  }

  // Starts the server; the address it listens on.
  std::string Start() { return AddressOf(server_ = Launch("data")); }
  std::unique_ptr<testing::Process> Launch(const std::string& data) {
    return std::make_unique<testing::Process>(ServerArgs(data));
  }
  static std::string AddressOf(const std::unique_ptr<testing::Process>& p) {
    EXPECT_TRUE(p->WaitForStderr("listening on", 60'000)) << p->Stderr();
    std::smatch m;
    const std::string err = p->Stderr();
    std::regex_search(err, m,
                      std::regex("listening on (127\\.0\\.0\\.1:\\d+)"));
    return m[1];
  }

  // One upload of `people` (hukou, DELTA) as the public security bureau,
  // about one in ten of them dead.
  void Push(const std::string& address, int batch, const std::string& batch_id,
            const std::vector<int>& people, std::mt19937& rng) {
    std::vector<bool> dead(people.size());
    for (size_t i = 0; i < people.size(); ++i) dead[i] = rng() % 10 == 0;
    {
      std::lock_guard<std::mutex> lock(expected_.mu);
      expected_.in_doubt[batch_id] = people;
      expected_.people[batch_id] = people;
      expected_.dead[batch_id] = dead;
      expected_.batch_numbers[batch_id] = batch;
    }
    auto stub =
        v1::FeedService::NewStub(testing::ChannelAs(address, "police-feed"));
    v1::Receipt receipt;
    const bool ok = Send(*stub, batch, batch_id, people, dead, &receipt);
    std::lock_guard<std::mutex> lock(expected_.mu);
    if (ok) {
      expected_.in_doubt.erase(batch_id);
      expected_.batches[batch_id] = receipt;
    } else {
      ++expected_.failed_calls;
    }
  }

  // Streams one batch; true when its receipt came back.
  static bool Send(v1::FeedService::Stub& stub, int batch,
                   const std::string& batch_id, const std::vector<int>& people,
                   const std::vector<bool>& dead, v1::Receipt* receipt) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    auto writer = stub.Upload(&context, receipt);
    v1::UploadRequest request;
    v1::BatchHeader* h = request.mutable_header();
    h->set_agency(v1::AGENCY_PUBLIC_SECURITY);
    h->set_kind(v1::FEED_KIND_HUKOU);
    h->set_batch_id(batch_id);
    *h->mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 25));
    h->set_mode(v1::BATCH_MODE_DELTA);
    h->set_record_count(static_cast<int64_t>(people.size()));
    writer->Write(request);
    for (size_t i = 0; i < people.size();) {
      request.Clear();
      for (int k = 0; k < 500 && i < people.size(); ++k, ++i) {
        v1::FeedRecord* r = request.mutable_records()->add_records();
        const std::string id = Person(people[i]);
        r->set_id_number(id);
        r->set_name(testing::BatchName(batch));
        auto* hukou = r->mutable_hukou();
        hukou->set_sex(id[16] % 2 ? v1::SEX_MALE : v1::SEX_FEMALE);
        *hukou->mutable_birth_date() = ToProto(absl::CivilDay(
            1985, std::stoi(id.substr(10, 2)), std::stoi(id.substr(12, 2))));
        hukou->set_address_code("420102");
        hukou->set_status(dead[i] ? v1::HUKOU_STATUS_DECEASED
                                  : v1::HUKOU_STATUS_NORMAL);
        if (dead[i]) {
          *hukou->mutable_status_date() = ToProto(absl::CivilDay(2026, 10, 1));
        }
      }
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    return writer->Finish().ok();
  }

  void Upsert(const std::string& address, int n, std::mt19937& rng) {
    auto stub =
        v1::RegistryService::NewStub(testing::ChannelAs(address, "clerk-7"));
    v1::UpsertHouseholdRequest request;
    v1::Household* h = request.mutable_household();
    h->set_household_id(absl::StrFormat("H%05d", n));
    h->set_district_code("420102");
    h->set_street("人民街道");
    h->set_community("桃园社区");
    h->set_registered_address("地址");
    h->set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
    h->set_monthly_benefit_fen(10000 + static_cast<int64_t>(rng() % 1000));
    *h->mutable_benefit_start_date() = ToProto(absl::CivilDay(2020, 1, 1));
    v1::Member* m = h->add_members();
    m->set_id_number(Person(n % kPeople));
    m->set_name("某人");
    m->set_reported_status(v1::REPORTED_STATUS_OTHER);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    v1::UpsertHouseholdResponse response;
    const grpc::Status s = stub->UpsertHousehold(&context, request, &response);
    std::lock_guard<std::mutex> lock(expected_.mu);
    if (s.ok()) {
      int64_t& v = expected_.households[h->household_id()];
      v = std::max(v, response.household().version());
    } else {
      ++expected_.failed_calls;
    }
  }

  void Cycle(const std::string& address) {
    auto stub = v1::CycleService::NewStub(
        testing::ChannelAs(address, "night-operator"));
    v1::RunCycleRequest request;
    *request.mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 26));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    v1::CycleReport report;
    const grpc::Status s = stub->RunCycle(&context, request, &report);
    std::lock_guard<std::mutex> lock(expected_.mu);
    if (s.ok()) {
      ++expected_.cycles;
    } else {
      ++expected_.failed_calls;
    }
  }

  // Whether person `n`'s facts hold a version from batch `id`.
  static bool NamesBatch(v1::FeedService::Stub& feeds, int n,
                         const std::string& id) {
    v1::GetPersonFactsRequest request;
    request.set_id_number(Person(n));
    v1::PersonFacts facts;
    grpc::ClientContext context;
    const grpc::Status s = feeds.GetPersonFacts(&context, request, &facts);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const v1::Fact& f : facts.facts()) {
      if (f.batch_id() == id) return true;
    }
    return false;
  }

  // A community worker claims the top open flag and decides it.
  void Decide(const std::string& address) {
    auto stub = v1::ReviewService::NewStub(testing::ChannelAs(address, "cw-1"));
    v1::ListQueueRequest list;
    list.set_page_size(20);
    v1::ListQueueResponse queue;
    grpc::Status s;
    {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(30));
      s = stub->ListQueue(&context, list, &queue);
    }
    const v1::Flag* open = nullptr;
    for (const v1::QueueItem& item : queue.items()) {
      if (item.flag().state() == v1::FLAG_STATE_OPEN &&
          item.flag().assignee().empty()) {
        open = &item.flag();
        break;
      }
    }
    if (!s.ok() || open == nullptr) {
      absl::SleepFor(absl::Milliseconds(20));
      return;
    }
    v1::Flag flag;
    {
      v1::ClaimRequest claim;
      claim.set_flag_id(open->flag_id());
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(30));
      s = stub->Claim(&context, claim, &flag);
    }
    if (s.ok()) {
      v1::DecideRequest decide;
      decide.set_flag_id(flag.flag_id());
      decide.set_decision(v1::FLAG_STATE_NEEDS_VISIT);
      decide.set_note("crash test: visit the family");
      decide.set_expected_version(flag.version());
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(30));
      s = stub->Decide(&context, decide, &flag);
    }
    std::lock_guard<std::mutex> lock(expected_.mu);
    if (s.ok()) {
      expected_.decisions[flag.flag_id()] = flag.version();
    } else if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
      ++expected_.failed_calls;
    }
  }

  // "household rule member" of every flag the cycle has not resolved:
  // those still OPEN, or (`decided`) those a caseworker decided, which a
  // cycle never resolves on its own.
  static std::set<std::string> Findings(const std::string& address,
                                        bool decided) {
    auto stub =
        v1::CycleService::NewStub(testing::ChannelAs(address, "auditor-1"));
    std::set<std::string> out;
    std::string token;
    do {
      v1::ListFlagsRequest request;
      request.set_page_size(10'000);
      request.set_page_token(token);
      v1::ListFlagsResponse response;
      grpc::ClientContext context;
      const grpc::Status s = stub->ListFlags(&context, request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (const v1::Flag& f : response.flags()) {
        if (f.state() == v1::FLAG_STATE_AUTO_RESOLVED) continue;
        if ((f.state() != v1::FLAG_STATE_OPEN) != decided) continue;
        out.insert(absl::StrCat(f.household_id(), " ", f.finding().rule(), " ",
                                f.finding().id_number()));
      }
      token = response.next_page_token();
    } while (!token.empty());
    return out;
  }

  // What the crashed store says of household `id`: its version and every
  // flag it has, in any state (for a mismatch's message).
  std::string Describe(const std::string& address, const std::string& id) {
    auto registry =
        v1::RegistryService::NewStub(testing::ChannelAs(address, "auditor-1"));
    v1::GetHouseholdRequest get;
    get.set_household_id(id);
    v1::Household h;
    grpc::ClientContext c1;
    registry->GetHousehold(&c1, get, &h).IgnoreError();
    std::string out =
        absl::StrCat("v", h.version(),
                     expected_.households.contains(id) ? " acknowledged"
                                                       : " never acknowledged",
                     "; flags:");
    auto cycles =
        v1::CycleService::NewStub(testing::ChannelAs(address, "auditor-1"));
    v1::ListFlagsRequest list;
    list.set_household_id(id);
    v1::ListFlagsResponse flags;
    grpc::ClientContext c2;
    cycles->ListFlags(&c2, list, &flags).IgnoreError();
    for (const v1::Flag& f : flags.flags()) {
      absl::StrAppend(&out, " ", f.flag_id(), " ", f.finding().rule(), " ",
                      v1::FlagState_Name(f.state()), " ", f.resolved_reason());
    }
    v1::ListCyclesRequest cl;
    cl.set_limit(3);
    v1::ListCyclesResponse cycles_list;
    grpc::ClientContext c3;
    cycles->ListCycles(&c3, cl, &cycles_list).IgnoreError();
    for (const v1::CycleReport& r : cycles_list.cycles()) {
      absl::StrAppend(&out, "; cycle ", r.cycle_seq(), " through change ",
                      r.through_change_seq(), r.resumed() ? " resumed" : "",
                      " assessed ", r.households_assessed());
    }
    return out;
  }

  // The clean replay: the households as the crashed store holds them and
  // its committed batches, in their order, into a fresh server; the same
  // cycle on both must leave the same findings. Returns the mismatches.
  int64_t Replay(const std::string& crashed) {
    std::lock_guard<std::mutex> lock(expected_.mu);
    auto clean = Launch("replay");
    const std::string address = AddressOf(clean);
    auto from =
        v1::RegistryService::NewStub(testing::ChannelAs(crashed, "auditor-1"));
    auto to =
        v1::RegistryService::NewStub(testing::ChannelAs(address, "clerk-7"));
    // Every household the crashed store holds (one whose change was cut
    // off may be there too), as it holds it.
    std::vector<std::string> ids;
    std::string token;
    do {
      v1::ListHouseholdsRequest list;
      list.set_page_size(1000);
      list.set_page_token(token);
      v1::ListHouseholdsResponse page;
      grpc::ClientContext context;
      const grpc::Status s = from->ListHouseholds(&context, list, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (const v1::Household& h : page.households()) {
        ids.push_back(h.household_id());
      }
      token = page.next_page_token();
    } while (!token.empty());
    for (const std::string& id : ids) {
      v1::GetHouseholdRequest get;
      get.set_household_id(id);
      v1::UpsertHouseholdRequest put;
      grpc::ClientContext c1;
      EXPECT_TRUE(from->GetHousehold(&c1, get, put.mutable_household()).ok());
      put.mutable_household()->clear_version();
      put.mutable_household()->clear_updated_at();
      put.mutable_household()->clear_updated_by();
      v1::UpsertHouseholdResponse r;
      grpc::ClientContext c2;
      const grpc::Status s = to->UpsertHousehold(&c2, put, &r);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    std::vector<std::pair<int64_t, std::string>> order;
    for (const auto& [id, receipt] : expected_.batches) {
      order.emplace_back(receipt.batch_seq(), id);
    }
    std::sort(order.begin(), order.end());
    auto feed =
        v1::FeedService::NewStub(testing::ChannelAs(address, "police-feed"));
    for (const auto& [seq, id] : order) {
      v1::Receipt receipt;
      EXPECT_TRUE(Send(*feed, expected_.batch_numbers[id], id,
                       expected_.people[id], expected_.dead[id], &receipt))
          << id;
    }
    for (const std::string& a : {crashed, address}) {
      auto cycles =
          v1::CycleService::NewStub(testing::ChannelAs(a, "night-operator"));
      v1::RunCycleRequest run;
      *run.mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 26));
      // A cycle the kill interrupted is finished first, with the changes it
      // began with; the run after it takes up the rest.
      for (int round = 0; round < 3; ++round) {
        v1::CycleReport report;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(120));
        const grpc::Status s = cycles->RunCycle(&context, run, &report);
        EXPECT_TRUE(s.ok()) << s.error_message();
        if (!s.ok() || !report.resumed()) break;
      }
    }
    // Every open finding of the crashed store is the replay's too (none
    // stale: no dirty mark lost), and every finding of the replay is on the
    // crashed store, open or decided (none missing). Decided flags whose
    // conflict has gone stay for the caseworker, by design.
    const std::set<std::string> open = Findings(crashed, false);
    const std::set<std::string> decided = Findings(crashed, true);
    const std::set<std::string> want = Findings(address, false);
    int64_t mismatches = 0;
    for (const std::string& f : open) {
      if (!want.contains(f)) {
        ++mismatches;
        ADD_FAILURE() << "the crashed store has an open finding the replay "
                         "has not: "
                      << f << " ("
                      << Describe(crashed, f.substr(0, f.find(' '))) << ")";
      }
    }
    for (const std::string& f : want) {
      if (!open.contains(f) && !decided.contains(f)) {
        ++mismatches;
        ADD_FAILURE() << "the replay has a finding the crashed store has not: "
                      << f << " ("
                      << Describe(crashed, f.substr(0, f.find(' '))) << ")";
      }
    }
    // And every household's assessment is the same.
    auto crashed_cycles =
        v1::CycleService::NewStub(testing::ChannelAs(crashed, "auditor-1"));
    auto clean_cycles =
        v1::CycleService::NewStub(testing::ChannelAs(address, "auditor-1"));
    for (const std::string& id : ids) {
      v1::GetAssessmentRequest get;
      get.set_household_id(id);
      v1::Assessment a, b;
      grpc::ClientContext c1, c2;
      EXPECT_TRUE(crashed_cycles->GetAssessment(&c1, get, &a).ok()) << id;
      EXPECT_TRUE(clean_cycles->GetAssessment(&c2, get, &b).ok()) << id;
      ++replay_assessments_;
      if (!google::protobuf::util::MessageDifferencer::Equals(a, b)) {
        ++mismatches;
        ADD_FAILURE() << "household " << id
                      << " is assessed differently after the crashes: "
                      << a.ShortDebugString() << " vs the replay's "
                      << b.ShortDebugString();
      }
    }
    replay_findings_ = static_cast<int64_t>(want.size());
    return mismatches;
  }

  // Checks the running server against the expected state.
  void Verify(const std::string& address) {
    std::lock_guard<std::mutex> lock(expected_.mu);
    auto feeds =
        v1::FeedService::NewStub(testing::ChannelAs(address, "auditor-1"));
    v1::ListBatchesRequest list;
    list.set_limit(1000);
    v1::ListBatchesResponse batches;
    {
      grpc::ClientContext context;
      const grpc::Status s = feeds->ListBatches(&context, list, &batches);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    std::map<std::string, std::vector<const v1::Receipt*>> stored;
    for (const v1::Receipt& r : batches.receipts()) {
      stored[r.header().batch_id()].push_back(&r);
    }
    // ListBatches gives the newest 1,000 receipts: older batches (a long
    // run's) are checked through one of their people's facts instead.
    const int64_t oldest_listed =
        batches.receipts().empty()
            ? 0
            : batches.receipts(batches.receipts_size() - 1).batch_seq();
    const bool all_listed = batches.receipts_size() < 1000;
    for (const auto& [id, receipt] : expected_.batches) {
      auto it = stored.find(id);
      if (it == stored.end() && !all_listed &&
          receipt.batch_seq() < oldest_listed) {
        if (NamesBatch(*feeds, expected_.people[id].front(), id)) continue;
      }
      if (it == stored.end()) {
        ++lost_batches_;
        ADD_FAILURE() << "acknowledged batch " << id << " is gone";
        continue;
      }
      EXPECT_EQ(it->second.size(), 1u) << id;
      const v1::Receipt& r = *it->second.front();
      EXPECT_EQ(r.batch_seq(), receipt.batch_seq()) << id;
      EXPECT_EQ(r.accepted(), receipt.accepted()) << id;
      EXPECT_EQ(r.digest(), receipt.digest()) << id;
    }
    // A batch cut off by the kill: whole or absent.
    for (auto in = expected_.in_doubt.begin();
         in != expected_.in_doubt.end();) {
      const std::string& id = in->first;
      const bool committed = stored.contains(id);
      int naming = 0, sampled = 0;
      for (size_t i = 0; i < in->second.size(); i += 97, ++sampled) {
        naming += NamesBatch(*feeds, in->second[i], id);
      }
      if (committed) {
        ++committed_unacknowledged_;
        EXPECT_EQ(stored[id].front()->header().record_count(),
                  static_cast<int64_t>(in->second.size()))
            << id;
      }
      if (naming != (committed ? sampled : 0)) {
        ++partial_batches_;
        ADD_FAILURE() << "batch " << id
                      << (committed ? " committed" : " absent") << " but "
                      << naming << " of " << sampled
                      << " sampled people have its facts";
      }
      // Settled now: committed ones are expected from here on.
      if (committed) {
        expected_.batches[id] = *stored[id].front();
      } else {
        ++absent_unacknowledged_;
      }
      in = expected_.in_doubt.erase(in);
    }
    auto registry =
        v1::RegistryService::NewStub(testing::ChannelAs(address, "auditor-1"));
    for (const auto& [id, version] : expected_.households) {
      v1::GetHouseholdRequest request;
      request.set_household_id(id);
      v1::Household h;
      grpc::ClientContext context;
      const grpc::Status s = registry->GetHousehold(&context, request, &h);
      if (!s.ok() || h.version() < version) {
        ++lost_households_;
        ADD_FAILURE() << "acknowledged household " << id << " v" << version
                      << " is "
                      << (s.ok() ? absl::StrCat("v", h.version())
                                 : s.error_message());
      }
    }
    auto cycles =
        v1::CycleService::NewStub(testing::ChannelAs(address, "auditor-1"));
    for (const auto& [id, version] : expected_.decisions) {
      v1::GetFlagRequest request;
      request.set_flag_id(id);
      v1::Flag flag;
      grpc::ClientContext context;
      const grpc::Status s = cycles->GetFlag(&context, request, &flag);
      // A later cycle may move the flag on (a newer version), never back.
      if (!s.ok() || flag.version() < version) {
        ++lost_decisions_;
        ADD_FAILURE() << "acknowledged decision on flag " << id << " (v"
                      << version << ") is "
                      << (s.ok() ? absl::StrCat("v", flag.version())
                                 : s.error_message());
      }
    }
    auto audit =
        v1::AuditService::NewStub(testing::ChannelAs(address, "auditor-1"));
    v1::AuditVerification verified;
    grpc::ClientContext context;
    const grpc::Status s =
        audit->VerifyAudit(&context, v1::VerifyAuditRequest(), &verified);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(verified.ok()) << verified.problem();
    audit_entries_ = verified.entries();
  }

  std::string dir_;
  std::unique_ptr<testing::Process> server_;
  Expected expected_;
  int64_t lost_batches_ = 0, partial_batches_ = 0, lost_households_ = 0;
  int64_t lost_decisions_ = 0, replay_findings_ = 0, replay_mismatches_ = 0;
  int64_t replay_assessments_ = 0;
  int64_t committed_unacknowledged_ = 0, absent_unacknowledged_ = 0;
  int64_t audit_entries_ = 0;
};

TEST_F(CrashTest, EveryAcknowledgedWriteSurvivesKillNineAndNoBatchIsPartial) {
  const int kills = testing::EnvInt("DIBAO_CRASH_KILLS", 6);
  const unsigned seed = static_cast<unsigned>(testing::EnvInt(
      "DIBAO_CRASH_SEED", static_cast<int>(absl::ToUnixSeconds(absl::Now()))));
  std::cout << "crash test: " << kills << " kills, seed " << seed << std::endl;
  std::mt19937 rng(seed);
  dir_ = testing::NewTempDir("crash");
  std::atomic<int> next_batch{0}, next_household{0};
  for (int k = 0; k <= kills; ++k) {
    const std::string address = Start();
    ASSERT_FALSE(address.empty());
    Verify(address);
    if (HasFatalFailure()) break;
    if (k == kills) {
      replay_mismatches_ = Replay(address);
      break;
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < 2; ++c) {
      clients.emplace_back([&, c, seed_c = rng()] {
        std::mt19937 r(seed_c);
        while (!stop) {
          std::vector<int> people;
          const int n = 200 + static_cast<int>(r() % 2500);
          const int first = static_cast<int>(r() % kPeople);
          for (int i = 0; i < n; ++i) people.push_back((first + i) % kPeople);
          const int batch = next_batch++;
          Push(address, batch, absl::StrCat("B", c, "-", batch), people, r);
        }
      });
    }
    clients.emplace_back([&, seed_r = rng()] {
      std::mt19937 r(seed_r);
      while (!stop) Upsert(address, next_household++ % 400, r);
    });
    clients.emplace_back([&] {
      while (!stop) Cycle(address);
    });
    clients.emplace_back([&] {
      while (!stop) Decide(address);
    });
    // The kill comes at a random moment, mid-upload, mid-cycle or between
    // (no new call starts after it is decided).
    absl::SleepFor(absl::Milliseconds(150 + rng() % 1200));
    stop = true;
    server_->Signal(SIGKILL);
    server_->Wait();
    for (std::thread& t : clients) t.join();
  }
  std::lock_guard<std::mutex> lock(expected_.mu);
  std::cout << "crash test: " << kills
            << " kills; acknowledged: " << expected_.batches.size()
            << " batches in all (" << committed_unacknowledged_
            << " committed as the server died, their receipts never sent), "
            << expected_.households.size() << " households, "
            << expected_.cycles << " cycles, " << expected_.decisions.size()
            << " decisions; " << absent_unacknowledged_
            << " batches cut off and absent; " << expected_.failed_calls
            << " calls cut off; lost batches " << lost_batches_
            << ", partial batches " << partial_batches_
            << ", lost household changes " << lost_households_
            << ", lost decisions " << lost_decisions_
            << "; clean replay: " << replay_findings_ << " findings and "
            << replay_assessments_ << " assessments, " << replay_mismatches_
            << " mismatches"
            << "; audit chain verifies, " << audit_entries_ << " entries"
            << std::endl;
  EXPECT_EQ(lost_batches_, 0);
  EXPECT_EQ(partial_batches_, 0);
  EXPECT_EQ(lost_households_, 0);
  EXPECT_EQ(lost_decisions_, 0);
  EXPECT_EQ(replay_mismatches_, 0);
  EXPECT_GT(expected_.batches.size(), 0u);
}

}  // namespace
}  // namespace dibao
