// Who is calling, proven, and whether they may: every RPC handler's first
// step.
//
// A caller is proven three ways and no other:
//   - on the TLS listener, by its client certificate, which gRPC has already
//     verified against the configured CA (and CRLs): the certificate's
//     Common Name is the principal's id, and a serial the principals file
//     revokes is refused;
//   - on the local Unix socket, by the socket's file permissions: every
//     call there acts as the configured local-socket principal;
//   - on the server's in-process channel, which only code in this process
//     can reach: the console names its signed-in user in
//     kConsoleUserMetadataKey beside in_process_token(), a random secret
//     made at start-up that never leaves the process.
// Metadata a network client sends never names anyone.
//
// The permission an RPC needs is the `permission` option on its definition
// in the .proto (an RPC without one is refused to everybody); which role
// holds which permission is access/roles.h.
//
// Thread-safe; the principals file is re-read by Reload() while calls run.
#ifndef DIBAO_SERVICES_GATEKEEPER_H_
#define DIBAO_SERVICES_GATEKEEPER_H_

#include <grpcpp/server_context.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "access/principal_directory.h"
#include "dibao/v1/access.pb.h"
#include "dibao/v1/permission.pb.h"
#include "formats/metadata.h"
#include "services/caller.h"
#include "services/read_audit.h"
#include "storage/audit_log.h"

namespace dibao {

struct GatekeeperOptions {
  // The principals file; empty: nobody may call.
  std::string principals_file;
  // The principal calls on the local socket act as; empty: none may.
  std::string local_socket_principal;
};

class Gatekeeper {
 public:
  // Reads the principals file (errors name the file and the line) and
  // checks that the local-socket principal is in it. `audit` receives an
  // entry for every reload and must outlive this.
  static absl::StatusOr<std::unique_ptr<Gatekeeper>> Create(
      GatekeeperOptions options, AuditLog* audit);

  // The caller of `service`.`method` ("dibao.v1.ReviewService", "Decide")
  // when proven and allowed, with the purpose it states
  // (kPurposeMetadataKey). UNAUTHENTICATED when the call proves nobody (or
  // a principal not in the file, disabled or revoked); PERMISSION_DENIED
  // naming the permission and role otherwise; INVALID_ARGUMENT for a
  // purpose that is too long or not text.
  absl::StatusOr<Caller> Admit(const grpc::ServerContext& context,
                               absl::string_view service,
                               absl::string_view method) const;

  // The secret in-process callers (the console) send in
  // kInProcessTokenMetadataKey.
  const std::string& in_process_token() const { return in_process_token_; }

  // The principal `id` as the file in force has it; nullopt for none.
  std::optional<v1::Principal> Find(absl::string_view id) const;
  // Who the call proves, without asking for a permission.
  absl::StatusOr<Caller> Identify(const grpc::ServerContext& context) const;

  // Records reads of personal data on the audit chain.
  const ReadAudit& reads() const { return reads_; }
  // The chain itself, for adapters that record what their engine does not
  // (a committed batch, a cycle run).
  AuditLog* audit() const { return audit_; }
  // Reads the principals file again. A file with an error is refused (the
  // principals in force stay) and the refusal is audited too. `actor`
  // names who asked ("SIGHUP" or a principal).
  absl::StatusOr<v1::ReloadPrincipalsResponse> Reload(absl::string_view actor);
  // SHA-256 (hex) of the principals file in force; empty without one.
  std::string principals_sha256() const;
  const std::string& principals_file() const {
    return options_.principals_file;
  }

  // The permission `service`.`method` declares (PERMISSION_UNSPECIFIED for
  // none, or for a method that does not exist).
  static v1::Permission PermissionOf(absl::string_view service,
                                     absl::string_view method);

 private:
  Gatekeeper(GatekeeperOptions options, AuditLog* audit)
      : options_(std::move(options)), audit_(audit), reads_(audit) {}
  std::shared_ptr<const PrincipalDirectory> directory() const;
  absl::StatusOr<Caller> Resolve(const PrincipalDirectory& directory,
                                 absl::string_view id,
                                 absl::string_view proven_by) const;

  const GatekeeperOptions options_;
  AuditLog* const audit_;
  const ReadAudit reads_;
  std::string in_process_token_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const PrincipalDirectory> directory_ ABSL_GUARDED_BY(mu_);
  // One reload at a time, so the audit entries come in the order the
  // directories took effect.
  absl::Mutex reload_mu_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_GATEKEEPER_H_
