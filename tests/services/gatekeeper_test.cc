// Who may call what, through a real server: certificates on the TLS
// listener, the local socket, the console's in-process channel, every
// method of every service against every role, reloads and revocation, and
// the attack that first showed the need.
#include "services/gatekeeper.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "access/roles.h"
#include "base/dates.h"
#include "dibao/v1/access.grpc.pb.h"
#include "dibao/v1/audit.grpc.pb.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "dibao/v1/matching.grpc.pb.h"
#include "dibao/v1/recommendations.grpc.pb.h"
#include "dibao/v1/registry.grpc.pb.h"
#include "dibao/v1/review.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/testing/test_access.h"
#include "tests/testing/test_util.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace pb = google::protobuf;

// One principal of the test file per role.
const std::map<v1::Role, std::string>& PrincipalOf() {
  static const auto* m = new std::map<v1::Role, std::string>{
      {v1::ROLE_AGENCY, "agency-labour"},
      {v1::ROLE_COMMUNITY_WORKER, "cw-1"},
      {v1::ROLE_STREET_REVIEWER, "supervisor"},
      {v1::ROLE_DISTRICT_APPROVER, "head-1"},
      {v1::ROLE_AUDITOR, "auditor-1"},
      {v1::ROLE_OPERATOR, "night-operator"},
      {v1::ROLE_ADMIN, "admin-1"},
  };
  return *m;
}

// Every service the schema defines, found from the .proto files themselves:
// a new file or service is enumerated without touching this test.
std::vector<const pb::ServiceDescriptor*> AllServices() {
  std::vector<const pb::ServiceDescriptor*> services;
  const std::string dir = std::string(DIBAO_SOURCE_DIR) + "/proto";
  for (const auto& e : std::filesystem::directory_iterator(dir + "/dibao/v1")) {
    if (e.path().extension() != ".proto") continue;
    const std::string name = "dibao/v1/" + e.path().filename().string();
    const pb::FileDescriptor* file =
        pb::DescriptorPool::generated_pool()->FindFileByName(name);
    EXPECT_NE(file, nullptr) << name << " is not linked into the server";
    if (file == nullptr) continue;
    for (int i = 0; i < file->service_count(); ++i) {
      services.push_back(file->service(i));
    }
  }
  return services;
}

// Calls `method` with an empty request message (every field its default)
// through the generic API, whatever the method's streaming; returns its
// status.
grpc::Status CallWithEmptyRequest(std::shared_ptr<grpc::Channel> channel,
                                  grpc::ClientContext* context,
                                  const pb::MethodDescriptor* method) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  void* tag;
  bool ok;
  const std::string path =
      absl::StrCat("/", method->service()->full_name(), "/", method->name());
  auto call = stub.PrepareCall(context, path, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  if (ok) {
    grpc::Slice empty("");
    grpc::ByteBuffer message(&empty, 1);
    call->Write(message, reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    call->WritesDone(reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
    grpc::ByteBuffer response;
    do {
      call->Read(&response, reinterpret_cast<void*>(4));
      cq.Next(&tag, &ok);
    } while (ok);
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

class GatekeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir("gatekeeper");
    // A copy of the test principals that the reload tests may change.
    principals_ = dir_ + "/principals.textproto";
    testing::WriteFile(principals_,
                       testing::ReadFile(testing::TestPrincipalsPath()));
    options_.data_dir = dir_ + "/data";
    options_.store.sync_writes = false;
    options_.policy_file =
        std::string(DIBAO_SOURCE_DIR) + "/deploy/policy.textproto";
    testing::UseTestAccess(&options_, dir_);
    options_.principals_file = principals_;
    auto server = Server::Start(options_, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // WhoAmI over `channel`: the principal's id, or the error.
  static std::string WhoAmI(std::shared_ptr<grpc::Channel> channel,
                            grpc::Status* status = nullptr) {
    auto stub = v1::AccessService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::WhoAmIResponse r;
    grpc::Status s = stub->WhoAmI(&context, {}, &r);
    if (status != nullptr) *status = s;
    return s.ok() ? absl::StrCat(r.principal().id(), " by ", r.proven_by())
                  : s.error_message();
  }

  std::shared_ptr<grpc::Channel> As(const std::string& principal) {
    return testing::ChannelAs(server_->address(), principal);
  }

  // The audit entries, read by the auditor.
  std::vector<v1::AuditEntry> Audit() {
    auto stub = v1::AuditService::NewStub(As("auditor-1"));
    grpc::ClientContext context;
    v1::ListAuditRequest request;
    request.set_limit(10000);
    v1::ListAuditResponse response;
    EXPECT_TRUE(stub->ListAudit(&context, request, &response).ok());
    return testing::ChangesOnly(response.entries());
  }

  grpc::Status Reload(std::shared_ptr<grpc::Channel> channel) {
    auto stub = v1::AccessService::NewStub(channel);
    grpc::ClientContext context;
    v1::ReloadPrincipalsResponse r;
    return stub->ReloadPrincipals(&context, {}, &r);
  }

  SystemClock clock_;
  std::string dir_;
  std::string principals_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
};

TEST_F(GatekeeperTest, EveryMethodDeclaresAPermission) {
  int methods = 0;
  for (const pb::ServiceDescriptor* s : AllServices()) {
    for (int i = 0; i < s->method_count(); ++i) {
      const pb::MethodDescriptor* m = s->method(i);
      EXPECT_NE(m->options().GetExtension(v1::permission),
                v1::PERMISSION_UNSPECIFIED)
          << m->full_name()
          << " declares no permission: add option (permission) = ... to it";
      ++methods;
    }
  }
  EXPECT_GE(methods, 40);
}

TEST_F(GatekeeperTest, EveryMethodAllowsExactlyTheRolesHoldingItsPermission) {
  const std::shared_ptr<grpc::Channel> channel = server_->InProcessChannel();
  struct Call {
    const pb::MethodDescriptor* method;
    std::string principal;  // empty: nobody
    v1::Role role;
  };
  std::vector<Call> denied, allowed;
  for (const pb::ServiceDescriptor* s : AllServices()) {
    for (int i = 0; i < s->method_count(); ++i) {
      const pb::MethodDescriptor* m = s->method(i);
      denied.push_back({m, "", v1::ROLE_UNSPECIFIED});
      for (const auto& [role, principal] : PrincipalOf()) {
        const v1::Permission p = m->options().GetExtension(v1::permission);
        (RoleHolds(role, p) ? allowed : denied).push_back({m, principal, role});
      }
    }
  }
  // Refusals first: they change nothing, so the audit chain stays as it was.
  const size_t entries = Audit().size();
  for (const Call& c : denied) {
    auto context = testing::InProcessContext(*server_, c.principal);
    const grpc::Status s =
        CallWithEmptyRequest(channel, context.get(), c.method);
    const std::string what =
        absl::StrCat(c.method->full_name(), " as ",
                     c.principal.empty() ? "nobody" : c.principal);
    if (c.principal.empty()) {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << what;
      continue;
    }
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << what;
    const v1::Permission p = c.method->options().GetExtension(v1::permission);
    EXPECT_THAT(s.error_message(), HasSubstr(v1::Permission_Name(p))) << what;
    EXPECT_THAT(s.error_message(), HasSubstr(std::string(RoleName(c.role))))
        << what;
  }
  EXPECT_EQ(Audit().size(), entries);
  // What a role holds, it may call: the method answers for itself (an empty
  // request is usually invalid, or outside the caller's jurisdiction), never
  // with a refusal of the permission.
  for (const Call& c : allowed) {
    auto context = testing::InProcessContext(*server_, c.principal);
    const grpc::Status s =
        CallWithEmptyRequest(channel, context.get(), c.method);
    EXPECT_THAT(s.error_message(), Not(HasSubstr("needs the permission")))
        << c.method->full_name() << " as " << c.principal;
    EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << c.method->full_name() << " as " << c.principal << ": "
        << s.error_message();
  }
  EXPECT_GT(allowed.size(), 80u);
  EXPECT_GT(denied.size(), 150u);
}

// Two households of the district, in two streets; who may see which.
TEST_F(GatekeeperTest, CaseworkRolesSeeTheirJurisdictionOnly) {
  auto household = [](const std::string& id, const std::string& street,
                      const std::string& community, const std::string& person) {
    v1::Household h;
    h.set_household_id(id);
    h.set_district_code("420102");
    h.set_street(street);
    h.set_community(community);
    h.set_registered_address(street + community + "1栋");
    h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
    h.set_monthly_benefit_fen(30000);
    *h.mutable_benefit_start_date() = ToProto(absl::CivilDay(2020, 1, 1));
    v1::Member* m = h.add_members();
    m->set_id_number(person);
    m->set_name("张三");
    m->set_reported_status(v1::REPORTED_STATUS_OTHER);
    return h;
  };
  auto upsert = [&](const std::string& who, const v1::Household& h) {
    auto stub = v1::RegistryService::NewStub(As(who));
    grpc::ClientContext context;
    v1::UpsertHouseholdRequest request;
    *request.mutable_household() = h;
    v1::UpsertHouseholdResponse r;
    return stub->UpsertHousehold(&context, request, &r);
  };
  const v1::Household in =
      household("420102-0001", "胜利街道", "春晓社区", "420102199003074513");
  const v1::Household out =
      household("420102-0002", "红旗街道", "建设社区", "11010519491231002X");
  ASSERT_TRUE(upsert("head-1", in).ok());
  ASSERT_TRUE(upsert("head-1", out).ok());

  auto get = [&](const std::string& who, const std::string& id) {
    auto stub = v1::RegistryService::NewStub(As(who));
    grpc::ClientContext context;
    v1::GetHouseholdRequest request;
    request.set_household_id(id);
    v1::Household h;
    return stub->GetHousehold(&context, request, &h);
  };
  auto list = [&](const std::string& who, const std::string& street) {
    auto stub = v1::RegistryService::NewStub(As(who));
    grpc::ClientContext context;
    v1::ListHouseholdsRequest request;
    if (!street.empty()) {
      request.set_district_code("420102");
      request.set_street(street);
    }
    v1::ListHouseholdsResponse r;
    const grpc::Status s = stub->ListHouseholds(&context, request, &r);
    if (!s.ok()) return std::string("refused");
    std::vector<std::string> ids;
    for (const v1::Household& h : r.households()) {
      ids.push_back(h.household_id());
    }
    std::sort(ids.begin(), ids.end());
    return absl::StrJoin(ids, " ");
  };
  auto facts = [&](const std::string& who, const std::string& person) {
    auto stub = v1::FeedService::NewStub(As(who));
    grpc::ClientContext context;
    v1::GetPersonFactsRequest request;
    request.set_id_number(person);
    v1::PersonFacts f;
    return stub->GetPersonFacts(&context, request, &f).error_code();
  };
  struct Case {
    std::string who;
    bool sees_in, sees_out;
    std::string listed;
  };
  for (const Case& c : std::vector<Case>{
           {"cw-spring", true, false, "420102-0001"},
           {"sr-shengli", true, false, "420102-0001"},
           {"head-1", true, true, "420102-0001 420102-0002"},
           {"head-elsewhere", false, false, ""},
           {"auditor-1", true, true, "420102-0001 420102-0002"},
       }) {
    for (const auto& [h, sees] :
         {std::pair{&in, c.sees_in}, std::pair{&out, c.sees_out}}) {
      const grpc::Status s = get(c.who, h->household_id());
      EXPECT_EQ(s.ok(), sees) << c.who << " " << h->household_id();
      EXPECT_EQ(facts(c.who, h->members(0).id_number()) == grpc::StatusCode::OK,
                sees)
          << c.who << " " << h->household_id();
      if (!sees) {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        EXPECT_THAT(s.error_message(),
                    HasSubstr("outside the jurisdiction of " + c.who));
      }
    }
    EXPECT_EQ(list(c.who, ""), c.listed) << c.who;
  }
  // Asking for another street is refused, naming where one works.
  EXPECT_EQ(list("cw-spring", "红旗街道"), "refused");
  grpc::Status s = get("cw-spring", "420102-0002");
  EXPECT_THAT(
      s.error_message(),
      HasSubstr("household 420102-0002 is in 420102 红旗街道 建设社区, "
                "outside the jurisdiction of cw-spring (420102 胜利街道 "
                "春晓社区)"));

  // Nobody writes outside their jurisdiction, or moves a household into it.
  const size_t entries = Audit().size();
  v1::Household moved = out;
  moved.set_street("胜利街道");
  moved.set_community("春晓社区");
  EXPECT_EQ(upsert("cw-spring", moved).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const v1::Household elsewhere =
      household("420102-0003", "红旗街道", "建设社区", "420102199003074521");
  EXPECT_EQ(upsert("cw-spring", elsewhere).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(upsert("head-elsewhere", elsewhere).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Audit().size(), entries);
  v1::Household changed = in;
  changed.set_monthly_benefit_fen(31000);
  EXPECT_TRUE(upsert("cw-spring", changed).ok());

  // One household's audit log: its jurisdiction's; the whole log: the
  // auditor's.
  auto audit_of = [&](const std::string& who, const std::string& id) {
    auto stub = v1::AuditService::NewStub(As(who));
    grpc::ClientContext context;
    v1::ListAuditRequest request;
    request.set_household_id(id);
    v1::ListAuditResponse r;
    return stub->ListAudit(&context, request, &r).error_code();
  };
  EXPECT_EQ(audit_of("cw-spring", "420102-0001"), grpc::StatusCode::OK);
  EXPECT_EQ(audit_of("cw-spring", "420102-0002"),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(audit_of("head-1", ""), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(audit_of("auditor-1", ""), grpc::StatusCode::OK);

  // The queue of another street: refused; one's own: served.
  auto queue = [&](const std::string& who, const std::string& street) {
    auto stub = v1::ReviewService::NewStub(As(who));
    grpc::ClientContext context;
    v1::ListQueueRequest request;
    if (!street.empty()) {
      request.mutable_filter()->set_district_code("420102");
      request.mutable_filter()->set_street(street);
    }
    v1::ListQueueResponse r;
    return stub->ListQueue(&context, request, &r).error_code();
  };
  EXPECT_EQ(queue("cw-spring", ""), grpc::StatusCode::OK);
  EXPECT_EQ(queue("cw-spring", "胜利街道"), grpc::StatusCode::OK);
  EXPECT_EQ(queue("cw-spring", "红旗街道"),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GatekeeperTest, ACertificateProvesItsPrincipalAndNothingElseDoes) {
  EXPECT_EQ(WhoAmI(As("cw-1")), "cw-1 by certificate");
  // Metadata a network caller sends names nobody, token or not.
  auto stub = v1::AccessService::NewStub(As("cw-spring"));
  grpc::ClientContext context;
  context.AddMetadata(kConsoleUserMetadataKey, "head-1");
  context.AddMetadata(kInProcessTokenMetadataKey, "0123456789abcdef");
  context.AddMetadata("x-dibao-actor", "head-1");
  v1::WhoAmIResponse r;
  ASSERT_TRUE(stub->WhoAmI(&context, {}, &r).ok());
  EXPECT_EQ(r.principal().id(), "cw-spring");
  EXPECT_EQ(r.principal().role(), v1::ROLE_COMMUNITY_WORKER);
  ASSERT_EQ(r.principal().jurisdiction_size(), 1);
  EXPECT_EQ(r.principal().jurisdiction(0).community(), "春晓社区");
}

TEST_F(GatekeeperTest, NoConnectionWithoutAVerifiedClientCertificate) {
  grpc::Status s;
  // Plaintext to the TLS port.
  WhoAmI(grpc::CreateChannel(server_->address(),
                             grpc::InsecureChannelCredentials()),
         &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  // TLS without a client certificate: "request and verify" would let it in.
  grpc::SslCredentialsOptions no_cert;
  no_cert.pem_root_certs = testing::ReadFile(testing::TestPkiDir() + "/ca.crt");
  WhoAmI(grpc::CreateChannel(server_->address(), grpc::SslCredentials(no_cert)),
         &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  // A certificate for a real principal's name from another CA.
  const std::string other = dir_ + "/other-ca";
  auto minted = testing::Run(
      {"/bin/bash", std::string(DIBAO_SOURCE_DIR) + "/deploy/certs.sh", other,
       "cw-1"},
      {"DIBAO_PRINCIPALS=/dev/null"});
  ASSERT_EQ(minted.exit_code, 0) << minted.err;
  grpc::SslCredentialsOptions forged = no_cert;
  forged.pem_cert_chain = testing::ReadFile(other + "/cw-1.crt");
  forged.pem_private_key = testing::ReadFile(other + "/cw-1.key");
  WhoAmI(grpc::CreateChannel(server_->address(), grpc::SslCredentials(forged)),
         &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GatekeeperTest, ACertificateOfTheCaForNoPrincipalIsUnauthenticated) {
  // The CA signs a certificate for a name the principals file lacks.
  const std::string pki = dir_ + "/pki";
  std::filesystem::copy(testing::TestPkiDir(), pki);
  auto minted = testing::Run(
      {"/bin/bash", std::string(DIBAO_SOURCE_DIR) + "/deploy/certs.sh", pki,
       "stranger"},
      {"DIBAO_PRINCIPALS=/dev/null"});
  ASSERT_EQ(minted.exit_code, 0) << minted.err;
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = testing::ReadFile(pki + "/ca.crt");
  ssl.pem_cert_chain = testing::ReadFile(pki + "/stranger.crt");
  ssl.pem_private_key = testing::ReadFile(pki + "/stranger.key");
  grpc::Status s;
  const std::string said = WhoAmI(
      grpc::CreateChannel(server_->address(), grpc::SslCredentials(ssl)), &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(said, HasSubstr("\"stranger\" (proven by certificate) is not a "
                              "principal of this server"));
  // A disabled principal's certificate is refused too.
  EXPECT_THAT(WhoAmI(As("gone-1"), &s), HasSubstr("is disabled"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(GatekeeperTest, TheLocalSocketIsTheOwnersAndActsAsItsPrincipal) {
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/grpc.sock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto local = grpc::CreateChannel(server_->local_address(),
                                   grpc::InsecureChannelCredentials());
  EXPECT_EQ(WhoAmI(local), "night-operator by local socket");
  // The console's metadata means nothing there either.
  auto stub = v1::AccessService::NewStub(local);
  grpc::ClientContext context;
  context.AddMetadata(kConsoleUserMetadataKey, "head-1");
  v1::WhoAmIResponse r;
  ASSERT_TRUE(stub->WhoAmI(&context, {}, &r).ok());
  EXPECT_EQ(r.principal().id(), "night-operator");
}

TEST_F(GatekeeperTest, RevocationAndDisablingTakeEffectOnReloadAndAreAudited) {
  ASSERT_EQ(WhoAmI(As("cw-1")), "cw-1 by certificate");
  ASSERT_EQ(WhoAmI(As("cw-2")), "cw-2 by certificate");
  auto serial = testing::Run({"/usr/bin/openssl", "x509", "-noout", "-serial",
                              "-in", testing::TestPkiDir() + "/cw-1.crt"});
  ASSERT_EQ(serial.exit_code, 0) << serial.err;
  const std::string hex(
      absl::StripAsciiWhitespace(absl::StripPrefix(serial.out, "serial=")));
  std::string text = testing::ReadFile(principals_);
  text = absl::StrReplaceAll(
      text, {{"principal { id: \"cw-1\" role: ROLE_COMMUNITY_WORKER",
              absl::StrCat("principal { id: \"cw-1\" revoked_serial: \"", hex,
                           "\" role: ROLE_COMMUNITY_WORKER")},
             {"principal { id: \"cw-2\" role: ROLE_COMMUNITY_WORKER",
              "principal { id: \"cw-2\" disabled: true role: "
              "ROLE_COMMUNITY_WORKER"}});
  testing::WriteFile(principals_, text);
  // Only the operator and the admin may reload.
  EXPECT_EQ(Reload(As("head-1")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Reload(As("admin-1")).ok());
  grpc::Status s;
  EXPECT_THAT(WhoAmI(As("cw-1"), &s), HasSubstr("is revoked"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(WhoAmI(As("cw-2"), &s), HasSubstr("is disabled"));
  EXPECT_EQ(WhoAmI(As("cw-li")), "cw-li by certificate");

  // A file with a mistake is refused, and the principals in force stay.
  testing::WriteFile(principals_, text + "principal { id: \"x\" }\n");
  auto local = grpc::CreateChannel(server_->local_address(),
                                   grpc::InsecureChannelCredentials());
  s = Reload(local);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("role: missing"));
  EXPECT_THAT(WhoAmI(As("cw-1")), HasSubstr("is revoked"));

  std::vector<std::string> reloads;
  for (const v1::AuditEntry& e : Audit()) {
    if (e.action() == v1::AUDIT_ACTION_PRINCIPALS_RELOADED) {
      reloads.push_back(absl::StrCat(e.actor(), ": ", e.detail()));
    }
  }
  ASSERT_EQ(reloads.size(), 2u);
  EXPECT_THAT(reloads[0], HasSubstr("admin-1: "));
  EXPECT_THAT(reloads[0], HasSubstr(" principals from " + principals_));
  EXPECT_THAT(reloads[1], HasSubstr("night-operator: refused"));
}

TEST_F(GatekeeperTest, TheServerRefusesPlaintextOnTcp) {
  ServerOptions o = options_;
  o.data_dir = dir_ + "/other";
  o.local_socket = dir_ + "/other.sock";
  o.tls = TlsFiles();
  auto refused = Server::Start(o, &clock_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("tls.cert_file"));
  EXPECT_THAT(refused.status().message(), HasSubstr("--listen=off"));

  o = options_;
  o.data_dir = dir_ + "/other";
  o.local_socket = dir_ + "/other.sock";
  o.local_socket_principal = "nobody-here";
  refused = Server::Start(o, &clock_);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr("local_socket_principal \"nobody-here\""));
}

// The attack that opened the trust issue: a forged public-security batch
// marks a household head dead, a cycle flags it, a decision confirms it, a
// recommendation exits the family. With no certificate, an agency's and a
// community worker's, it stops at its first call and changes nothing.
TEST_F(GatekeeperTest, TheSixCallAttackStopsAtItsFirstCall) {
  const std::string head_id = "420102199003074513";
  {
    auto registry = v1::RegistryService::NewStub(As("head-1"));
    grpc::ClientContext context;
    v1::UpsertHouseholdRequest request;
    v1::Household* h = request.mutable_household();
    h->set_household_id("420102-0001");
    h->set_district_code("420102");
    h->set_street("胜利街道");
    h->set_community("春晓社区");
    h->set_registered_address("胜利街道春晓社区1栋");
    h->set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
    h->set_monthly_benefit_fen(40000);
    *h->mutable_benefit_start_date() = ToProto(absl::CivilDay(2020, 1, 1));
    v1::Member* m = h->add_members();
    m->set_id_number(head_id);
    m->set_name("张三");
    m->set_relation("户主");
    m->set_reported_status(v1::REPORTED_STATUS_OTHER);
    v1::UpsertHouseholdResponse r;
    const grpc::Status s = registry->UpsertHousehold(&context, request, &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const size_t entries = Audit().size();

  // Call 1: the forged batch.
  auto push = [&](std::shared_ptr<grpc::Channel> channel) {
    auto feeds = v1::FeedService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::Receipt receipt;
    auto writer = feeds->Upload(&context, &receipt);
    v1::UploadRequest request;
    v1::BatchHeader* h = request.mutable_header();
    h->set_agency(v1::AGENCY_PUBLIC_SECURITY);
    h->set_kind(v1::FEED_KIND_HUKOU);
    h->set_batch_id("FORGED-1");
    *h->mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 25));
    h->set_mode(v1::BATCH_MODE_DELTA);
    h->set_record_count(1);
    writer->Write(request);
    request.Clear();
    v1::FeedRecord* r = request.mutable_records()->add_records();
    r->set_id_number(head_id);
    r->set_name("张三");
    r->mutable_hukou()->set_status(v1::HUKOU_STATUS_DECEASED);
    writer->Write(request);
    writer->WritesDone();
    return writer->Finish();
  };
  grpc::SslCredentialsOptions no_cert;
  no_cert.pem_root_certs = testing::ReadFile(testing::TestPkiDir() + "/ca.crt");
  EXPECT_EQ(push(grpc::CreateChannel(server_->address(),
                                     grpc::SslCredentials(no_cert)))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  for (const char* who : {"agency-labour", "cw-1"}) {
    const grpc::Status s = push(As(who));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << who;
  }
  // Whatever an agency tries next is refused as well.
  auto agency = As("agency-labour");
  {
    auto cycles = v1::CycleService::NewStub(agency);
    grpc::ClientContext context;
    v1::RunCycleRequest run;
    *run.mutable_as_of() = ToProto(absl::CivilDay(2026, 11, 25));
    v1::CycleReport report;
    EXPECT_EQ(cycles->RunCycle(&context, run, &report).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    auto review = v1::ReviewService::NewStub(agency);
    grpc::ClientContext context;
    v1::DecideRequest decide;
    decide.set_flag_id("F0000001");
    decide.set_decision(v1::FLAG_STATE_CONFIRMED);
    decide.set_note("forged");
    v1::Flag f;
    EXPECT_EQ(review->Decide(&context, decide, &f).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    auto recs = v1::RecommendationService::NewStub(agency);
    grpc::ClientContext generate_context;
    v1::GenerateRecommendationsResponse made;
    EXPECT_EQ(recs->GenerateRecommendations(&generate_context, {}, &made)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    grpc::ClientContext approve_context;
    v1::DecideRecommendationRequest approve;
    approve.set_recommendation_id("R0000001");
    approve.set_note("forged");
    v1::Recommendation r;
    EXPECT_EQ(
        recs->ApproveRecommendation(&approve_context, approve, &r).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    auto registry = v1::RegistryService::NewStub(agency);
    grpc::ClientContext context;
    auto reader = registry->ExportRegistry(&context, {});
    v1::Household h;
    EXPECT_FALSE(reader->Read(&h));
    EXPECT_EQ(reader->Finish().error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // Nothing was stored or changed.
  EXPECT_EQ(Audit().size(), entries);
  auto feeds = v1::FeedService::NewStub(As("auditor-1"));
  grpc::ClientContext context;
  v1::ListBatchesResponse batches;
  ASSERT_TRUE(feeds->ListBatches(&context, {}, &batches).ok());
  EXPECT_EQ(batches.receipts_size(), 0);
}

}  // namespace
}  // namespace dibao
