// The console's HTTP side against a real server loaded with the sample
// district after its first cycle: the static files and their security
// headers, signing in and out, the session cookie, CSRF and origin checks,
// the JSON API mapped onto the service methods, the caseworker's identity
// in decisions and the audit trail, and the audit of every detail read.
#include "console/http_server.h"

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dibao/v1/audit.pb.h"
#include "dibao/v1/console.pb.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/review.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/sample_server.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using testing::kConsolePassword;

template <typename M>
M FromJson(const std::string& json) {
  M m;
  auto s = google::protobuf::util::JsonStringToMessage(json, &m);
  EXPECT_TRUE(s.ok()) << s.message() << " in " << json;
  return m;
}

class ConsoleServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::SampleServerOptions options;
    options.name = "console-server";
    options.run_cycle = true;
    options.console_users = {"wang.li", "li.na"};
    auto sample = testing::SampleServer::Start(options);
    ASSERT_TRUE(sample.ok()) << sample.status();
    sample_ = sample->release();
  }
  static void TearDownTestSuite() { delete sample_; }

  std::unique_ptr<httplib::Client> Client() {
    auto c = std::make_unique<httplib::Client>(
        "127.0.0.1", sample_->server().console_port());
    c->set_read_timeout(60);
    return c;
  }

  // Signs in; the cookie header and the CSRF token.
  std::pair<std::string, std::string> SignIn(const std::string& id) {
    auto res =
        Client()->Post("/api/session",
                       absl::StrCat("{\"id\":\"", id, "\",\"password\":\"",
                                    kConsolePassword, "\"}"),
                       "application/json");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    const std::string set_cookie = res->get_header_value("Set-Cookie");
    const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
    return {cookie, FromJson<v1::ConsoleSessionInfo>(res->body).csrf_token()};
  }

  httplib::Result Api(const std::string& path, const std::string& body,
                      const std::pair<std::string, std::string>& session,
                      httplib::Headers extra = {}) {
    httplib::Headers headers = {{"Cookie", session.first},
                                {"X-CSRF-Token", session.second}};
    headers.insert(extra.begin(), extra.end());
    return Client()->Post(path.c_str(), headers, body, "application/json");
  }

  std::string TopFlag(const std::pair<std::string, std::string>& session) {
    auto res =
        Api("/api/v1/ReviewService/ListQueue", "{\"pageSize\":1}", session);
    EXPECT_EQ(res->status, 200) << res->body;
    auto list = FromJson<v1::ListQueueResponse>(res->body);
    EXPECT_EQ(list.items_size(), 1);
    return list.items_size() ? list.items(0).flag().flag_id() : "";
  }

  static testing::SampleServer* sample_;
};

testing::SampleServer* ConsoleServerTest::sample_ = nullptr;

TEST_F(ConsoleServerTest, ServesTheConsoleWithSecurityHeaders) {
  auto index = Client()->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_THAT(index->body, HasSubstr("app.js"));
  EXPECT_THAT(index->get_header_value("Content-Security-Policy"),
              HasSubstr("script-src 'self'"));
  EXPECT_EQ(index->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(index->get_header_value("X-Content-Type-Options"), "nosniff");
  auto chart = Client()->Get("/chart.umd.js");
  ASSERT_TRUE(chart);
  EXPECT_EQ(chart->status, 200);
  EXPECT_THAT(chart->body, HasSubstr("Chart"));
  auto none = Client()->Get("/../CMakeCache.txt");
  ASSERT_TRUE(none);
  EXPECT_NE(none->status, 200);
}

TEST_F(ConsoleServerTest, NothingWithoutSigningIn) {
  auto res = Client()->Post("/api/v1/ReviewService/ListQueue", "{}",
                            "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  auto error = FromJson<v1::ConsoleError>(res->body);
  EXPECT_EQ(error.code(), "UNAUTHENTICATED");
  auto session = Client()->Get("/api/session");
  EXPECT_EQ(session->status, 401);
}

TEST_F(ConsoleServerTest, WrongPasswordsAreRefusedThenLockedOut) {
  for (int i = 0; i < 5; ++i) {
    auto res = Client()->Post("/api/session",
                              "{\"id\":\"li.na\",\"password\":\"guess-guess\"}",
                              "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << i;
    EXPECT_EQ(FromJson<v1::ConsoleError>(res->body).message(),
              "wrong user ID or password");
    EXPECT_EQ(res->get_header_value("Set-Cookie"), "");
  }
  // Even the right password waits now.
  auto locked = Client()->Post("/api/session",
                               absl::StrCat("{\"id\":\"li.na\",\"password\":\"",
                                            kConsolePassword, "\"}"),
                               "application/json");
  EXPECT_EQ(locked->status, 429);
  EXPECT_THAT(locked->body, HasSubstr("try again in 15 minutes"));
  auto malformed =
      Client()->Post("/api/session", "{\"user\":\"x\"}", "application/json");
  EXPECT_EQ(malformed->status, 400);
  // An ID no user can have gets the same answer, without a lockout entry.
  auto huge =
      Client()->Post("/api/session",
                     absl::StrCat("{\"id\":\"", std::string(100000, 'x'),
                                  "\",\"password\":\"p\"}"),
                     "application/json");
  EXPECT_EQ(huge->status, 401);
  EXPECT_EQ(FromJson<v1::ConsoleError>(huge->body).message(),
            "wrong user ID or password");
}

// A flood of sign-ins from one address, and a guesser locking a caseworker
// out, against the production limits: the real user, at her own address,
// gets in every time.
TEST(ConsoleSignInTest, AFloodOrAGuesserElsewhereLeavesTheRealUserIn) {
  testing::SampleServerOptions options;
  options.name = "console-flood";
  options.load_sample = false;
  // nobody-here has a password but is no principal of the server.
  options.console_users = {"wang.li", "nobody-here"};
  options.console_sign_ins_per_minute = 0;  // production limits
  auto sample = testing::SampleServer::Start(options);
  ASSERT_TRUE(sample.ok()) << sample.status();
  const int port = (*sample)->server().console_port();
  auto from = [&](const std::string& address) {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
    c->set_interface(address);  // the client's own address
    c->set_read_timeout(60);
    return c;
  };
  auto sign_in = [&](httplib::Client& c, const std::string& id,
                     const std::string& password) {
    auto res = c.Post(
        "/api/session",
        absl::StrCat("{\"id\":\"", id, "\",\"password\":\"", password, "\"}"),
        "application/json");
    return res ? res->status : -1;
  };

  // Five wrong passwords for her from 127.0.0.1 lock her out there only.
  auto guesser = from("127.0.0.1");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(sign_in(*guesser, "wang.li", "guess-guess"), 401) << i;
  }
  EXPECT_EQ(sign_in(*guesser, "wang.li", kConsolePassword), 429);
  auto her = from("127.0.0.2");
  EXPECT_EQ(sign_in(*her, "wang.li", kConsolePassword), 200);
  // A password is not enough: the user must be a principal.
  auto other = from("127.0.0.4");
  EXPECT_EQ(sign_in(*other, "nobody-here", kConsolePassword), 403);

  // Four threads flooding random IDs from 127.0.0.3 for two seconds while
  // she signs in four times from 127.0.0.2.
  std::atomic<bool> stop{false};
  std::atomic<int> hashed{0}, limited{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < 4; ++t) {
    flood.emplace_back([&, t] {
      auto c = from("127.0.0.3");
      for (int i = 0; !stop; ++i) {
        const int status =
            sign_in(*c, absl::StrCat("random-", t, "-", i), "whatever-123");
        (status == 429 ? limited : hashed)++;
      }
    });
  }
  int hers = 0;
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    const int status = sign_in(*her, "wang.li", kConsolePassword);
    EXPECT_EQ(status, 200) << i;
    hers += status == 200;
  }
  stop = true;
  for (std::thread& t : flood) t.join();
  EXPECT_EQ(hers, 4);
  EXPECT_LE(hashed.load(), 10);  // the burst; the rest refused unhashed
  EXPECT_GT(limited.load(), 10);
  std::printf(
      "flood: %d attempts refused by address, %d checked; she signed "
      "in %d of 4 times\n",
      limited.load(), hashed.load(), hers);
}

TEST_F(ConsoleServerTest, SignInTellsTheUsersRoleAndJurisdiction) {
  auto res = Client()->Post("/api/session",
                            absl::StrCat("{\"id\":\"li.na\",\"password\":\"",
                                         kConsolePassword, "\"}"),
                            "application/json");
  ASSERT_EQ(res->status, 200) << res->body;
  auto info = FromJson<v1::ConsoleSessionInfo>(res->body);
  EXPECT_EQ(info.role(), "community worker");
  EXPECT_EQ(info.jurisdiction(), "420102");
}

TEST_F(ConsoleServerTest, SignInSetsAStrictHttpOnlyCookieAndSignOutEndsIt) {
  auto res = Client()->Post("/api/session",
                            absl::StrCat("{\"id\":\"wang.li\",\"password\":\"",
                                         kConsolePassword, "\"}"),
                            "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string set_cookie = res->get_header_value("Set-Cookie");
  EXPECT_THAT(set_cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(set_cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(set_cookie, Not(HasSubstr(kConsolePassword)));
  auto info = FromJson<v1::ConsoleSessionInfo>(res->body);
  EXPECT_EQ(info.user_id(), "wang.li");
  EXPECT_EQ(info.user_name(), "wang.li");
  EXPECT_EQ(info.csrf_token().size(), 64u);

  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  auto who = Client()->Get("/api/session", {{"Cookie", cookie}});
  EXPECT_EQ(who->status, 200);
  EXPECT_EQ(FromJson<v1::ConsoleSessionInfo>(who->body).csrf_token(),
            info.csrf_token());

  auto out =
      Client()->Post("/api/session/end",
                     {{"Cookie", cookie}, {"X-CSRF-Token", info.csrf_token()}},
                     "", "application/json");
  EXPECT_EQ(out->status, 204);
  EXPECT_EQ(Client()->Get("/api/session", {{"Cookie", cookie}})->status, 401);
  EXPECT_EQ(
      Api("/api/v1/ReviewService/ListQueue", "{}", {cookie, info.csrf_token()})
          ->status,
      401);
}

TEST_F(ConsoleServerTest, ChangesNeedTheCsrfTokenAndThisSitesOrigin) {
  const auto session = SignIn("wang.li");
  const std::string flag = TopFlag(session);
  const std::string claim = absl::StrCat("{\"flagId\":\"", flag, "\"}");
  auto missing =
      Client()->Post("/api/v1/ReviewService/Claim", {{"Cookie", session.first}},
                     claim, "application/json");
  EXPECT_EQ(missing->status, 403);
  EXPECT_THAT(missing->body, HasSubstr("X-CSRF-Token"));
  auto wrong = Api("/api/v1/ReviewService/Claim", claim,
                   {session.first, std::string(64, 'a')});
  EXPECT_EQ(wrong->status, 403);
  auto foreign = Api("/api/v1/ReviewService/Claim", claim, session,
                     {{"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign->status, 403);
  EXPECT_THAT(foreign->body, HasSubstr("another site"));
  // A page on another site whose name was rebound to 127.0.0.1 sends its
  // own name as Host.
  auto rebound = Api("/api/v1/ReviewService/Claim", claim, session,
                     {{"Host", "evil.example:8080"}});
  EXPECT_EQ(rebound->status, 403);
  EXPECT_THAT(rebound->body, HasSubstr("another host"));
  // Nothing was claimed.
  auto c = Api("/api/v1/ReviewService/GetCase", claim, session);
  EXPECT_EQ(FromJson<v1::Case>(c->body).item().flag().assignee(), "");
}

TEST_F(ConsoleServerTest, DecisionsCarryTheSignedInCaseworkerIntoTheAudit) {
  const auto session = SignIn("wang.li");
  const std::string flag = TopFlag(session);
  auto got = Api("/api/v1/ReviewService/GetCase",
                 absl::StrCat("{\"flagId\":\"", flag, "\"}"), session);
  ASSERT_EQ(got->status, 200) << got->body;
  auto c = FromJson<v1::Case>(got->body);
  const std::string household = c.household().household_id();
  ASSERT_FALSE(household.empty());
  EXPECT_GT(c.household().members_size(), 0);

  auto decided = Api(
      "/api/v1/ReviewService/Decide",
      absl::StrCat("{\"flagId\":\"", flag,
                   "\",\"decision\":\"FLAG_STATE_DISMISSED\",\"reason\":"
                   "\"DISMISS_REASON_PARTNER_DATA_WRONG\",\"note\":\"单位已注销"
                   "\",\"expectedVersion\":\"",
                   c.item().flag().version(), "\"}"),
      session);
  ASSERT_EQ(decided->status, 200) << decided->body;
  auto after = FromJson<v1::Flag>(decided->body);
  EXPECT_EQ(after.state(), v1::FLAG_STATE_DISMISSED);
  ASSERT_EQ(after.decisions_size(), 1);
  EXPECT_EQ(after.decisions(0).by(), "wang.li");

  // The same version again: someone (here, the same person) got there first.
  auto stale = Api(
      "/api/v1/ReviewService/Decide",
      absl::StrCat("{\"flagId\":\"", flag,
                   "\",\"decision\":\"FLAG_STATE_CONFIRMED\",\"note\":\"x\","
                   "\"expectedVersion\":\"",
                   c.item().flag().version(), "\"}"),
      session);
  EXPECT_EQ(stale->status, 400);
  EXPECT_EQ(FromJson<v1::ConsoleError>(stale->body).code(),
            "FAILED_PRECONDITION");

  auto log =
      Api("/api/v1/AuditService/ListAudit",
          absl::StrCat("{\"householdId\":\"", household, "\"}"), session);
  ASSERT_EQ(log->status, 200) << log->body;
  auto entries = FromJson<v1::ListAuditResponse>(log->body);
  bool viewed = false, decided_entry = false;
  for (const v1::AuditEntry& e : entries.entries()) {
    if (e.action() == v1::AUDIT_ACTION_PERSONAL_DATA_READ &&
        e.actor() == "wang.li" && e.purpose() == "web console" &&
        absl::StrContains(e.detail(), "ReviewService.GetCase " + flag)) {
      viewed = true;
    }
    if (e.action() == v1::AUDIT_ACTION_FLAG_DECIDED && e.actor() == "wang.li" &&
        e.flag_id() == flag &&
        absl::StrContains(e.detail(), "PARTNER_DATA_WRONG")) {
      decided_entry = true;
    }
  }
  EXPECT_TRUE(viewed) << log->body;
  EXPECT_TRUE(decided_entry) << log->body;

  auto verify = Api("/api/v1/AuditService/VerifyAudit", "{}", session);
  EXPECT_TRUE(FromJson<v1::AuditVerification>(verify->body).ok());
  auto signed_in =
      sample_->CtlAs("auditor-1", {"audit", "log", "--limit=10000"});
  EXPECT_THAT(signed_in.out, HasSubstr("wang.li"));
}

TEST_F(ConsoleServerTest,
       RecommendationsDownloadAsTheSpreadsheetDibaoctlPrints) {
  // A caseworker confirms every open flag of the top household, and its
  // recommendation is made.
  const auto session = SignIn("li.na");
  auto top =
      Api("/api/v1/ReviewService/ListQueue", "{\"pageSize\":1}", session);
  ASSERT_EQ(top->status, 200) << top->body;
  const std::string household =
      FromJson<v1::ListQueueResponse>(top->body).items(0).flag().household_id();
  auto flags = sample_->Ctl({"flags", "list", "--format=csv", "--state=open",
                             "--household=" + household});
  ASSERT_EQ(flags.exit_code, 0) << flags.err;
  for (absl::string_view line : absl::StrSplit(flags.out, '\n')) {
    const std::string id(line.substr(0, line.find(',')));
    if (id.empty() || id == "flag_id") continue;
    auto decided =
        sample_->CtlAs("cw-1", {"review", "decide", id, "--decision=confirm",
                                "--note=工资与社保记录一致"});
    ASSERT_EQ(decided.exit_code, 0) << decided.err;
  }
  ASSERT_EQ(sample_->CtlAs("cw-1", {"recommendations", "generate"}).exit_code,
            0);

  auto csv = Api("/api/v1/RecommendationService/ListRecommendations",
                 "{\"state\":\"RECOMMENDATION_STATE_PROPOSED\"}", session,
                 {{"Accept", "text/csv"}});
  ASSERT_EQ(csv->status, 200) << csv->body;
  EXPECT_THAT(csv->get_header_value("Content-Type"), HasSubstr("text/csv"));
  EXPECT_THAT(csv->body, HasSubstr(household));
  // Byte for byte what dibaoctl prints, behind a byte-order mark for Excel.
  auto ctl = sample_->Ctl(
      {"recommendations", "list", "--state=proposed", "--format=csv"});
  ASSERT_EQ(ctl.exit_code, 0) << ctl.err;
  EXPECT_EQ(csv->body, "\xEF\xBB\xBF" + ctl.out);

  auto no_csv = Api("/api/v1/ReviewService/ListQueue", "{}", session,
                    {{"Accept", "text/csv"}});
  EXPECT_EQ(no_csv->status, 400);
  EXPECT_EQ(FromJson<v1::ConsoleError>(no_csv->body).code(),
            "INVALID_ARGUMENT");
}

TEST_F(ConsoleServerTest, BadCallsGetSpecificErrors) {
  const auto session = SignIn("wang.li");
  auto unknown = Api("/api/v1/ReviewService/Nope", "{}", session);
  EXPECT_EQ(unknown->status, 404);
  auto hidden = Api("/api/v1/RegistryService/UpsertHousehold", "{}", session);
  EXPECT_EQ(hidden->status, 404);
  auto cycle = Api("/api/v1/CycleService/RunCycle", "{}", session);
  EXPECT_EQ(cycle->status, 404);
  // Bulk reads of residents' data stay with the operators' tools.
  for (const char* bulk :
       {"RegistryService/ListHouseholds", "CycleService/ListFlags",
        "CycleService/CheckApplicant",
        "RegistryService/FindHouseholdByMember"}) {
    EXPECT_EQ(Api(absl::StrCat("/api/v1/", bulk), "{}", session)->status, 404)
        << bulk;
  }
  auto typo =
      Api("/api/v1/ReviewService/ListQueue", "{\"pageSise\":5}", session);
  EXPECT_EQ(typo->status, 400);
  EXPECT_THAT(FromJson<v1::ConsoleError>(typo->body).message(),
              HasSubstr("pageSise"));
  auto not_json = Api("/api/v1/ReviewService/ListQueue", "{", session);
  EXPECT_EQ(not_json->status, 400);
  auto bad_rule = Api("/api/v1/ReviewService/ListQueue",
                      "{\"filter\":{\"rule\":\"NOPE\"}}", session);
  EXPECT_EQ(bad_rule->status, 400);
  EXPECT_THAT(bad_rule->body, HasSubstr("NOPE"));
  auto missing = Api("/api/v1/ReviewService/GetCase",
                     "{\"flagId\":\"F9999999\"}", session);
  EXPECT_EQ(missing->status, 404);
}

}  // namespace
}  // namespace dibao
