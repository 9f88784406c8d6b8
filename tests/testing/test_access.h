// Servers and clients of the tests as production runs them: TLS with
// client certificates of the test CA, the test principals, and a local
// socket.
#ifndef DIBAO_TESTS_TESTING_TEST_ACCESS_H_
#define DIBAO_TESTS_TESTING_TEST_ACCESS_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "dibao/v1/audit.pb.h"
#include "services/server.h"

namespace dibao::testing {

// The principal calls on a test server's local socket act as.
inline constexpr char kLocalSocketPrincipal[] = "night-operator";

// Makes `options` serve as every test server does: TLS on a free loopback
// port with the test certificates, the test principals, and a local
// socket in `dir` (dir/grpc.sock) acting as kLocalSocketPrincipal.
void UseTestAccess(ServerOptions* options, const std::string& dir);

// A TLS channel to `address` (host:port) proving `principal` with its test
// certificate.
std::shared_ptr<grpc::Channel> ChannelAs(const std::string& address,
                                         const std::string& principal);

// A context for `server`'s in-process channel naming `principal` the way
// the console names its signed-in user (nobody when empty), with
// `deadline`.
std::unique_ptr<grpc::ClientContext> InProcessContext(
    Server& server, const std::string& principal,
    absl::Duration deadline = absl::Seconds(30));

// `entries` without the reads (PERSONAL_DATA_READ, BULK_EXPORT): what
// changed. A test that reads the chain records a read itself.
template <typename Entries>
std::vector<v1::AuditEntry> ChangesOnly(const Entries& entries) {
  std::vector<v1::AuditEntry> out;
  for (const v1::AuditEntry& e : entries) {
    if (e.action() != v1::AUDIT_ACTION_PERSONAL_DATA_READ &&
        e.action() != v1::AUDIT_ACTION_BULK_EXPORT) {
      out.push_back(e);
    }
  }
  return out;
}

}  // namespace dibao::testing

#endif  // DIBAO_TESTS_TESTING_TEST_ACCESS_H_
