#include "services/admin_service.h"

#include <utility>

#include "services/grpc_status.h"

namespace dibao {
namespace {
constexpr absl::string_view kService = v1::AdminService::service_full_name();
}  // namespace

grpc::Status AdminServiceImpl::Reload(grpc::ServerContext* context,
                                      const v1::ReloadRequest*,
                                      v1::ReloadResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto reloaded = reloader_->Reload(caller->id());
  if (!reloaded.ok()) return ToGrpcStatus(reloaded.status());
  *response = *std::move(reloaded);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::CreateBackup(
    grpc::ServerContext* context, const v1::CreateBackupRequest*,
    v1::CreateBackupResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto made = backups_->Create(caller->id());
  if (!made.ok()) return ToGrpcStatus(made.status());
  *response = *std::move(made);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListBackups(grpc::ServerContext* context,
                                           const v1::ListBackupsRequest*,
                                           v1::ListBackupsResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto listed = backups_->List();
  if (!listed.ok()) return ToGrpcStatus(listed.status());
  *response = *std::move(listed);
  return grpc::Status::OK;
}

}  // namespace dibao
