// The console's JSON API over the gRPC services, with no second model: a
// request body in protobuf's JSON mapping of a method's request message is
// parsed into that message, sent through the server's in-process gRPC
// channel with the signed-in user in the x-dibao-console-user metadata
// (honoured on that channel only), and the response comes back in the same
// mapping. The call takes exactly the path a gRPC client's call takes
// (validation, status codes, audit entries); methods and messages are found by
// name in the generated descriptors.
//
// Only the unary methods passed to Expose() are reachable.
// Thread-safe once set up (Expose() before the first Call()).
#ifndef DIBAO_CONSOLE_JSON_GATEWAY_H_
#define DIBAO_CONSOLE_JSON_GATEWAY_H_

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace dibao {

struct JsonCall {
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::unique_ptr<google::protobuf::Message> request;
  std::unique_ptr<google::protobuf::Message> response;
};

// Parses a request body in protobuf's JSON mapping into `request` (its
// message type chosen by the method): unknown fields are refused, so a typo
// does not pass silently. INVALID_ARGUMENT naming the message and the
// problem.
absl::Status ParseJsonRequest(absl::string_view json,
                              google::protobuf::Message* request);

class JsonGateway {
 public:
  // `channel` reaches the services (the server's in-process channel).
  // Each call gets `deadline`.
  // `in_process_token` proves to the server that a call is the console's.
  JsonGateway(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline,
              std::string in_process_token);

  // Makes `service`.`method` ("dibao.v1.ReviewService", "ListQueue")
  // callable. NOT_FOUND when it is not in the generated descriptors;
  // INVALID_ARGUMENT for a streaming method.
  absl::Status Expose(absl::string_view service, absl::string_view method);

  // Calls `service`.`method` ("ReviewService", "ListQueue": the package is
  // implied) with `json` (empty: an empty request) on behalf of `actor`.
  // NOT_FOUND for a method not exposed; INVALID_ARGUMENT naming the problem
  // for a body that is not the request message's JSON; otherwise the
  // service's own status.
  absl::StatusOr<JsonCall> Call(absl::string_view service,
                                absl::string_view method,
                                absl::string_view json,
                                absl::string_view actor) const;

  // `message` in protobuf's JSON mapping, every field printed (zeros
  // included, so a page need not know the defaults), enums by name.
  static absl::StatusOr<std::string> ToJson(
      const google::protobuf::Message& message);

 private:
  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration deadline_;
  std::string in_process_token_;
  // "ReviewService/ListQueue" -> method.
  absl::flat_hash_map<std::string, const google::protobuf::MethodDescriptor*>
      methods_;
};

}  // namespace dibao

#endif  // DIBAO_CONSOLE_JSON_GATEWAY_H_
