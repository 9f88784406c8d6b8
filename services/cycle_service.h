// gRPC adapter for the matching engine: cycles, flags, assessments and the
// intake check. Validates requests, calls the matcher, maps the results.
//
// Thread-safe: the cycle runner, flag store and store are.
#ifndef DIBAO_SERVICES_CYCLE_SERVICE_H_
#define DIBAO_SERVICES_CYCLE_SERVICE_H_

#include "base/clock.h"
#include "dibao/v1/matching.grpc.pb.h"
#include "matcher/cycle.h"
#include "matcher/flag_store.h"
#include "services/area_guard.h"
#include "services/gatekeeper.h"
#include "services/metrics.h"
#include "storage/store.h"

namespace dibao {

class CycleServiceImpl final : public v1::CycleService::Service {
 public:
  // All must outlive the service.
  CycleServiceImpl(const Gatekeeper* gate, const AreaGuard* areas, Store* store,
                   CycleRunner* cycles, FlagStore* flags, Clock* clock,
                   ServerMetrics* metrics)
      : gate_(gate),
        areas_(areas),
        store_(store),
        cycles_(cycles),
        flags_(flags),
        clock_(clock),
        metrics_(metrics) {}

  grpc::Status RunCycle(grpc::ServerContext* context,
                        const v1::RunCycleRequest* request,
                        v1::CycleReport* response) override;
  grpc::Status ListCycles(grpc::ServerContext* context,
                          const v1::ListCyclesRequest* request,
                          v1::ListCyclesResponse* response) override;
  grpc::Status ListFlags(grpc::ServerContext* context,
                         const v1::ListFlagsRequest* request,
                         v1::ListFlagsResponse* response) override;
  grpc::Status GetFlag(grpc::ServerContext* context,
                       const v1::GetFlagRequest* request,
                       v1::Flag* response) override;
  grpc::Status GetAssessment(grpc::ServerContext* context,
                             const v1::GetAssessmentRequest* request,
                             v1::Assessment* response) override;
  grpc::Status CheckApplicant(grpc::ServerContext* context,
                              const v1::CheckApplicantRequest* request,
                              v1::CheckApplicantResponse* response) override;

 private:
  const Gatekeeper* const gate_;
  const AreaGuard* const areas_;
  Store* const store_;
  CycleRunner* const cycles_;
  FlagStore* const flags_;
  Clock* const clock_;
  ServerMetrics* const metrics_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_CYCLE_SERVICE_H_
