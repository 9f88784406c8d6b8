// The caseworker web console: an HTTP listener (cpp-httplib) beside the
// gRPC port that serves the console's static files and its JSON API.
//
//   GET  /api/session                 who is signed in, and the CSRF token
//   POST /api/session                 sign in: {"id": ..., "password": ...}
//   POST /api/session/end             sign out
//   POST /api/v1/<Service>/<Method>   a service method, body and answer in
//                                     protobuf's JSON mapping (JsonGateway);
//                                     with Accept: text/csv a listing's
//                                     every page as a spreadsheet
//   GET  /...                         the console's files from web_root
//
// Every API call but signing in needs the session cookie (HttpOnly,
// SameSite=Strict) and every POST but signing in also the session's CSRF
// token in the X-CSRF-Token header. The signed-in user's ID is the actor of
// every call, so it is what decisions and the audit trail record; each read
// of a household's details (a case, a household, its history, assessment,
// recommendation, benefit cliff or a person's partner facts) adds an audit
// entry of its own. Errors are {"code": "FAILED_PRECONDITION", "message":
// ...} with the HTTP status google.rpc's mapping gives the code.
//
// Thread-safe; requests are served on the library's thread pool.
#ifndef DIBAO_CONSOLE_HTTP_SERVER_H_
#define DIBAO_CONSOLE_HTTP_SERVER_H_

#include <grpcpp/channel.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "console/json_gateway.h"
#include "console/sessions.h"
#include "console/users/users_file.h"
#include "storage/audit_log.h"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace dibao {

struct ConsoleOptions {
  // host:port; port 0 picks a free one (see ConsoleServer::port()). Empty
  // here means no console; dibao-server's flag defaults to 127.0.0.1:8080.
  std::string listen;
  // The console's files: index.html, app.js, chart.umd.js ...
  std::string web_root;
  // The user list (dibao.v1.ConsoleUsers, text format). Empty: the console
  // runs but nobody can sign in, and the sign-in page says why.
  std::string users_file;
  ConsoleSessionOptions sessions;
  // Mark the session cookie Secure: only behind a TLS-terminating proxy.
  bool secure_cookies = false;
  // The console's address as browsers see it behind a proxy, e.g.
  // "https://dibao.example.gov.cn": requests must come from it (the proxy
  // may rewrite Host). Empty: served directly, and Host must name this
  // listener (127.0.0.1 / localhost / the listen host, with its port).
  std::string public_origin;
  // Sent with every call on the in-process channel beside the signed-in
  // user, so that the server knows the call is the console's (set by
  // dibao-server; services/gatekeeper.h).
  std::string in_process_token;
  // Deadline of each service call made for a page.
  absl::Duration call_deadline = absl::Seconds(60);
  // Largest request body accepted, bytes.
  size_t max_body_bytes = 1 << 20;
  // When the port is taken or the files are missing, run without a console
  // (with a warning) instead of refusing to start: for the binary's default
  // address, which nobody asked for by name.
  bool optional = false;
};

class ConsoleServer {
 public:
  // Loads the user list (INVALID_ARGUMENT naming the user or line at
  // fault), binds the port (UNAVAILABLE when taken) and starts serving.
  // `channel` reaches the gRPC services; `audit` and `clock` must outlive
  // the console.
  static absl::StatusOr<std::unique_ptr<ConsoleServer>> Start(
      const ConsoleOptions& options, std::shared_ptr<grpc::Channel> channel,
      AuditLog* audit, Clock* clock);
  ~ConsoleServer();

  int port() const { return port_; }
  // "http://host:port/"
  std::string url() const;

  // Stops listening and waits for requests in flight. Idempotent.
  void Stop();

 private:
  ConsoleServer(const ConsoleOptions& options,
                std::shared_ptr<grpc::Channel> channel, AuditLog* audit,
                Clock* clock);
  void Route();
  // The request comes from the console's own pages (Host and Origin):
  // PERMISSION_DENIED naming the other site otherwise.
  absl::Status CheckSite(const httplib::Request& req) const;
  // A service call on behalf of `user` (the server records its reads of
  // personal data).
  absl::StatusOr<JsonCall> CallFor(absl::string_view service,
                                   absl::string_view method,
                                   absl::string_view body,
                                   absl::string_view user) const;
  // The same listing as a spreadsheet, every page: the columns dibaoctl
  // prints, through the one CSV writer (base/csv.h). Only listings with a
  // CSV form have one (INVALID_ARGUMENT otherwise).
  absl::StatusOr<std::string> CallAsCsv(absl::string_view service,
                                        absl::string_view method,
                                        absl::string_view body,
                                        absl::string_view user) const;

  const ConsoleOptions options_;
  std::optional<ConsoleUsers> users_;
  ConsoleSessions sessions_;
  JsonGateway gateway_;
  AuditLog* const audit_;
  std::unique_ptr<httplib::Server> http_;
  absl::Mutex sign_in_mu_;
  int signing_in_ ABSL_GUARDED_BY(sign_in_mu_) = 0;
  std::thread listener_;
  std::string host_;
  int port_ = 0;
};

}  // namespace dibao

#endif  // DIBAO_CONSOLE_HTTP_SERVER_H_
