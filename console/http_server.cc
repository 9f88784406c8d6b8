#include "console/http_server.h"

#include <httplib.h>

#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "access/jurisdiction.h"
#include "access/roles.h"
#include "base/csv.h"
#include "base/free_text.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "dibao/v1/access.pb.h"
#include "dibao/v1/audit.pb.h"
#include "dibao/v1/console.pb.h"
#include "dibao/v1/recommendations.pb.h"
#include "formats/recommendation_rows.h"
#include "google/protobuf/util/json_util.h"

namespace dibao {
namespace {

constexpr char kCookieName[] = "dibao_session";
constexpr char kCsrfHeader[] = "X-CSRF-Token";
constexpr char kJson[] = "application/json; charset=utf-8";

// Every method a page may call. Nothing else is reachable: bulk listings
// of the registry, flags or partner facts, changing the registry by hand
// and running the cycle stay with the operators' tools. The server records
// each read of personal data on the audit chain (services/read_audit.h),
// with the console's user as the reader.
struct ExposedMethod {
  const char* service;
  const char* method;
};
constexpr ExposedMethod kExposed[] = {
    {"ReviewService", "ListQueue"},
    {"ReviewService", "GetCase"},
    {"ReviewService", "Claim"},
    {"ReviewService", "Assign"},
    {"ReviewService", "Decide"},
    {"ReviewService", "RecordVisit"},
    {"ReviewService", "Comment"},
    {"RecommendationService", "GenerateRecommendations"},
    {"RecommendationService", "ListRecommendations"},
    {"RecommendationService", "GetRecommendation"},
    {"RecommendationService", "EvaluateRecommendation"},
    {"RecommendationService", "ReviewRecommendation"},
    {"RecommendationService", "ApproveRecommendation"},
    {"RecommendationService", "RejectRecommendation"},
    {"AuditService", "VerifyAudit"},
    {"AuditService", "ListAudit"},
    {"ReportService", "Stats"},
    {"ReportService", "PostingList"},  // public, masked
    {"ReportService", "Forecast"},     // counts; people masked
    {"ReportService", "Cliff"},
    {"ReportService", "DrawSample"},
    {"ReportService", "ListSamples"},
    {"ReportService", "GetSample"},
    {"RegistryService", "GetHousehold"},
    {"RegistryService", "GetHouseholdHistory"},
    {"CycleService", "GetFlag"},
    {"CycleService", "GetAssessment"},
    {"CycleService", "ListCycles"},
    {"FeedService", "ListBatches"},  // receipts; IDs masked
    {"FeedService", "GetPersonFacts"},
    {"AccessService", "WhoAmI"},
};

// At most this many Argon2id checks (64 MiB each) at once: a flood of
// sign-ins must not take the memory or every worker thread.
constexpr int kMaxConcurrentSignIns = 2;

// google.rpc.Code's HTTP mapping.
int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

void ReplyError(httplib::Response& res, const absl::Status& status) {
  v1::ConsoleError error;
  error.set_code(absl::StatusCodeToString(status.code()));
  error.set_message(std::string(status.message()));
  res.status = HttpStatusOf(status.code());
  auto json = JsonGateway::ToJson(error);
  res.set_content(json.ok() ? *json : R"({"code":"INTERNAL"})", kJson);
}

void Reply(httplib::Response& res, const google::protobuf::Message& message) {
  auto json = JsonGateway::ToJson(message);
  if (!json.ok()) return ReplyError(res, json.status());
  res.status = 200;
  res.set_content(*json, kJson);
}

std::string CookieValue(const httplib::Request& req, absl::string_view name) {
  for (absl::string_view part :
       absl::StrSplit(req.get_header_value("Cookie"), ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

// What the page is told about its session.
v1::ConsoleSessionInfo InfoOf(const ConsoleSession& session) {
  v1::ConsoleSessionInfo info;
  info.set_user_id(session.user_id);
  info.set_user_name(session.user_name);
  info.set_csrf_token(session.csrf_token);
  info.set_role(session.role);
  info.set_jurisdiction(session.jurisdiction);
  return info;
}

absl::StatusOr<v1::SignInRequest> ParseSignIn(const std::string& body) {
  v1::SignInRequest request;
  auto parsed = google::protobuf::util::JsonStringToMessage(body, &request);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("sign-in body must be {\"id\": ..., \"password\": ...}: ",
                     std::string(parsed.message())));
  }
  return request;
}

}  // namespace

ConsoleServer::ConsoleServer(const ConsoleOptions& options,
                             std::shared_ptr<grpc::Channel> channel,
                             AuditLog* audit, Clock* clock)
    : options_(options),
      sessions_(clock, options.sessions),
      gateway_(std::move(channel), options.call_deadline,
               options.in_process_token),
      audit_(audit),
      http_(std::make_unique<httplib::Server>()) {}

absl::StatusOr<std::unique_ptr<ConsoleServer>> ConsoleServer::Start(
    const ConsoleOptions& options, std::shared_ptr<grpc::Channel> channel,
    AuditLog* audit, Clock* clock) {
  std::unique_ptr<ConsoleServer> console(
      new ConsoleServer(options, std::move(channel), audit, clock));
  if (!options.users_file.empty()) {
    auto users = ConsoleUsers::Load(options.users_file);
    if (!users.ok()) {
      return absl::Status(
          users.status().code(),
          absl::StrCat("console users: ", users.status().message()));
    }
    console->users_ = *std::move(users);
  }
  for (const ExposedMethod& m : kExposed) {
    if (absl::Status s = console->gateway_.Expose(
            absl::StrCat("dibao.v1.", m.service), m.method);
        !s.ok()) {
      return s;
    }
  }
  std::error_code ec;
  if (options.web_root.empty() ||
      !std::filesystem::exists(
          std::filesystem::path(options.web_root) / "index.html", ec)) {
    return absl::NotFoundError(absl::StrCat(
        "console files not found: no index.html in '", options.web_root,
        "' (build them with deploy/setup.sh, or set --console_web_root)"));
  }
  console->Route();

  const std::size_t colon = options.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "console listen address '", options.listen, "' is not host:port"));
  }
  console->host_ = options.listen.substr(0, colon);
  if (port == 0) {
    port = console->http_->bind_to_any_port(console->host_);
  } else if (!console->http_->bind_to_port(console->host_, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("console cannot listen on ", options.listen,
                     " (address in use or not available?)"));
  }
  console->port_ = port;
  httplib::Server* http = console->http_.get();
  console->listener_ = std::thread([http] { http->listen_after_bind(); });
  // stop() before the listener runs would be lost and Stop() would wait
  // forever, so do not hand the console out before it is serving.
  for (int i = 0; i < 5000 && !http->is_running(); ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  return console;
}

void ConsoleServer::Route() {
  httplib::Server& http = *http_;
  http.set_payload_max_length(options_.max_body_bytes);
  // An idle keep-alive connection holds a worker until this runs out, and
  // stop() waits for every worker (httplib 0.11 does not look at the
  // listener while it waits): 1 s keeps a browser's page loads on one
  // connection without letting an idle tab hold a shutdown for 5 s.
  http.set_keep_alive_timeout(1);
  http.set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'"},
  });
  http.set_mount_point("/", options_.web_root, {{"Cache-Control", "no-cache"}});
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        ReplyError(res, absl::InternalError("the console failed to answer"));
      });

  // Who is signed in.
  http.Get("/api/session",
           [this](const httplib::Request& req, httplib::Response& res) {
             res.set_header("Cache-Control", "no-store");
             if (absl::Status s = CheckSite(req); !s.ok()) {
               return ReplyError(res, s);
             }
             auto session = sessions_.Find(CookieValue(req, kCookieName));
             if (!session) {
               ReplyError(res, absl::UnauthenticatedError("not signed in"));
               return;
             }
             Reply(res, InfoOf(*session));
           });

  // Sign in.
  http.Post("/api/session", [this](const httplib::Request& req,
                                   httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    if (absl::Status s = CheckSite(req); !s.ok()) return ReplyError(res, s);
    if (!users_) {
      return ReplyError(
          res, absl::FailedPreconditionError(
                   "no user list is configured: start dibao-server with "
                   "--console_users=FILE (dibaoctl user add writes it)"));
    }
    auto request = ParseSignIn(req.body);
    if (!request.ok()) return ReplyError(res, request.status());
    const absl::Status refused =
        absl::UnauthenticatedError("wrong user ID or password");
    // An ID no user can have is refused before it costs memory or a hash.
    if (!CheckPrincipalId(request->id()).ok()) return ReplyError(res, refused);
    // Limited by address, and by user at that address, before anything
    // else: a flood from one client is refused here and takes no hashing
    // slot from anyone else.
    const absl::Status allowed =
        sessions_.BeginSignIn(request->id(), req.remote_addr);
    if (!allowed.ok()) return ReplyError(res, allowed);
    {
      absl::MutexLock lock(&sign_in_mu_);
      if (signing_in_ >= kMaxConcurrentSignIns) {
        sessions_.AbandonSignIn(request->id(), req.remote_addr);
        return ReplyError(res, absl::ResourceExhaustedError(
                                   "too many sign-ins at once: try again in "
                                   "a moment"));
      }
      ++signing_in_;
    }
    absl::StatusOr<v1::ConsoleUser> user =
        users_->SignIn(request->id(), request->password());
    sessions_.EndSignIn(request->id(), req.remote_addr, user.ok());
    {
      absl::MutexLock lock(&sign_in_mu_);
      --signing_in_;
    }
    if (!user.ok()) {
      // Not into the audit chain: anyone can try, and it must not grow the
      // chain. The ID is a staff ID, not a resident's.
      LogEvent(LogLevel::kWarning, "console", "sign_in_refused",
               {{"user", request->id()}, {"remote_addr", req.remote_addr}},
               absl::StrCat("refused sign-in for '", request->id(), "' from ",
                            req.remote_addr));
      return ReplyError(res, refused);
    }
    // A console user is a staff principal of the server's principals file,
    // with the role and jurisdiction it holds there: the server says which.
    auto whoami = gateway_.Call("AccessService", "WhoAmI", "", user->id());
    if (!whoami.ok()) {
      LogEvent(LogLevel::kWarning, "console", "user_not_a_principal",
               {{"user", request->id()}},
               absl::StrCat("'", request->id(),
                            "' knows the password but is not a principal: ",
                            whoami.status().message()));
      return ReplyError(res, absl::PermissionDeniedError(
                                 "this user is not a principal of the server: "
                                 "ask the admin to add it to the principals "
                                 "file"));
    }
    v1::WhoAmIResponse me;
    if (!me.ParseFromString(whoami->response->SerializeAsString())) {
      return ReplyError(res, absl::InternalError("unreadable WhoAmI answer"));
    }
    if (me.principal().role() == v1::ROLE_AGENCY) {
      return ReplyError(res, absl::PermissionDeniedError(
                                 "an agency's principal has no console"));
    }
    v1::AuditEntry entry;
    entry.set_actor(user->id());
    entry.set_action(v1::AUDIT_ACTION_CONSOLE_SIGNED_IN);
    entry.set_detail(
        absl::StrCat("signed in to the console from ", req.remote_addr));
    if (absl::Status s = audit_->Append(std::move(entry)); !s.ok()) {
      return ReplyError(res, s);
    }
    ConsoleSession session;
    const std::string token = sessions_.Start(
        *user, &session, std::string(RoleName(me.principal().role())),
        DescribeJurisdiction(me.principal()));
    res.set_header("Set-Cookie",
                   absl::StrCat(kCookieName, "=", token,
                                "; Path=/; HttpOnly; SameSite=Strict",
                                options_.secure_cookies ? "; Secure" : ""));
    Reply(res, InfoOf(session));
  });

  // Sign out.
  http.Post("/api/session/end", [this](const httplib::Request& req,
                                       httplib::Response& res) {
    if (absl::Status s = CheckSite(req); !s.ok()) return ReplyError(res, s);
    const std::string token = CookieValue(req, kCookieName);
    auto session = sessions_.Find(token);
    if (session &&
        TokensEqual(req.get_header_value(kCsrfHeader), session->csrf_token)) {
      sessions_.End(token);
    }
    res.set_header("Set-Cookie",
                   absl::StrCat(kCookieName,
                                "=; Path=/; HttpOnly; SameSite=Strict; "
                                "Max-Age=0"));
    res.status = 204;
  });

  // The service methods.
  http.Post(R"(/api/v1/(\w+)/(\w+))", [this](const httplib::Request& req,
                                             httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    if (absl::Status s = CheckSite(req); !s.ok()) return ReplyError(res, s);
    auto session = sessions_.Find(CookieValue(req, kCookieName));
    if (!session) {
      return ReplyError(res, absl::UnauthenticatedError(
                                 "not signed in, or the session has ended"));
    }
    if (!TokensEqual(req.get_header_value(kCsrfHeader), session->csrf_token)) {
      return ReplyError(res, absl::PermissionDeniedError(
                                 "missing or wrong X-CSRF-Token header: reload "
                                 "the page"));
    }
    const std::string service = req.matches[1];
    const std::string method = req.matches[2];
    if (absl::StrContains(req.get_header_value("Accept"), "text/csv")) {
      auto csv = CallAsCsv(service, method, req.body, session->user_id);
      if (!csv.ok()) return ReplyError(res, csv.status());
      res.status = 200;
      res.set_header("Content-Disposition", "attachment");
      res.set_content(*csv, "text/csv; charset=utf-8");
      return;
    }
    auto call = CallFor(service, method, req.body, session->user_id);
    if (!call.ok()) return ReplyError(res, call.status());
    Reply(res, *call->response);
  });
}

absl::StatusOr<JsonCall> ConsoleServer::CallFor(absl::string_view service,
                                                absl::string_view method,
                                                absl::string_view body,
                                                absl::string_view user) const {
  return gateway_.Call(service, method, body, user);
}

absl::StatusOr<std::string> ConsoleServer::CallAsCsv(
    absl::string_view service, absl::string_view method, absl::string_view body,
    absl::string_view user) const {
  if (service != "RecommendationService" || method != "ListRecommendations") {
    return absl::InvalidArgumentError(
        absl::StrCat(service, ".", method,
                     " has no CSV form; RecommendationService."
                     "ListRecommendations has"));
  }
  // A byte-order mark, so that Excel reads the Chinese as UTF-8.
  std::string csv = "\xEF\xBB\xBF";
  AppendSpreadsheetRow(RecommendationColumns(), &csv);
  std::string page_body(body);
  for (;;) {
    ASSIGN_OR_RETURN(JsonCall call, CallFor(service, method, page_body, user));
    v1::ListRecommendationsResponse page;
    page.CopyFrom(*call.response);
    for (const v1::Recommendation& r : page.recommendations()) {
      AppendSpreadsheetRow(RecommendationRow(r), &csv);
    }
    if (page.next_page_token().empty()) return csv;
    v1::ListRecommendationsRequest next;
    next.CopyFrom(*call.request);
    next.set_page_token(page.next_page_token());
    ASSIGN_OR_RETURN(page_body, JsonGateway::ToJson(next));
  }
}

absl::Status ConsoleServer::CheckSite(const httplib::Request& req) const {
  const std::string origin = req.get_header_value("Origin");
  if (!options_.public_origin.empty()) {
    // Behind a proxy, which may rewrite Host: the browser's Origin must be
    // the console's public address.
    if (origin.empty() || origin == options_.public_origin) {
      return absl::OkStatus();
    }
    return absl::PermissionDeniedError(
        absl::StrCat("request from another site (", origin, ") refused"));
  }
  // Served directly: the Host must be this listener by a loopback name, so
  // a page on another site that rebinds its own name to 127.0.0.1 (DNS
  // rebinding) is refused; and a browser's Origin must be that same host.
  const std::string host = req.get_header_value("Host");
  const std::string port = absl::StrCat(":", port_);
  if (host != host_ + port && host != "127.0.0.1" + port &&
      host != "localhost" + port && host != "[::1]" + port) {
    return absl::PermissionDeniedError(
        absl::StrCat("request for another host (", host, ") refused"));
  }
  if (origin.empty() || origin == absl::StrCat("http://", host) ||
      origin == absl::StrCat("https://", host)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("request from another site (", origin, ") refused"));
}

std::string ConsoleServer::url() const {
  return absl::StrCat("http://", host_, ":", port_, "/");
}

void ConsoleServer::Stop() {
  if (http_) http_->stop();
  if (listener_.joinable()) listener_.join();
}

ConsoleServer::~ConsoleServer() { Stop(); }

}  // namespace dibao
