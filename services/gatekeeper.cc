#include "services/gatekeeper.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "access/roles.h"
#include "base/free_text.h"
#include "base/log.h"
#include "base/sha256.h"
#include "google/protobuf/descriptor.h"

namespace dibao {
namespace {

constexpr char kCommonName[] = "x509_common_name";
constexpr char kPemCert[] = "x509_pem_cert";

std::string Value(const grpc::string_ref& ref) {
  return std::string(ref.data(), ref.size());
}

// The serial number of a PEM certificate, NormalizeSerial form; empty when
// it cannot be read.
std::string SerialOf(const std::string& pem) {
  std::string serial;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return serial;
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  if (cert != nullptr) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
    if (bn != nullptr) {
      if (char* hex = BN_bn2hex(bn); hex != nullptr) {
        serial = NormalizeSerial(hex);
        OPENSSL_free(hex);
      }
      BN_free(bn);
    }
    X509_free(cert);
  }
  BIO_free(bio);
  return serial;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Gatekeeper>> Gatekeeper::Create(
    GatekeeperOptions options, AuditLog* audit) {
  std::shared_ptr<const PrincipalDirectory> directory =
      PrincipalDirectory::Empty();
  if (!options.principals_file.empty()) {
    auto loaded = PrincipalDirectory::Load(options.principals_file);
    if (!loaded.ok()) return loaded.status();
    directory = *std::move(loaded);
  }
  if (!options.local_socket_principal.empty() &&
      directory->Find(options.local_socket_principal) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "local_socket_principal \"", options.local_socket_principal,
        "\" is not in the principals file",
        options.principals_file.empty() ? " (none is configured)" : ""));
  }
  std::unique_ptr<Gatekeeper> g(new Gatekeeper(std::move(options), audit));
  g->directory_ = std::move(directory);
  unsigned char secret[32];
  if (RAND_bytes(secret, sizeof(secret)) != 1) {
    return absl::InternalError("no randomness for the in-process token");
  }
  g->in_process_token_ = Sha256::Hex(
      absl::string_view(reinterpret_cast<const char*>(secret), sizeof(secret)));
  return g;
}

std::shared_ptr<const PrincipalDirectory> Gatekeeper::directory() const {
  absl::MutexLock lock(&mu_);
  return directory_;
}

std::optional<v1::Principal> Gatekeeper::Find(absl::string_view id) const {
  const std::shared_ptr<const PrincipalDirectory> dir = directory();
  const v1::Principal* p = dir->Find(id);
  if (p == nullptr) return std::nullopt;
  return *p;
}

absl::StatusOr<Caller> Gatekeeper::Resolve(const PrincipalDirectory& directory,
                                           absl::string_view id,
                                           absl::string_view proven_by) const {
  const v1::Principal* p = directory.Find(id);
  if (p == nullptr) {
    return absl::UnauthenticatedError(absl::StrCat(
        "\"", id, "\" (proven by ", proven_by,
        ") is not a principal of this server: ask the admin to add it to "
        "the principals file"));
  }
  if (p->disabled()) {
    return absl::UnauthenticatedError(
        absl::StrCat("principal \"", id, "\" is disabled"));
  }
  Caller caller;
  caller.principal = *p;
  caller.proven_by = std::string(proven_by);
  return caller;
}

absl::StatusOr<Caller> Gatekeeper::Identify(
    const grpc::ServerContext& context) const {
  const std::shared_ptr<const PrincipalDirectory> dir = directory();
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  const std::string peer = context.peer();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    // gRPC verified the chain (and the CRLs) in the handshake.
    const std::vector<grpc::string_ref> names =
        auth->FindPropertyValues(kCommonName);
    if (names.empty()) {
      return absl::UnauthenticatedError(
          "the client certificate has no Common Name: it must be the "
          "principal's id");
    }
    const std::string id = Value(names.front());
    auto caller = Resolve(*dir, id, "certificate");
    if (!caller.ok()) return caller;
    const std::vector<grpc::string_ref> pems =
        auth->FindPropertyValues(kPemCert);
    const std::string serial = pems.empty() ? "" : SerialOf(Value(pems[0]));
    if (serial.empty()) {
      return absl::UnauthenticatedError(
          "the client certificate's serial number cannot be read");
    }
    if (dir->Revoked(id, serial)) {
      return absl::UnauthenticatedError(
          absl::StrCat("certificate ", serial, " of \"", id,
                       "\" is revoked: use its replacement"));
    }
    return caller;
  }
  if (absl::StartsWith(peer, "unix:")) {
    if (options_.local_socket_principal.empty()) {
      return absl::UnauthenticatedError(
          "calls on the local socket are refused: the server names no "
          "local_socket_principal");
    }
    return Resolve(*dir, options_.local_socket_principal, "local socket");
  }
  const auto& md = context.client_metadata();
  if (auto token = md.find(kInProcessTokenMetadataKey);
      token != md.end() && token->second.size() == in_process_token_.size() &&
      CRYPTO_memcmp(token->second.data(), in_process_token_.data(),
                    in_process_token_.size()) == 0) {
    auto it = md.find(kConsoleUserMetadataKey);
    if (it == md.end() || it->second.empty()) {
      return absl::UnauthenticatedError("the console named no user");
    }
    return Resolve(*dir, Value(it->second), "console");
  }
  return absl::UnauthenticatedError(absl::StrCat(
      "no verified client certificate from ", peer,
      ": connect with TLS and the certificate your principal was issued "
      "(dibaoctl --cert, --key, --ca)"));
}

absl::StatusOr<Caller> Gatekeeper::Admit(const grpc::ServerContext& context,
                                         absl::string_view service,
                                         absl::string_view method) const {
  absl::StatusOr<Caller> caller = Identify(context);
  if (!caller.ok()) return caller;
  const v1::Permission needed = PermissionOf(service, method);
  if (needed == v1::PERMISSION_UNSPECIFIED) {
    return absl::PermissionDeniedError(
        absl::StrCat(service, ".", method,
                     " declares no permission, so nobody may call it"));
  }
  if (!RoleHolds(caller->role(), needed)) {
    return absl::PermissionDeniedError(absl::StrCat(
        method, " needs the permission ", v1::Permission_Name(needed),
        ", which \"", caller->id(), "\" (role: ", RoleName(caller->role()),
        ") does not hold"));
  }
  caller->method =
      absl::StrCat(absl::StripPrefix(service, "dibao.v1."), ".", method);
  const auto& md = context.client_metadata();
  if (auto it = md.find(kPurposeMetadataKey); it != md.end()) {
    caller->purpose = Value(it->second);
    if (absl::Status s = CheckName("the purpose", caller->purpose); !s.ok()) {
      return s;
    }
  }
  return caller;
}

v1::Permission Gatekeeper::PermissionOf(absl::string_view service,
                                        absl::string_view method) {
  const google::protobuf::ServiceDescriptor* s =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(service));
  if (s == nullptr) return v1::PERMISSION_UNSPECIFIED;
  const google::protobuf::MethodDescriptor* m =
      s->FindMethodByName(std::string(method));
  if (m == nullptr) return v1::PERMISSION_UNSPECIFIED;
  return m->options().GetExtension(v1::permission);
}

std::string Gatekeeper::principals_sha256() const {
  std::shared_ptr<const PrincipalDirectory> d = directory();
  return d ? d->sha256() : std::string();
}

absl::StatusOr<v1::ReloadPrincipalsResponse> Gatekeeper::Reload(
    absl::string_view actor) {
  absl::MutexLock reloading(&reload_mu_);
  v1::AuditEntry entry;
  entry.set_actor(std::string(actor));
  entry.set_action(v1::AUDIT_ACTION_PRINCIPALS_RELOADED);
  absl::StatusOr<std::shared_ptr<const PrincipalDirectory>> loaded =
      options_.principals_file.empty()
          ? absl::FailedPreconditionError(
                "the server was started without a principals file")
          : PrincipalDirectory::Load(options_.principals_file);
  if (loaded.ok() && !options_.local_socket_principal.empty() &&
      (*loaded)->Find(options_.local_socket_principal) == nullptr) {
    loaded = absl::InvalidArgumentError(
        absl::StrCat(options_.principals_file, ": local_socket_principal \"",
                     options_.local_socket_principal, "\" is not in it"));
  }
  if (!loaded.ok()) {
    entry.set_detail(absl::StrCat("refused, the principals in force stay: ",
                                  loaded.status().message()));
    if (absl::Status s = audit_->Append(entry); !s.ok()) return s;
    return loaded.status();
  }
  v1::ReloadPrincipalsResponse response;
  response.set_principals((*loaded)->size());
  response.set_sha256((*loaded)->sha256());
  entry.set_detail(absl::StrCat(response.principals(), " principals from ",
                                options_.principals_file, " (sha256 ",
                                response.sha256(), ")"));
  // On the chain before it takes effect: no call is allowed by principals
  // the audit log does not show.
  if (absl::Status s = audit_->Append(entry); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    directory_ = *std::move(loaded);
  }
  LogEvent(
      LogLevel::kInfo, "access", "principals_reloaded", {{"actor", actor}},
      absl::StrCat("principals reloaded by ", actor, ": ", entry.detail()));
  return response;
}

}  // namespace dibao
