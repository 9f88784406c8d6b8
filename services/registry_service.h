// gRPC adapter for the beneficiary registry: translates requests into
// Registry calls and results back. No business rule lives here.
//
// Thread-safe: the registry is.
#ifndef DIBAO_SERVICES_REGISTRY_SERVICE_H_
#define DIBAO_SERVICES_REGISTRY_SERVICE_H_

#include "dibao/v1/registry.grpc.pb.h"
#include "registry/registry.h"
#include "services/gatekeeper.h"

namespace dibao {

class RegistryServiceImpl final : public v1::RegistryService::Service {
 public:
  RegistryServiceImpl(const Gatekeeper* gate, Registry* registry)
      : gate_(gate), registry_(registry) {}

  grpc::Status UpsertHousehold(grpc::ServerContext* context,
                               const v1::UpsertHouseholdRequest* request,
                               v1::UpsertHouseholdResponse* response) override;
  grpc::Status GetHousehold(grpc::ServerContext* context,
                            const v1::GetHouseholdRequest* request,
                            v1::Household* response) override;
  grpc::Status FindHouseholdByMember(
      grpc::ServerContext* context,
      const v1::FindHouseholdByMemberRequest* request,
      v1::Household* response) override;
  grpc::Status ListHouseholds(grpc::ServerContext* context,
                              const v1::ListHouseholdsRequest* request,
                              v1::ListHouseholdsResponse* response) override;
  grpc::Status GetHouseholdHistory(
      grpc::ServerContext* context,
      const v1::GetHouseholdHistoryRequest* request,
      v1::GetHouseholdHistoryResponse* response) override;
  grpc::Status ImportRegistry(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportRegistryRequest>* reader,
      v1::ImportRegistryResponse* response) override;
  grpc::Status ExportRegistry(
      grpc::ServerContext* context, const v1::ListHouseholdsRequest* request,
      grpc::ServerWriter<v1::Household>* writer) override;

 private:
  // OK when `caller` may write `household`: its new area and, when it
  // exists, its current one are in the caller's jurisdiction.
  absl::Status CheckWritable(const Caller& caller,
                             const v1::Household& household) const;

  const Gatekeeper* const gate_;
  Registry* const registry_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_REGISTRY_SERVICE_H_
