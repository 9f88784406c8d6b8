// dibaoctl review ... and audit ... against a real server loaded with the
// sample district and its agencies' files after the first nightly cycle, as
// a caseworker would use them: the queue, a case, decisions with the
// caseworker named, the household's audit log, and `audit verify` finding
// one changed byte in the stored chain.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/clock.h"
#include "dibao/v1/audit.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/iterator.h"
#include "rocksdb/write_batch.h"
#include "services/server.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

// A flag of the queue as `review list --format csv` gives it.
struct Listed {
  std::string flag_id;
  std::string household_id;
};

class ReviewCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The tests say who acts; a certificate from the environment would hide
    // a missing --cert.
    unsetenv("DIBAO_CERT");
    unsetenv("DIBAO_KEY");
    unsetenv("DIBAO_CA");
    dir_ = new std::string(testing::NewTempDir("dibaoctl-review"));
    options_ = new ServerOptions;
    testing::UseTestAccess(options_, *dir_);
    options_->data_dir = *dir_ + "/data";
    options_->store.sync_writes = false;
    options_->policy_file =
        std::string(DIBAO_SOURCE_DIR) + "/deploy/policy.textproto";
    ASSERT_NO_FATAL_FAILURE(StartServer());
    const std::string failed = testing::LoadSampleWithCtl(
        [](const std::string& principal, std::vector<std::string> args) {
          return CtlAs(principal, std::move(args));
        },
        *dir_);
    ASSERT_TRUE(failed.empty()) << failed;
    auto run = CtlAs("night-operator", {"cycle", "run", "--as-of=2026-11-01"});
    ASSERT_EQ(run.exit_code, 0) << run.err;

    // The one vehicle flag (its evidence is known), and the top of the rest
    // of the queue: each test works its own flags, so they do not meet when
    // the binary runs them all in one process.
    auto vehicle =
        Ctl({"review", "list", "--rule=VEHICLE_OWNED", "--format=csv"});
    ASSERT_EQ(vehicle.exit_code, 0) << vehicle.err;
    std::vector<Listed> vehicles = ParseList(vehicle.out);
    ASSERT_EQ(vehicles.size(), 1u) << vehicle.out;
    vehicle_ = new Listed(vehicles[0]);
    auto top = Ctl({"review", "list", "--limit=20", "--format=csv"});
    ASSERT_EQ(top.exit_code, 0) << top.err;
    top_ = new std::vector<Listed>;
    for (const Listed& l : ParseList(top.out)) {
      if (l.flag_id != vehicle_->flag_id) top_->push_back(l);
    }
    ASSERT_GE(top_->size(), 12u);
  }

  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete top_;
    delete vehicle_;
    delete options_;
    delete dir_;
  }

  static void StartServer() {
    auto server = Server::Start(*options_, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }

  static void StopServer() {
    ASSERT_TRUE(server_->Shutdown(absl::Seconds(10)).ok());
    delete server_;
    server_ = nullptr;
  }

  // dibaoctl as principal `who`, proven by its certificate (none when
  // empty).
  static testing::RunResult CtlAs(const std::string& who,
                                  std::vector<std::string> args,
                                  const std::vector<std::string>& env = {}) {
    return testing::Run(
        testing::CtlCommand(server_->address(), who, std::move(args)), env);
  }
  // The community worker who works the flags.
  static testing::RunResult Ctl(std::vector<std::string> args) {
    return CtlAs("cw-li", std::move(args));
  }
  // The district approver, who reads everything of the district.
  static testing::RunResult Head(std::vector<std::string> args) {
    return CtlAs("head-1", std::move(args));
  }

  // The flags of `review list --format csv` output, in its order.
  static std::vector<Listed> ParseList(const std::string& csv) {
    std::vector<Listed> out;
    const std::vector<std::string> lines =
        absl::StrSplit(csv, '\n', absl::SkipEmpty());
    EXPECT_THAT(lines.at(0),
                StartsWith("priority,flag,state,severity,rule,household,"));
    for (size_t i = 1; i < lines.size(); ++i) {
      const std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
      out.push_back({cells.at(1), cells.at(5)});
    }
    return out;
  }

  static void Decide(const Listed& flag, const std::string& note) {
    auto r = Ctl({"review", "decide", flag.flag_id, "--decision=confirm",
                  "--note=" + note});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Today is 25 days after the sample's as-of day.
  static FakeClock clock_;
  static std::string* dir_;
  static ServerOptions* options_;
  static Server* server_;
  static Listed* vehicle_;
  static std::vector<Listed>* top_;
};

FakeClock ReviewCommandsTest::clock_{absl::FromCivil(
    absl::CivilSecond(2026, 11, 26, 9, 0, 0), BureauTimeZone())};
std::string* ReviewCommandsTest::dir_ = nullptr;
ServerOptions* ReviewCommandsTest::options_ = nullptr;
Server* ReviewCommandsTest::server_ = nullptr;
Listed* ReviewCommandsTest::vehicle_ = nullptr;
std::vector<Listed>* ReviewCommandsTest::top_ = nullptr;

TEST_F(ReviewCommandsTest, ListShowsTheTopFlagsWithFormulaAndCounts) {
  auto list = Head({"review", "list", "--limit=5"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const std::vector<std::string> lines =
      absl::StrSplit(list.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u + 1u + 5u) << list.out;  // summary, header, 5
  EXPECT_THAT(lines[0], MatchesRegex("[0-9]+ flags match, [0-9.]+ yuan a "
                                     "month at stake; showing the top 5"));
  EXPECT_THAT(lines[1], StartsWith("  by rule: "));
  EXPECT_THAT(lines[1], HasSubstr("VEHICLE_OWNED 1"));
  EXPECT_THAT(lines[2], StartsWith("  by state: "));
  EXPECT_THAT(lines[2], HasSubstr("OPEN "));
  EXPECT_EQ(lines[3],
            "  priority = severity (INFO 1 .. HIGH 4) x monthly overpayment "
            "in yuan (at least 1) x (1 + days since first seen / 30)");
  EXPECT_THAT(lines[4], StartsWith("priority"));
  EXPECT_THAT(lines[4], HasSubstr("summary"));

  // The same top flags, in the same order, as CSV; priorities fall.
  auto csv = Head({"review", "list", "--limit=5", "--format=csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const std::vector<Listed> top = ParseList(csv.out);
  ASSERT_EQ(top.size(), 5u);
  const std::vector<std::string> rows =
      absl::StrSplit(csv.out, '\n', absl::SkipEmpty());
  int64_t last = INT64_MAX;
  for (size_t i = 0; i < top.size(); ++i) {
    EXPECT_THAT(lines[5 + i], HasSubstr(top[i].flag_id));
    int64_t priority = 0;
    ASSERT_TRUE(absl::SimpleAtoi(
        std::vector<std::string>(absl::StrSplit(rows[i + 1], ','))[0],
        &priority));
    EXPECT_LE(priority, last);
    last = priority;
  }

  // Filters: one rule (any case), open only, HIGH, unclaimed; unknown names
  // refused.
  auto vehicles = Head({"review", "list", "--rule=vehicle_owned",
                        "--state=open,needs_visit", "--severity=high",
                        "--assignee=-", "--min-age-days=25", "--format=csv"});
  ASSERT_EQ(vehicles.exit_code, 0) << vehicles.err;
  ASSERT_EQ(ParseList(vehicles.out).size(), 1u) << vehicles.out;
  EXPECT_EQ(ParseList(vehicles.out)[0].flag_id, vehicle_->flag_id);
  auto older = Head({"review", "list", "--min-age-days=26"});
  ASSERT_EQ(older.exit_code, 0) << older.err;
  EXPECT_THAT(older.out, StartsWith("0 flags match"));
  auto bad = Head({"review", "list", "--severity=urgent"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("INFO, LOW, MEDIUM, HIGH"));
  EXPECT_EQ(Head({"review", "list", "--rule=NOPE"}).exit_code, 1);
  EXPECT_EQ(Head({"review", "list", "extra"}).exit_code, 2);
}

TEST_F(ReviewCommandsTest, ShowPrintsEvidenceMembersReassessmentAndHistory) {
  auto show = Head({"review", "show", vehicle_->flag_id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, StartsWith(absl::StrCat("flag ", vehicle_->flag_id,
                                                " OPEN (version ")));
  EXPECT_THAT(show.out, HasSubstr("first seen 2026-11-01 (25 days)"));
  EXPECT_THAT(show.out, HasSubstr("unclaimed"));
  // The evidence.
  EXPECT_THAT(show.out, HasSubstr("VEHICLE_OWNED (HIGH)"));
  EXPECT_THAT(show.out, HasSubstr("partner facts:"));
  EXPECT_THAT(show.out, HasSubstr("PUBLIC_SECURITY-VEHICLE-20261101"));
  EXPECT_THAT(show.out, HasSubstr("estimated monthly overpayment: "));
  // The household and its members.
  EXPECT_THAT(show.out,
              HasSubstr(absl::StrCat("household ", vehicle_->household_id)));
  EXPECT_THAT(show.out, HasSubstr("yuan/month since"));
  EXPECT_THAT(show.out, HasSubstr("\n  id_number "));
  EXPECT_THAT(show.out, HasSubstr("户主"));
  // The reassessment, line by line.
  EXPECT_THAT(show.out, HasSubstr("reassessment as of 2026-11-01:\n"));
  EXPECT_THAT(show.out, HasSubstr("standard for district 420102"));
  EXPECT_THAT(show.out, HasSubstr("the asset test fails"));
  // The history: the import, by the principal who ran it.
  EXPECT_THAT(show.out, HasSubstr("history (audit trail):\n  #"));
  EXPECT_THAT(show.out, HasSubstr("loader REGISTRY_CHANGE"));

  // A comment shows in the case and its history.
  auto comment = Ctl({"review", "comment", vehicle_->flag_id,
                      "--note=asked the traffic police for the record"});
  ASSERT_EQ(comment.exit_code, 0) << comment.err;
  show = Head({"review", "show", vehicle_->flag_id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("decisions and comments:\n"));
  EXPECT_THAT(show.out, HasSubstr("2026-11-26 09:00 cw-li commented: asked "
                                  "the traffic police for the record"));
  EXPECT_THAT(show.out,
              HasSubstr(absl::StrCat("cw-li FLAG_COMMENTED ", vehicle_->flag_id,
                                     ": asked the traffic police")));

  EXPECT_EQ(Head({"review", "show"}).exit_code, 2);
  auto missing = Head({"review", "show", "F9999999"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));
}

TEST_F(ReviewCommandsTest, CallsWithoutACertificateAreUsageErrors) {
  const Listed& flag = top_->at(0);
  auto decide = CtlAs("", {"review", "decide", flag.flag_id,
                           "--decision=confirm", "--note=payroll seen"});
  EXPECT_EQ(decide.exit_code, 2);
  EXPECT_THAT(decide.err, HasSubstr("needs your client certificate"));
  EXPECT_THAT(decide.err, HasSubstr("--cert, --key and --ca"));
  EXPECT_THAT(decide.err, HasSubstr("DIBAO_CERT"));
  EXPECT_EQ(decide.out, "");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"review", "claim", flag.flag_id},
           {"review", "assign", flag.flag_id, "--to=cw-li"},
           {"review", "comment", flag.flag_id, "--note=hello"},
           {"review", "visit", flag.flag_id, "--result=confirm",
            "--note=seen"}}) {
    auto r = CtlAs("", args);
    EXPECT_EQ(r.exit_code, 2) << args[1];
    EXPECT_THAT(r.err, HasSubstr("--cert")) << args[1];
  }
  // Nothing was recorded.
  auto show = Head({"review", "show", flag.flag_id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr(" OPEN (version "));
  EXPECT_THAT(show.out, HasSubstr("unclaimed"));
  EXPECT_THAT(show.out, Not(HasSubstr("decisions and comments:")));

  // The environment names the certificate too; whoever it proves acts.
  const std::string pki = testing::TestPkiDir();
  auto claim = CtlAs(
      "", {"review", "claim", flag.flag_id},
      {"DIBAO_CERT=" + pki + "/cw-zhao.crt",
       "DIBAO_KEY=" + pki + "/cw-zhao.key", "DIBAO_CA=" + pki + "/ca.crt"});
  ASSERT_EQ(claim.exit_code, 0) << claim.err;
  EXPECT_THAT(claim.out,
              HasSubstr(absl::StrCat("flag ", flag.flag_id,
                                     " is OPEN, worked by cw-zhao")));
  // Usage: no decision or no note.
  EXPECT_EQ(Ctl({"review", "decide", flag.flag_id, "--note=x"}).exit_code, 2);
  EXPECT_EQ(
      Ctl({"review", "decide", flag.flag_id, "--decision=confirm"}).exit_code,
      2);
  auto maybe =
      Ctl({"review", "decide", flag.flag_id, "--decision=maybe", "--note=x"});
  EXPECT_EQ(maybe.exit_code, 1);
  EXPECT_THAT(maybe.err, HasSubstr("confirm, dismiss, needs-visit"));
}

TEST_F(ReviewCommandsTest, ConfirmIsInTheHouseholdsAuditLog) {
  const Listed& flag = top_->at(1);
  auto claim = Ctl({"review", "claim", flag.flag_id});
  ASSERT_EQ(claim.exit_code, 0) << claim.err;
  auto decide = Ctl({"review", "decide", flag.flag_id, "--decision=confirm",
                     "--note=employer confirmed the payroll"});
  ASSERT_EQ(decide.exit_code, 0) << decide.err;
  EXPECT_THAT(decide.out,
              StartsWith(absl::StrCat("flag ", flag.flag_id,
                                      " is CONFIRMED, worked by cw-li")));

  auto log = Head({"audit", "log", "--household", flag.household_id});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_THAT(log.out, StartsWith("seq"));
  EXPECT_THAT(log.out, HasSubstr("REGISTRY_CHANGE"));
  const std::vector<std::string> lines =
      absl::StrSplit(log.out, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 3u);
  const std::string& claimed = lines[lines.size() - 2];
  const std::string& decided = lines.back();
  EXPECT_THAT(claimed, HasSubstr("FLAG_CLAIMED"));
  EXPECT_THAT(claimed, HasSubstr("claimed by cw-li"));
  EXPECT_THAT(decided, HasSubstr("2026-11-26 09:00"));
  EXPECT_THAT(decided, HasSubstr("cw-li"));
  EXPECT_THAT(decided, HasSubstr("FLAG_DECIDED"));
  EXPECT_THAT(decided, HasSubstr(flag.household_id));
  EXPECT_THAT(decided, HasSubstr(flag.flag_id));
  EXPECT_THAT(decided, HasSubstr("CONFIRMED: employer confirmed the payroll"));

  // Decided once: a second decision is refused with the state it is in.
  auto again = Ctl({"review", "decide", flag.flag_id, "--decision=dismiss",
                    "--reason=other", "--note=second thoughts"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(again.err, HasSubstr("is CONFIRMED (by cw-li)"));
  // As is a decision on a stale version.
  const Listed& other = top_->at(2);
  auto stale = Ctl({"review", "decide", other.flag_id, "--decision=confirm",
                    "--note=x", "--flag-version=999"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.err, HasSubstr("changed since you read it"));
}

TEST_F(ReviewCommandsTest, DismissNeedsAKnownReasonCode) {
  const Listed& flag = top_->at(3);
  auto unknown = Ctl({"review", "decide", flag.flag_id, "--decision=dismiss",
                      "--reason=BAD_LUCK", "--note=not them"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown reason code \"BAD_LUCK\""));
  EXPECT_THAT(unknown.err,
              HasSubstr("PARTNER_DATA_WRONG, ALREADY_DECLARED, WRONG_PERSON, "
                        "POLICY_EXCEPTION, OTHER"));
  auto none = Ctl({"review", "decide", flag.flag_id, "--decision=dismiss",
                   "--note=not them"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(none.err, HasSubstr("PARTNER_DATA_WRONG"));

  auto dismissed = Ctl({"review", "decide", flag.flag_id, "--decision=dismiss",
                        "--reason=partner_data_wrong",
                        "--note=the employer closed in 2025"});
  ASSERT_EQ(dismissed.exit_code, 0) << dismissed.err;
  EXPECT_THAT(dismissed.out,
              StartsWith(absl::StrCat("flag ", flag.flag_id, " is DISMISSED")));
  auto log = Head({"audit", "log", "--household=" + flag.household_id});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr("DISMISSED (PARTNER_DATA_WRONG): the "
                                 "employer closed in 2025"));
}

TEST_F(ReviewCommandsTest, NeedsVisitThenTheVisitConfirms) {
  const Listed& flag = top_->at(4);
  auto visit = Ctl({"review", "decide", flag.flag_id, "--decision=needs-visit",
                    "--note=see the family"});
  ASSERT_EQ(visit.exit_code, 0) << visit.err;
  EXPECT_THAT(visit.out, HasSubstr(" is NEEDS_VISIT"));
  auto waiting =
      Head({"review", "list", "--state=needs_visit", "--format=csv"});
  ASSERT_EQ(waiting.exit_code, 0) << waiting.err;
  bool listed = false;
  for (const Listed& l : ParseList(waiting.out)) {
    listed = listed || l.flag_id == flag.flag_id;
  }
  EXPECT_TRUE(listed) << waiting.out;
  auto result =
      CtlAs("cw-zhou", {"review", "visit", flag.flag_id, "--result=confirm",
                        "--note=works at the market every day"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr(" is CONFIRMED"));
  auto show = Head({"review", "show", flag.flag_id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("cw-li: NEEDS_VISIT: see the family"));
  EXPECT_THAT(show.out, HasSubstr("cw-zhou: visit result CONFIRMED: works at "
                                  "the market every day"));
  // An OPEN flag has no visit to record.
  auto open = Ctl(
      {"review", "visit", top_->at(5).flag_id, "--result=confirm", "--note=x"});
  EXPECT_EQ(open.exit_code, 1);
  EXPECT_THAT(open.err, HasSubstr("FAILED_PRECONDITION"));
}

TEST_F(ReviewCommandsTest, AuditVerifySaysIntact) {
  Decide(top_->at(6), "intact chain check");
  auto verify = Head({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, MatchesRegex("audit chain intact: [0-9]+ entries, "
                                       "head [0-9a-f]{64}\n"));
  EXPECT_EQ(Head({"audit", "verify", "extra"}).exit_code, 2);
}

// One byte of one stored entry changed on disk while the server is down:
// `audit verify` names that entry, and only that one.
TEST_F(ReviewCommandsTest, AuditVerifyNamesTheTamperedEntry) {
  Decide(top_->at(7), "first of three");
  Decide(top_->at(8), "tamper target: payroll seen");
  Decide(top_->at(9), "third of three");
  auto intact = Head({"audit", "verify"});
  ASSERT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_THAT(intact.out, StartsWith("audit chain intact: "));

  ASSERT_NO_FATAL_FAILURE(StopServer());
  // The stored value is [SHA-256 of the entry][entry bytes]; change one
  // byte of the entry's detail text, leaving the hash as it was.
  int64_t target_seq = 0;
  std::string key, original;
  {
    StoreOptions so;
    so.create_if_missing = false;
    auto store = Store::Open(options_->data_dir, so);
    ASSERT_TRUE(store.ok()) << store.status();
    auto it = (*store)->NewIterator(Cf::kAudit);
    const std::string prefix = keys::AuditPrefix();
    int64_t entries = 0;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      ++entries;
      const std::string value = it->value().ToString();
      ASSERT_GT(value.size(), 32u);
      v1::AuditEntry e;
      ASSERT_TRUE(e.ParseFromString(value.substr(32)));
      if (e.flag_id() == top_->at(8).flag_id &&
          e.action() == v1::AUDIT_ACTION_FLAG_DECIDED) {
        target_seq = e.seq();
        key = it->key().ToString();
        original = value;
      }
    }
    ASSERT_TRUE(it->status().ok());
    it.reset();
    ASSERT_GT(target_seq, 0);
    ASSERT_LT(target_seq, entries);  // entries follow it in the chain
    const size_t at = original.find("tamper target", 32);
    ASSERT_NE(at, std::string::npos);
    std::string tampered = original;
    tampered[at] = 'T';  // "Tamper target": still a well-formed entry
    v1::AuditEntry e;
    ASSERT_TRUE(e.ParseFromString(tampered.substr(32)));
    EXPECT_EQ(e.detail(), "CONFIRMED: Tamper target: payroll seen");
    rocksdb::WriteBatch batch;
    batch.Put((*store)->handle(Cf::kAudit), key, tampered);
    ASSERT_TRUE((*store)->Write(batch).ok());
  }
  ASSERT_NO_FATAL_FAILURE(StartServer());

  auto broken = Head({"audit", "verify"});
  EXPECT_EQ(broken.exit_code, 1) << broken.out << broken.err;
  EXPECT_THAT(broken.out,
              HasSubstr(absl::StrCat("audit chain BROKEN at entry ", target_seq,
                                     ": entry ", target_seq,
                                     " was changed after it was written")));
  // The rest of the server still works; the log shows the changed text.
  auto log = Head({"audit", "log", "--household", top_->at(8).household_id});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr("CONFIRMED: Tamper target"));

  // Put the byte back: the chain verifies again (and the tests after this
  // one, in the same process, see an intact chain).
  ASSERT_NO_FATAL_FAILURE(StopServer());
  {
    StoreOptions so;
    so.create_if_missing = false;
    auto store = Store::Open(options_->data_dir, so);
    ASSERT_TRUE(store.ok()) << store.status();
    rocksdb::WriteBatch batch;
    batch.Put((*store)->handle(Cf::kAudit), key, original);
    ASSERT_TRUE((*store)->Write(batch).ok());
  }
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto restored = Head({"audit", "verify"});
  EXPECT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  EXPECT_THAT(restored.out, StartsWith("audit chain intact: "));
}

}  // namespace
}  // namespace dibao
