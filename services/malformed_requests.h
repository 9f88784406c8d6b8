// A request whose bytes are not its protobuf message gets INVALID_ARGUMENT
// naming the method and the message it should have been, rather than gRPC's
// own INTERNAL with an empty message (which reads as a server fault).
//
// gRPC parses a unary or server-streaming request before the handler runs
// and, when it cannot, answers INTERNAL itself; this interceptor notices the
// failed parse and rewrites that answer. (A client stream's broken message
// ends the stream early, and the upload then fails on its announced record
// count with INVALID_ARGUMENT already.)
#ifndef DIBAO_SERVICES_MALFORMED_REQUESTS_H_
#define DIBAO_SERVICES_MALFORMED_REQUESTS_H_

#include <grpcpp/support/server_interceptor.h>

namespace dibao {

class MalformedRequestsFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_MALFORMED_REQUESTS_H_
