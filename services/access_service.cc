#include "services/access_service.h"

#include <utility>

#include "services/grpc_status.h"

namespace dibao {
namespace {
constexpr absl::string_view kService = v1::AccessService::service_full_name();
}  // namespace

grpc::Status AccessServiceImpl::WhoAmI(grpc::ServerContext* context,
                                       const v1::WhoAmIRequest*,
                                       v1::WhoAmIResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  *response->mutable_principal() = std::move(caller->principal);
  // What the caller may not know about itself stays out: which of its
  // certificates are revoked.
  response->mutable_principal()->clear_revoked_serial();
  response->set_proven_by(caller->proven_by);
  return grpc::Status::OK;
}

grpc::Status AccessServiceImpl::ReloadPrincipals(
    grpc::ServerContext* context, const v1::ReloadPrincipalsRequest*,
    v1::ReloadPrincipalsResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto reloaded = gate_->Reload(caller->id());
  if (!reloaded.ok()) return ToGrpcStatus(reloaded.status());
  *response = *std::move(reloaded);
  return grpc::Status::OK;
}

}  // namespace dibao
