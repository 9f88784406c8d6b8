// gRPC adapter for access control: who the caller is, and reloading the
// principals file.
//
// Thread-safe: Gatekeeper is.
#ifndef DIBAO_SERVICES_ACCESS_SERVICE_H_
#define DIBAO_SERVICES_ACCESS_SERVICE_H_

#include "dibao/v1/access.grpc.pb.h"
#include "services/gatekeeper.h"

namespace dibao {

class AccessServiceImpl final : public v1::AccessService::Service {
 public:
  // `gate` must outlive the service.
  explicit AccessServiceImpl(Gatekeeper* gate) : gate_(gate) {}

  grpc::Status WhoAmI(grpc::ServerContext* context,
                      const v1::WhoAmIRequest* request,
                      v1::WhoAmIResponse* response) override;
  grpc::Status ReloadPrincipals(
      grpc::ServerContext* context, const v1::ReloadPrincipalsRequest* request,
      v1::ReloadPrincipalsResponse* response) override;

 private:
  Gatekeeper* const gate_;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_ACCESS_SERVICE_H_
