// gRPC adapter for operating the server: reloading its files and taking
// online backups of the store.
//
// Thread-safe: the reloader and the backups are.
#ifndef DIBAO_SERVICES_ADMIN_SERVICE_H_
#define DIBAO_SERVICES_ADMIN_SERVICE_H_

#include "dibao/v1/admin.grpc.pb.h"
#include "services/gatekeeper.h"
#include "services/reloader.h"
#include "storage/backups.h"

namespace dibao {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  // All must outlive the service.
  AdminServiceImpl(const Gatekeeper* gate, Reloader* reloader,
                   StoreBackups* backups)
      : gate_(gate), reloader_(reloader), backups_(backups) {}

  grpc::Status Reload(grpc::ServerContext* context,
                      const v1::ReloadRequest* request,
                      v1::ReloadResponse* response) override;
  grpc::Status CreateBackup(grpc::ServerContext* context,
                            const v1::CreateBackupRequest* request,
                            v1::CreateBackupResponse* response) override;
  grpc::Status ListBackups(grpc::ServerContext* context,
                           const v1::ListBackupsRequest* request,
                           v1::ListBackupsResponse* response) override;

 private:
  const Gatekeeper* const gate_;
  Reloader* const reloader_;
  StoreBackups* const backups_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_ADMIN_SERVICE_H_
