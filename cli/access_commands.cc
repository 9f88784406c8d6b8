// dibaoctl whoami and principals reload: who the server takes you for, and
// re-reading its principals file.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access/roles.h"
#include "cli/commands.h"
#include "dibao/v1/access.grpc.pb.h"
#include "formats/feed_kinds.h"

namespace dibao::cli {
namespace {

std::unique_ptr<v1::AccessService::Stub> Stub(const CliOptions& o) {
  return v1::AccessService::NewStub(Connect(o));
}

std::string Where(const v1::Jurisdiction& j) {
  std::string s = j.district_code();
  if (!j.street().empty()) absl::StrAppend(&s, " ", j.street());
  if (!j.community().empty()) absl::StrAppend(&s, " ", j.community());
  return s;
}

}  // namespace

int WhoAmI(const Env& env) {
  v1::WhoAmIResponse r;
  grpc::Status s =
      Stub(env.options)
          ->WhoAmI(NewContext(env.options).get(), v1::WhoAmIRequest(), &r);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  const v1::Principal& p = r.principal();
  env.out << "principal: " << p.id() << "\n"
          << "name:      " << p.name() << "\n"
          << "role:      " << RoleName(p.role()) << "\n";
  if (p.agency() != v1::AGENCY_UNSPECIFIED) {
    env.out << "agency:    " << AgencyName(p.agency()) << "\n";
  }
  for (const v1::Jurisdiction& j : p.jurisdiction()) {
    env.out << "works in:  " << Where(j) << "\n";
  }
  env.out << "proven by: " << r.proven_by() << "\n";
  return kExitOk;
}

int PrincipalsReload(const Env& env) {
  v1::ReloadPrincipalsResponse r;
  grpc::Status s = Stub(env.options)
                       ->ReloadPrincipals(NewContext(env.options).get(),
                                          v1::ReloadPrincipalsRequest(), &r);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  env.out << r.principals() << " principals in force (file sha256 "
          << r.sha256() << ")\n";
  return kExitOk;
}

}  // namespace dibao::cli
