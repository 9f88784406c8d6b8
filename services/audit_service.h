// gRPC adapter for the audit trail: verifying the chain and reading it,
// whole or for one household.
//
// Thread-safe: AuditLog is.
#ifndef DIBAO_SERVICES_AUDIT_SERVICE_H_
#define DIBAO_SERVICES_AUDIT_SERVICE_H_

#include "dibao/v1/audit.grpc.pb.h"
#include "services/area_guard.h"
#include "services/gatekeeper.h"
#include "services/metrics.h"
#include "storage/audit_log.h"

namespace dibao {

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  // All must outlive the service.
  AuditServiceImpl(const Gatekeeper* gate, const AreaGuard* areas,
                   const AuditLog* audit, ServerMetrics* metrics)
      : gate_(gate), areas_(areas), audit_(audit), metrics_(metrics) {}

  grpc::Status VerifyAudit(grpc::ServerContext* context,
                           const v1::VerifyAuditRequest* request,
                           v1::AuditVerification* response) override;
  grpc::Status ListAudit(grpc::ServerContext* context,
                         const v1::ListAuditRequest* request,
                         v1::ListAuditResponse* response) override;

 private:
  const Gatekeeper* const gate_;
  const AreaGuard* const areas_;
  const AuditLog* const audit_;
  ServerMetrics* const metrics_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_AUDIT_SERVICE_H_
