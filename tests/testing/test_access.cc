#include "tests/testing/test_access.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>

#include "formats/metadata.h"
#include "tests/testing/test_util.h"

namespace dibao::testing {

void UseTestAccess(ServerOptions* options, const std::string& dir) {
  const std::string pki = TestPkiDir();
  options->listen = "127.0.0.1:0";
  options->tls.cert_file = pki + "/server.crt";
  options->tls.key_file = pki + "/server.key";
  options->tls.ca_file = pki + "/ca.crt";
  options->principals_file = TestPrincipalsPath();
  options->local_socket = dir + "/grpc.sock";
  options->local_socket_principal = kLocalSocketPrincipal;
}

std::shared_ptr<grpc::Channel> ChannelAs(const std::string& address,
                                         const std::string& principal) {
  const std::string pki = TestPkiDir();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(pki + "/ca.crt");
  ssl.pem_cert_chain = ReadFile(pki + "/" + principal + ".crt");
  ssl.pem_private_key = ReadFile(pki + "/" + principal + ".key");
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

std::unique_ptr<grpc::ClientContext> InProcessContext(
    Server& server, const std::string& principal, absl::Duration deadline) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() +
                  absl::ToChronoMilliseconds(deadline));
  c->AddMetadata(kInProcessTokenMetadataKey,
                 server.gatekeeper().in_process_token());
  if (!principal.empty()) c->AddMetadata(kConsoleUserMetadataKey, principal);
  return c;
}

}  // namespace dibao::testing
