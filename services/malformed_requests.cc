#include "services/malformed_requests.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"

namespace dibao {
namespace {

using grpc::experimental::InterceptionHookPoints;

// "/dibao.v1.FeedService/ListBatches" -> "dibao.v1.ListBatchesRequest", or
// "" for a method the generated descriptors do not know.
std::string RequestTypeOf(const char* method) {
  std::string name = absl::StrReplaceAll(method, {{"/", "."}});
  if (!name.empty() && name[0] == '.') name.erase(0, 1);
  const google::protobuf::MethodDescriptor* m =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          name);
  return m == nullptr ? "" : m->input_type()->full_name();
}

class MalformedRequests : public grpc::experimental::Interceptor {
 public:
  explicit MalformedRequests(const char* method) : method_(method) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsed_ = true;
    }
    if (unparsed_ && methods->QueryInterceptionHookPoint(
                         InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status sent = methods->GetSendStatus();
      if (sent.error_code() == grpc::StatusCode::INTERNAL) {
        const std::string type = RequestTypeOf(method_);
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat("the request to ", method_, " could not be parsed",
                         type.empty() ? "" : absl::StrCat(" as a ", type),
                         ": its bytes are not that protobuf message (a "
                         "client built from another schema, or a corrupted "
                         "message)",
                         sent.error_message().empty()
                             ? ""
                             : absl::StrCat(": ", sent.error_message()))));
      }
    }
    methods->Proceed();
  }

 private:
  const char* const method_;
  bool unparsed_ = false;
};

}  // namespace

grpc::experimental::Interceptor*
MalformedRequestsFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  // Only one request message to parse, before the handler: unary and
  // server streaming. Client streams are left alone (no per-message cost
  // on uploads).
  if (info->type() != Type::UNARY && info->type() != Type::SERVER_STREAMING) {
    return nullptr;
  }
  return new MalformedRequests(info->method());
}

}  // namespace dibao
