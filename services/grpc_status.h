// The one conversion between absl::Status and grpc::Status. The numeric codes
// are the same by design; only the types differ.
#ifndef DIBAO_SERVICES_GRPC_STATUS_H_
#define DIBAO_SERVICES_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace dibao {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace dibao

#endif  // DIBAO_SERVICES_GRPC_STATUS_H_
